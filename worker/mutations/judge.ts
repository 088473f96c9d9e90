// Judging a write's answer: the row's outcome from the vendor's status, body and GraphQL errors.
import { isRecord } from '../../common/json.ts';
import { getPath } from '../connectors/paths.ts';
import type { ConnectorSpec, WriteEndpointSpec } from '../connectors/spec.ts';
import type { HttpResult } from '../sync/http.ts';
import type { LocalShaped } from './compare.ts';
import { normalizeRecord } from './local.ts';
import { graphqlErrors, parentPath, vendorDetail } from './requests.ts';
import type { MutationPlan, PlannedRow, RowResult } from './types.ts';

/** A row's outcome before it is recorded: the result plus the API object that updates the local copy. */
export interface Outcome {
  result: RowResult;
  /** The written (or live) object, normalised; null = the API sent none (a DELETE). */
  object?: LocalShaped | null;
  body?: unknown;
}

/** Why a create that cannot be repeated is not sent again. */
export function unknownOutcome(source: string, what: string): string {
  return `outcome unknown: ${what} while this create was in flight; not retried so it cannot be created twice — check ${source} and re-sync.`;
}

/** Turns the API's answer to a write into the row's outcome. */
export function judgeWrite(
  plan: MutationPlan,
  spec: ConnectorSpec,
  endpoint: WriteEndpointSpec,
  row: PlannedRow,
  response: HttpResult,
  repeatable: boolean,
): Outcome {
  const { status, body } = response;
  const base = { index: row.index, id: row.id, http_status: status };
  const failed = (error: string, note?: string): Outcome => ({
    result: { ...base, status: 'failed', error, ...(note ? { note } : {}) },
  });
  if (status >= 200 && status < 300) {
    const graphql = endpoint.graphql;
    const errors = graphql ? graphqlErrors(body) : null;
    if (errors !== null) return failed(`${plan.source} refused the write: ${errors}`);
    const dataPath = graphql?.data_path;
    const object = dataPath ? getPath(body, dataPath) : body;
    if (dataPath && getPath(body, `${parentPath(dataPath)}.success`) === false) {
      return failed(
        `${plan.source} answered success: false at ${parentPath(dataPath)}; nothing was changed.`,
      );
    }
    const result: RowResult = { ...base, status: 'ok' };
    if (plan.operation === 'insert' && isRecord(object)) {
      const created = getPath(object, endpoint.id_field) ?? object.id;
      if (created !== undefined && created !== null) result.created_id = String(created);
    }
    if (plan.operation !== 'delete' && body !== null && !isRecord(object)) {
      result.note = `${plan.source} accepted the write but its answer could not be read; re-sync to see the result.`;
    }
    return { result, object: normalizeRecord(spec, plan.table, object), body: object };
  }
  const detail = vendorDetail(body, status);
  if (status === 404 && plan.operation === 'delete') {
    return { result: { ...base, status: 'ok', note: 'already deleted at the source' }, object: null };
  }
  if (status === 429) {
    return failed(
      `${plan.source} kept answering HTTP 429 (rate limited): ${detail}. Nothing was written; execute again later.`,
    );
  }
  if (status >= 500 && !repeatable) {
    return failed(unknownOutcome(plan.source, `${plan.source} answered HTTP ${status} (${detail})`));
  }
  return failed(`HTTP ${status} from ${plan.source}: ${detail}`);
}
