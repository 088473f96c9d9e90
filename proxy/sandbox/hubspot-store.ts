// The HubSpot sandbox's CRM store: objects by numeric id (ascending), property schemas, associations and writes.
import type { HubSpotData, HubSpotOwner } from '../../worker/sample/dataset.ts';

export const HUBSPOT_TYPES = ['contacts', 'companies', 'deals'] as const;
export type HubSpotType = (typeof HUBSPOT_TYPES)[number];
export type PropertyValue = string | null;

export interface HubSpotAssociationList {
  results: { id: string; type: string }[];
}

export interface HubSpotRecord {
  id: string;
  properties: Record<string, PropertyValue>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
  associations?: Partial<Record<HubSpotType, HubSpotAssociationList>>;
}

/** Properties HubSpot returns when a request names none. */
export const DEFAULT_PROPERTIES: Record<HubSpotType, string[]> = {
  contacts: ['email', 'firstname', 'lastname'],
  companies: ['name', 'domain'],
  deals: ['dealname', 'amount', 'dealstage', 'pipeline', 'closedate'],
};
export const ALWAYS = ['hs_object_id', 'createdate', 'lastmodifieddate'];
export const DATE_PROPERTIES = new Set([
  'createdate',
  'lastmodifieddate',
  'hs_lastmodifieddate',
  'closedate',
]);
export const NUMBER_PROPERTIES = new Set([
  'amount',
  'annualrevenue',
  'numberofemployees',
  'hs_object_id',
  'associatedcompanyid',
]);
const READ_ONLY = new Set(['hs_object_id', 'lastmodifieddate', 'hs_lastmodifieddate']);
const SINGULAR: Record<HubSpotType, string> = { contacts: 'contact', companies: 'company', deals: 'deal' };

export interface PropertyProblem {
  name: string;
  error: 'PROPERTY_DOESNT_EXIST' | 'READ_ONLY_VALUE' | 'INVALID_DATE';
  message: string;
}

class TypeTable {
  readonly byId = new Map<string, HubSpotRecord>();
  /** Numeric ids, ascending; HubSpot lists page in id order. */
  readonly ids: number[] = [];
  readonly known = new Set<string>();

  constructor(records: readonly HubSpotRecord[]) {
    const sorted = [...records].sort((a, b) => Number(a.id) - Number(b.id));
    for (const r of sorted) {
      this.byId.set(r.id, r);
      this.ids.push(Number(r.id));
      for (const k of Object.keys(r.properties)) this.known.add(k);
    }
  }

  /** First index whose id >= value. */
  from(value: number): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ids[mid] as number) < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Normalises an input value to HubSpot's stored form: strings, dates as ISO, cleared values as null. */
function stored(name: string, value: unknown): PropertyValue {
  if (value === null || value === undefined || value === '') return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (DATE_PROPERTIES.has(name)) {
    const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    return Number.isFinite(ms) ? new Date(ms).toISOString() : text;
  }
  return text;
}

export class HubSpotStore {
  readonly #tables: Record<HubSpotType, TypeTable>;
  readonly owners: readonly HubSpotOwner[];

  constructor(data: HubSpotData) {
    // The dataset's typed records are plain JSON; HubSpotRecord only widens their property maps.
    this.#tables = {
      contacts: new TypeTable(data.contacts as HubSpotRecord[]),
      companies: new TypeTable(data.companies as HubSpotRecord[]),
      deals: new TypeTable(data.deals as HubSpotRecord[]),
    };
    this.owners = [...data.owners].sort((a, b) => Number(a.id) - Number(b.id));
  }

  get contacts(): ReadonlyMap<string, HubSpotRecord> {
    return this.#tables.contacts.byId;
  }
  get companies(): ReadonlyMap<string, HubSpotRecord> {
    return this.#tables.companies.byId;
  }
  get deals(): ReadonlyMap<string, HubSpotRecord> {
    return this.#tables.deals.byId;
  }

  get(type: HubSpotType, id: string): HubSpotRecord | undefined {
    return this.#tables[type].byId.get(id);
  }

  /** Records in id order, live ones by default. */
  list(type: HubSpotType, archived = false): HubSpotRecord[] {
    const t = this.#tables[type];
    const out: HubSpotRecord[] = [];
    for (const id of t.ids) {
      const r = t.byId.get(String(id)) as HubSpotRecord;
      if (r.archived === archived) out.push(r);
    }
    return out;
  }

  hasProperty(type: HubSpotType, name: string): boolean {
    return this.#tables[type].known.has(name);
  }

  /** One page of records with id >= `fromId`; `next` is the id to resume from. */
  page(
    type: HubSpotType,
    fromId: number,
    limit: number,
    archived: boolean,
  ): { results: HubSpotRecord[]; next?: number } {
    const t = this.#tables[type];
    const results: HubSpotRecord[] = [];
    for (let i = t.from(fromId); i < t.ids.length; i++) {
      const r = t.byId.get(String(t.ids[i])) as HubSpotRecord;
      if (r.archived !== archived) continue;
      if (results.length === limit) return { results, next: Number(r.id) };
      results.push(r);
    }
    return { results };
  }

  validate(type: HubSpotType, properties: Record<string, unknown>, creating: boolean): PropertyProblem[] {
    const problems: PropertyProblem[] = [];
    for (const name of Object.keys(properties)) {
      if (!this.hasProperty(type, name)) {
        problems.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
      } else if (READ_ONLY.has(name) || (!creating && name === 'createdate')) {
        problems.push({
          name,
          error: 'READ_ONLY_VALUE',
          message: `"${name}" is a read only property; its value cannot be set.`,
        });
      } else if (DATE_PROPERTIES.has(name) && properties[name] !== null && properties[name] !== '') {
        const v = stored(name, properties[name]);
        if (v === null || Number.isNaN(Date.parse(v))) {
          problems.push({
            name,
            error: 'INVALID_DATE',
            message: `${String(properties[name])} was not a valid long.`,
          });
        }
      }
    }
    return problems;
  }

  create(type: HubSpotType, properties: Record<string, unknown>, nowMs: number): HubSpotRecord {
    const t = this.#tables[type];
    const id = String((t.ids.at(-1) ?? 0) + 1);
    const at = new Date(nowMs).toISOString();
    const props: Record<string, PropertyValue> = {};
    for (const [k, v] of Object.entries(properties)) props[k] = stored(k, v);
    props.createdate ??= at;
    props.lastmodifieddate = at;
    if (t.known.has('hs_lastmodifieddate')) props.hs_lastmodifieddate = at;
    props.hs_object_id = id;
    const record: HubSpotRecord = {
      id,
      properties: props,
      createdAt: props.createdate,
      updatedAt: at,
      archived: false,
    };
    t.byId.set(id, record);
    t.ids.push(Number(id));
    return record;
  }

  /** Replaces the record with an updated copy (stored records may share frozen parts with the dataset). */
  update(type: HubSpotType, id: string, properties: Record<string, unknown>, nowMs: number): HubSpotRecord {
    const t = this.#tables[type];
    const old = t.byId.get(id);
    if (!old) throw new Error(`no ${type} ${id}`);
    const at = new Date(nowMs).toISOString();
    const props = { ...old.properties };
    for (const [k, v] of Object.entries(properties)) props[k] = stored(k, v);
    props.lastmodifieddate = at;
    if ('hs_lastmodifieddate' in props) props.hs_lastmodifieddate = at;
    const record: HubSpotRecord = { ...old, properties: props, updatedAt: at };
    t.byId.set(id, record);
    return record;
  }

  archive(type: HubSpotType, id: string, nowMs: number): void {
    const t = this.#tables[type];
    const old = t.byId.get(id);
    if (old) t.byId.set(id, { ...old, archived: true, archivedAt: new Date(nowMs).toISOString() });
  }

  addProperty(type: HubSpotType, name: string, valueFor: (record: HubSpotRecord) => PropertyValue): void {
    const t = this.#tables[type];
    t.known.add(name);
    for (const [id, r] of t.byId)
      t.byId.set(id, { ...r, properties: { ...r.properties, [name]: valueFor(r) } });
  }

  /** Associations of one record towards the requested types, derived from the links the dataset holds. */
  associations(
    type: HubSpotType,
    record: HubSpotRecord,
    to: HubSpotType[],
  ): Partial<Record<HubSpotType, HubSpotAssociationList>> {
    const out: Partial<Record<HubSpotType, HubSpotAssociationList>> = {};
    for (const target of to) {
      if (target === type) continue;
      const ids = this.#linked(type, record, target);
      const label = `${SINGULAR[type]}_to_${SINGULAR[target]}`;
      if (ids.length > 0) out[target] = { results: ids.map((id) => ({ id, type: label })) };
    }
    return out;
  }

  #linked(type: HubSpotType, record: HubSpotRecord, target: HubSpotType): string[] {
    if (type === 'deals') return (record.associations?.[target]?.results ?? []).map((a) => a.id);
    if (type === 'contacts' && target === 'companies') {
      const company = record.properties.associatedcompanyid;
      return company ? [company] : [];
    }
    if (target === 'deals') {
      return this.list('deals')
        .filter((d) => d.associations?.[type]?.results.some((a) => a.id === record.id))
        .map((d) => d.id);
    }
    return this.list('contacts')
      .filter((c) => c.properties.associatedcompanyid === record.id)
      .map((c) => c.id);
  }
}
