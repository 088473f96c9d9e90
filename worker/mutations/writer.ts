// WriteBack: executes a confirmed MutationPlan row by row against the API, resumably, then updates the local copy.
import { isRecord } from '../../common/json.ts';
import type { Clock } from '../clock.ts';
import { getPath } from '../connectors/paths.ts';
import type { PageRequest } from '../connectors/request.ts';
import type { ConnectorRegistry } from '../connectors/registry.ts';
import type { ConnectorSpec, WriteEndpointSpec } from '../connectors/spec.ts';
import type { DinobaseDB } from '../db.ts';
import { DinobaseError, MutationError, SyncError, errorMessage } from '../errors.ts';
import { retryTuning, secretParams } from '../sync/fetcher.ts';
import { send, type HttpOptions, type HttpResult, type RetryTuning } from '../sync/http.ts';
import type { Route, Transport } from '../sync/transport.ts';
import { judgeDelete, judgeUpdate, shown } from './compare.ts';
import { judgeWrite, unknownOutcome, type Outcome } from './judge.ts';
import { applyLocal, normalizeRecord } from './local.ts';
import { isFinal, Outbox, storedResult, type OutboxRow } from './outbox.ts';
import { graphqlErrors, readRecord, readRequest, vendorDetail, writeRequest } from './requests.ts';
import type { MutationPlan, PlannedRow, RowResult } from './types.ts';

export interface WriteBackOptions {
  transport: Transport;
  connectors: ConnectorRegistry;
  clock: Clock;
  /** Direct mode only: the credentials applied to each source's requests (the proxy holds them in relay mode). */
  credentials?: (source: string) => Record<string, string> | undefined;
  /** Direct mode only: the API base per source; default the source's stored base_url, else the connector's. */
  baseUrl?: (source: string) => string | null | undefined;
  retry?: RetryTuning;
}

export interface ExecuteOptions {
  signal?: AbortSignal;
  /** Called once per row, in order, as soon as its result is final (stored results of a resume included). */
  onRow?: (result: RowResult) => void;
}

/** What one execute shares across its rows. */
interface Run {
  plan: MutationPlan;
  spec: ConnectorSpec;
  endpoint: WriteEndpointSpec | undefined;
  outbox: Outbox;
  http: HttpOptions;
  signal?: AbortSignal;
  route(): Promise<Route>;
}

export class WriteBack {
  readonly #db: DinobaseDB;
  readonly #options: WriteBackOptions;
  readonly #running = new Set<string>();

  constructor(db: DinobaseDB, options: WriteBackOptions) {
    this.#db = db;
    this.#options = options;
  }

  /**
   * Sends every row of a confirmed plan and returns one result per row, in plan order. Safe to call again for
   * the same plan: finished rows return their stored result without a request, and a row interrupted
   * mid-request is resent only when that cannot apply it twice.
   */
  async execute(plan: MutationPlan, options: ExecuteOptions = {}): Promise<RowResult[]> {
    const id = plan.mutation_id;
    if (this.#running.has(id))
      throw new MutationError('locked', `Mutation ${id} is already executing; wait for it to finish.`);
    this.#running.add(id);
    const results: RowResult[] = [];
    const { signal } = options;
    try {
      const run = await this.#start(plan, signal);
      const stored = await run.outbox.open(plan.rows);
      for (const row of plan.rows) {
        signal?.throwIfAborted();
        const result = await this.#row(run, row, stored.get(row.index));
        results.push(result);
        options.onRow?.(result);
      }
      return results;
    } catch (error) {
      if (signal?.aborted) {
        throw new MutationError(
          'interrupted',
          `Mutation ${id} was interrupted after ${results.length} of ${plan.rows.length} rows. Execute it again to resume: rows already written are not sent twice.`,
          { cause: error },
        );
      }
      throw error;
    } finally {
      this.#running.delete(id);
      await this.#db.checkpoint().catch(() => undefined);
    }
  }

  async #start(plan: MutationPlan, signal: AbortSignal | undefined): Promise<Run> {
    const { connectors, transport, clock, retry } = this.#options;
    let spec: ConnectorSpec;
    try {
      spec = connectors.get(plan.source_type);
    } catch (error) {
      throw new MutationError('invalid_argument', errorMessage(error), { cause: error });
    }
    const endpoint = spec.write_endpoints.find(
      (w) => w.table === plan.table && w.operation === plan.operation,
    );
    let route: Promise<Route> | undefined;
    return {
      plan,
      spec,
      endpoint,
      outbox: new Outbox(this.#db, plan.mutation_id),
      signal,
      http: {
        fetch: transport.fetch,
        clock,
        signal,
        secretParams: secretParams(spec),
        acceptErrors: true,
        ...retryTuning(spec, retry),
      },
      // Resolved on first use: a plan whose rows all finished earlier needs no route (nor the proxy).
      route: () => (route ??= this.#route(plan, spec, signal)),
    };
  }

  /**
   * Where this source's requests go. A failure here (proxy unreachable, source or credential missing) ends the
   * execute before any row is sent, so the rows stay pending and a later execute picks them up.
   */
  async #route(plan: MutationPlan, spec: ConnectorSpec, signal: AbortSignal | undefined): Promise<Route> {
    try {
      const route = await this.#resolve(plan.source, spec, signal);
      // Applying auth to a probe request names a missing credential now rather than once per row.
      route.prepare({ url: new URL(route.upstream), method: 'GET', headers: {} }, plan.source, 1);
      return route;
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new MutationError(
        error instanceof DinobaseError ? error.code : 'mutation_failed',
        `Cannot write to ${plan.source}: ${errorMessage(error)} No row was sent; execute again once this is fixed.`,
        { cause: error },
      );
    }
  }

  /** A source's route: direct, to its base URL with the worker's credentials; relay, as the proxy knows it. */
  async #resolve(source: string, spec: ConnectorSpec, signal?: AbortSignal): Promise<Route> {
    const { transport } = this.#options;
    const baseUrl =
      transport.mode === 'direct'
        ? (this.#options.baseUrl?.(source) ?? (await this.#db.getSource(source))?.base_url ?? null)
        : null;
    return transport.route({
      source,
      spec,
      baseUrl,
      credentials: this.#options.credentials?.(source),
      signal,
    });
  }

  /** The API base a source's writes go to (the proxy's sandbox in the browser), for the preview to name. */
  async upstream(source: string, type: string): Promise<URL> {
    return (await this.#resolve(source, this.#options.connectors.get(type))).upstream;
  }

  async #row(run: Run, row: PlannedRow, stored: OutboxRow | undefined): Promise<RowResult> {
    if (stored && isFinal(stored.state)) return storedResult(stored);
    const { plan, endpoint } = run;
    const base = { index: row.index, id: row.id };
    const fail = (error: string, extra: Partial<RowResult> = {}) =>
      this.#record(run, row, { result: { ...base, status: 'failed', error, ...extra } });
    if (!endpoint) {
      const writable = run.spec.write_endpoints.map((w) => `${w.operation} ${w.table}`).join(', ');
      return fail(
        `${plan.source_type} has no ${plan.operation} endpoint for table "${plan.table}"; writable: ${writable || 'nothing'}.`,
      );
    }
    if (plan.operation !== 'insert' && (row.id === null || row.id === '')) {
      return fail(
        `Row ${row.index} has no ${endpoint.id_field}, so it cannot be addressed at ${plan.source}.`,
      );
    }
    const repeatable = !!endpoint.idempotency_header || !!endpoint.client_id || plan.operation !== 'insert';
    // A create naming its own id can be looked up: after a lost answer or a reload, find it before resending.
    const findable = plan.operation === 'insert' && !!endpoint.client_id && !!endpoint.read;
    if (stored?.state === 'sending' && !repeatable)
      return fail(unknownOutcome(run.plan.source, 'the page closed'));
    const route = await run.route();
    const found = () => (findable ? this.#find(run, route, endpoint, row) : Promise.resolve(null));
    let sent = false;
    try {
      const request = writeRequest(run.spec, route, endpoint, plan, row);
      const earlier = stored?.state === 'sending' ? await found() : null;
      if (earlier) return this.#record(run, row, earlier);
      if (plan.operation !== 'insert' && endpoint.read && stored?.state !== 'sending') {
        // The mark only has to precede the write; a resume re-checks the row, so it may overlap the re-read.
        const [checked] = await Promise.all([
          this.#check(run, route, endpoint, row),
          run.outbox.sending(row.index),
        ]);
        if (checked) return this.#record(run, row, checked);
      } else {
        if (plan.operation !== 'insert' && endpoint.read) {
          const checked = await this.#check(run, route, endpoint, row);
          if (checked) return this.#record(run, row, checked);
        }
        await run.outbox.sending(row.index);
      }
      // A create that cannot be repeated must find its `sending` mark after a crash, so it is made durable first.
      if (!repeatable) await this.#db.checkpoint();
      sent = true;
      const response = await this.#send(run, route, request, repeatable);
      const outcome = judgeWrite(run.plan, run.spec, endpoint, row, response, repeatable);
      // A refusal may mean the id is taken: an earlier attempt, its answer lost, made the record. Look first.
      const made = outcome.result.status === 'failed' ? await found() : null;
      return this.#record(run, row, made ?? outcome);
    } catch (error) {
      if (run.signal?.aborted) throw error;
      if (error instanceof SyncError && error.code === 'network_error' && sent) {
        const made = await found().catch(() => null);
        if (made) return this.#record(run, row, made);
        if (!repeatable)
          return fail(unknownOutcome(run.plan.source, `the request failed (${errorMessage(error)})`));
        return fail(`${errorMessage(error)}. The write may have reached ${plan.source}; re-sync to see.`);
      }
      if (error instanceof DinobaseError) return fail(errorMessage(error));
      throw error;
    }
  }

  #send(run: Run, route: Route, request: PageRequest, repeatable: boolean): Promise<HttpResult> {
    const { plan } = run;
    return send(
      route.prepare(request, `${plan.source}.${plan.table}`, 1),
      { source: plan.source, resource: plan.table },
      { ...run.http, repeatable },
    );
  }

  /** With `client_id`: the record an earlier attempt at this create made, as the row's outcome; null if none. */
  async #find(run: Run, route: Route, endpoint: WriteEndpointSpec, row: PlannedRow): Promise<Outcome | null> {
    const { plan, spec } = run;
    const request = readRequest(spec, route, endpoint, plan, row, []);
    if (!request) return null;
    const response = await this.#send(run, route, request, true);
    const record = response.status < 300 ? readRecord(endpoint.read!, response.body) : null;
    if (!record) return null;
    const created = getPath(record, endpoint.id_field) ?? record.id;
    // The create's own answer was lost; the lookup's status is not the write's, so the row carries none.
    const result: RowResult = {
      index: row.index,
      id: row.id,
      status: 'ok',
      note: 'created by an earlier attempt',
    };
    if (created !== undefined && created !== null) result.created_id = String(created);
    return { result, object: normalizeRecord(spec, plan.table, record), body: record };
  }

  /** The stale-preview check; returns the row's outcome when it must not be written, null to go ahead. */
  async #check(
    run: Run,
    route: Route,
    endpoint: WriteEndpointSpec,
    row: PlannedRow,
  ): Promise<Outcome | null> {
    const { plan, spec } = run;
    const read = endpoint.read!;
    const request = readRequest(
      spec,
      route,
      endpoint,
      plan,
      row,
      plan.operation === 'update' ? plan.columns : [],
    );
    if (!request) return null;
    const response = await this.#send(run, route, request, true);
    const what = `${plan.source}.${plan.table} ${endpoint.id_field} ${row.id}`;
    // The re-read decides the row without a write, so the row carries no write status.
    const base = { index: row.index, id: row.id };
    const errors = read.graphql ? graphqlErrors(response.body) : null;
    const record = read.graphql
      ? getPath(response.body, read.graphql.data_path)
      : read.data_selector
        ? getPath(response.body, read.data_selector)
        : response.body;
    const gone =
      response.status === 404 ||
      (isRecord(record) && record.deleted === true) ||
      (errors !== null && /not found/i.test(errors));
    if (gone) {
      if (plan.operation === 'delete') {
        return { result: { ...base, status: 'ok', note: 'already deleted at the source' }, object: null };
      }
      return {
        result: {
          ...base,
          status: 'failed',
          note: 'deleted at the source',
          error: `${what} no longer exists at ${plan.source}; nothing was written.`,
        },
      };
    }
    if (response.status >= 300 || errors !== null) {
      const detail = errors ?? vendorDetail(response.body, response.status);
      return {
        result: {
          ...base,
          status: 'failed',
          error: `Could not re-read ${what} before writing (HTTP ${response.status}): ${detail}. Nothing was written.`,
        },
      };
    }
    const live = normalizeRecord(spec, plan.table, record);
    if (!live) return null;
    const verdict =
      plan.operation === 'update' ? judgeUpdate(plan.columns, row, live) : judgeDelete(row, live);
    if (verdict.kind === 'write') return null;
    if (verdict.kind === 'applied') {
      return { result: { ...base, status: 'ok', note: 'already applied' }, object: live, body: record };
    }
    const change = `changed since preview: ${verdict.column} was ${shown(verdict.previewed)} at preview, now ${shown(verdict.live)} at ${plan.source}`;
    return {
      result: {
        ...base,
        status: 'stale',
        note: change,
        error: `${change}; nothing was written. Preview again to see the current values.`,
      },
    };
  }

  /** Records a final outcome; for an accepted row the local update and the record commit together. */
  async #record(run: Run, row: PlannedRow, outcome: Outcome): Promise<RowResult> {
    const { result } = outcome;
    if (result.status === 'ok') {
      try {
        await this.#db.transaction(async (conn) => {
          result.local = await applyLocal(conn, run.spec, run.plan, row, outcome.object ?? null);
          await run.outbox.finish(conn, result, outcome.body);
        });
        return result;
      } catch (error) {
        // The API accepted the row: that must be recorded even if the local copy could not follow.
        result.local = 'unchanged';
        const note = `local copy not updated (${errorMessage(error)}); re-sync to see the change`;
        result.note = result.note ? `${result.note}; ${note}` : note;
      }
    }
    await this.#db.exclusive((conn) => run.outbox.finish(conn, result, outcome.body));
    return result;
  }
}
