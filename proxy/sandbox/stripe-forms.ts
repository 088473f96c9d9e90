// Stripe request decoding: bracket-notation form/query params into nested values, typed coercion, and Stripe's errors.
import { isRecord } from '../../common/json.ts';
import type { JsonObject, JsonValue } from '../../worker/sample/dataset.ts';

export type FormValue = string | FormValue[] | FormObject;
export type FormObject = { [key: string]: FormValue };

export interface StripeErrorBody {
  message: string;
  type: 'invalid_request_error' | 'idempotency_error' | 'rate_limit_error' | 'api_error';
  code?: string;
  doc_url?: string;
  param?: string;
}

/** Thrown by the Stripe sandbox and turned into `{"error": ...}` with `status`. */
export class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }

  static invalid(message: string, param?: string): StripeError {
    return new StripeError(400, { message, ...(param ? { param } : {}), type: 'invalid_request_error' });
  }

  static missing(singular: string, id: string, param: string, status = 404): StripeError {
    return new StripeError(status, {
      code: 'resource_missing',
      doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
      message: `No such ${singular}: '${id}'`,
      param,
      type: 'invalid_request_error',
    });
  }

  static unknownParam(name: string): StripeError {
    return StripeError.invalid(`Received unknown parameter: ${name}`, name);
  }
}

/**
 * Decodes `a[b][0][c]=v` / `a[]=v` pairs into nested objects and arrays the way Stripe's API reads them. Numeric
 * and empty brackets make arrays, except under `metadata`, whose keys are free-form.
 */
export function decodeForm(params: URLSearchParams): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of params) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    if (!match) throw StripeError.invalid(`Invalid parameter name: ${rawKey}`, rawKey);
    const path = [
      match[1] as string,
      ...[...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? ''),
    ];
    let node: FormObject = root;
    for (let i = 0; i < path.length; i++) {
      const last = i === path.length - 1;
      let key = path[i] as string;
      if (key === '') key = String(Object.keys(node).length);
      const existing = node[key];
      if (last) {
        if (isRecord(existing)) throw StripeError.invalid(`Invalid ${path[0]}: conflicting values`, path[0]);
        node[key] = value;
      } else if (existing === undefined) {
        node = node[key] = {};
      } else if (isRecord(existing)) {
        node = existing;
      } else {
        throw StripeError.invalid(`Invalid ${path[0]}: conflicting values`, path[0]);
      }
    }
  }
  return arrays(root, false) as FormObject;
}

function arrays(value: FormValue, freeForm: boolean): FormValue {
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  const out: FormObject = {};
  for (const k of keys) out[k] = arrays(value[k] as FormValue, k === 'metadata');
  if (!freeForm && keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => out[k] as FormValue);
  }
  return out;
}

const NUMERIC = new Set([
  'balance',
  'next_invoice_sequence',
  'unit_amount',
  'cancel_at',
  'trial_end',
  'days_until_due',
  'interval_count',
  'trial_period_days',
  'quantity',
  'billing_cycle_anchor',
  'resumes_at',
]);
const BOOLEAN = new Set(['active', 'cancel_at_period_end', 'shippable', 'livemode', 'delinquent']);

/** Converts a form value to the JSON type the field holds (Stripe types its params; forms only carry strings). */
export function coerce(key: string, value: FormValue, existing: JsonValue | undefined): JsonValue {
  if (Array.isArray(value)) {
    const template = Array.isArray(existing) ? existing[0] : undefined;
    return value.map((v) => coerce(key, v, template));
  }
  if (isRecord(value)) {
    const base: JsonObject = isRecord(existing) ? { ...existing } : {};
    for (const [k, v] of Object.entries(value)) base[k] = coerce(k, v, base[k]);
    return base;
  }
  if (value === '') return null;
  if (typeof existing === 'boolean' || BOOLEAN.has(key)) {
    if (value !== 'true' && value !== 'false') throw StripeError.invalid(`Invalid boolean: ${value}`, key);
    return value === 'true';
  }
  if (typeof existing === 'number' || NUMERIC.has(key)) {
    if (!/^-?\d+$/.test(value)) throw StripeError.invalid(`Invalid integer: ${value}`, key);
    return Number(value);
  }
  return value;
}

/** A list/query integer like `limit` or `created[gte]`. */
export function integerParam(name: string, value: FormValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) {
    throw StripeError.invalid(`Invalid integer: ${typeof value === 'string' ? value : 'object'}`, name);
  }
  return Number(value);
}

export function stringParam(name: string, value: FormValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw StripeError.invalid(`Invalid string: ${name}`, name);
  return value;
}

/** `expand[]=a&expand[]=b` (or a single `expand=a`) as a list of dotted paths. */
export function expandParam(value: FormValue | undefined): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v !== 'string') throw StripeError.invalid('Invalid array', 'expand');
    return v;
  });
}

/** Top-level differences as Stripe reports them in `data.previous_attributes` (nested hashes only list changed keys). */
export function previousAttributes(before: JsonObject, after: JsonObject): JsonObject {
  const out: JsonObject = {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    const old = before[key];
    const now = after[key];
    if (JSON.stringify(old) === JSON.stringify(now)) continue;
    if (isRecord(old) && isRecord(now)) {
      const inner: JsonObject = {};
      for (const k of new Set([...Object.keys(old), ...Object.keys(now)])) {
        if (JSON.stringify(old[k]) !== JSON.stringify(now[k])) inner[k] = old[k] ?? null;
      }
      out[key] = inner;
    } else {
      out[key] = old ?? null;
    }
  }
  return out;
}
