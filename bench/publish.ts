// Issue 15: publishing 1M Stripe-shaped customers (Parquet, hash, upload, manifest) vs native DuckDB's raw COPY of the same table.
import { mkdtempSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Publisher, ROW_GROUP_ROWS } from '../node/publish/publisher.ts';
import { DEFAULT_FILE_MB } from '../proxy/datasets/config.ts';
import { DirectoryTarget } from '../proxy/datasets/dir-target.ts';
import { DinobaseDB } from '../worker/db.ts';
import { openWith } from '../worker/duckdb/node.ts';
import { median, ms, type Row } from './stats.ts';

const ROWS = 1_000_000;
const RUNS = 7;

/**
 * The columns a Stripe customer syncs to (nested objects flattened with __, metadata kept as JSON text), with
 * hashed values where real data varies (ids, emails, names, times, amounts): a regular pattern would
 * compress far better than real customers do, and understate the bytes published.
 */
/** A pseudo-random whole number in [0, n) per row, `k` picking the column (hash gives UBIGINT, lists index by BIGINT). */
const h = (k: number, n: number) => `(hash(i, ${k}) % ${n})::BIGINT`;

const CUSTOMERS = `CREATE TABLE stripe.customers AS SELECT
  'cus_' || substr(md5(i::VARCHAR), 1, 14) AS id,
  'customer' AS object,
  substr(md5('e' || i), 1, 10) || '@' || ['gmail.com', 'example.com', 'acme.io', 'corp.net'][1 + ${h(0, 4)}] AS email,
  ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken', 'Linus', 'Margaret'][1 + ${h(1, 8)}] || ' ' ||
    upper(substr(md5('n' || i), 1, 1)) || substr(md5('n' || i), 2, 7) AS name,
  CASE WHEN ${h(2, 5)} = 0 THEN NULL ELSE 'Account ' || ${h(3, 100000)} END AS description,
  '+1-' || lpad(${h(4, 1000)}::VARCHAR, 3, '0') || '-' || lpad(${h(5, 10000)}::VARCHAR, 4, '0') AS phone,
  TIMESTAMP '2020-01-01' + to_seconds(${h(6, 200000000)}) AS created,
  ['usd', 'eur', 'gbp'][1 + ${h(7, 3)}] AS currency,
  ${h(8, 100000)} - 50000 AS balance,
  ${h(9, 13)} = 0 AS delinquent,
  false AS livemode,
  ['US', 'DE', 'FR', 'GB', 'JP'][1 + ${h(10, 5)}] AS address__country,
  'City ' || ${h(11, 20000)} AS address__city,
  lpad(${h(12, 99999)}::VARCHAR, 5, '0') AS address__postal_code,
  '{"tier":"' || ['free', 'pro', 'team'][1 + ${h(13, 3)}] || '","seats":' || ${h(14, 50)} || '}' AS metadata,
  CASE WHEN ${h(15, 4)} = 0 THEN 'pm_' || substr(md5('p' || i), 1, 14) END AS invoice_settings__default_payment_method
FROM range(${ROWS}) t(i)`;

export async function benchPublish(): Promise<Row[]> {
  const home = mkdtempSync(join(tmpdir(), 'dinobase-bench-publish-'));
  const staging = join(home, 'staging');
  const native = openWith('native');
  const db = new DinobaseDB(join(home, 'dinobase.duckdb'), {
    open: (options) => native({ ...options, exportDir: staging }),
  });
  try {
    await db.addSource({ name: 'stripe', type: 'stripe' });
    await db.run('CREATE SCHEMA stripe');
    await db.run(CUSTOMERS);
    await db.checkpoint();
    const publisher = new Publisher(db, {
      target: new DirectoryTarget(join(home, 'published')),
      stagingDir: staging,
      keep: 2,
    });
    const conn = await (await db.database()).connect();
    const raw = join(staging, 'raw');
    const ordered = join(staging, 'ordered.parquet');
    const settings = `FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}`;
    // The same writer settings as the publisher's, FILE_SIZE_BYTES included (it makes DuckDB use its parallel,
    // unordered COPY_TO_FILE rather than the ordered BATCH_COPY_TO_FILE), so the ratio is what publishing adds
    // to writing the files. DuckDB refuses to write into a directory that is not empty.
    const copy = async () => {
      await rm(raw, { recursive: true, force: true });
      const started = performance.now();
      await conn.query(
        `COPY (SELECT * FROM stripe.customers) TO '${raw}' (${settings}, FILE_SIZE_BYTES ${DEFAULT_FILE_MB * 2 ** 20})`,
      );
      return performance.now() - started;
    };
    /** The one ordered file the publisher wrote before it cut tables into files: what rolling costs or saves. */
    const copyOrdered = async () => {
      const started = performance.now();
      await conn.query(`COPY (SELECT * FROM stripe.customers) TO '${ordered}' (${settings})`);
      return performance.now() - started;
    };
    await publisher.publish('stripe');
    await copy();
    await copyOrdered();
    const ours: number[] = [];
    const baseline: number[] = [];
    const orderedTimes: number[] = [];
    let bytes = 0;
    const publish = async () => {
      const started = performance.now();
      const manifest = await publisher.publish('stripe');
      ours.push(performance.now() - started);
      if (manifest.rows !== ROWS) throw new Error(`published ${manifest.rows} rows`);
      bytes = manifest.bytes;
    };
    const rawCopy = async () => void baseline.push(await copy());
    const orderedCopy = async () => void orderedTimes.push(await copyOrdered());
    // Interleaved, the order turned every other round, so load on this shared machine falls on all alike.
    for (let i = 0; i < RUNS; i++) {
      const round = [publish, rawCopy, orderedCopy];
      for (const run of i % 2 ? round.reverse() : round) await run();
    }
    let rawBytes = 0;
    for (const name of await readdir(raw)) rawBytes += (await stat(join(raw, name))).size;
    await conn.close();
    const ratio = median(ours) / median(baseline);
    return [
      {
        benchmark: `Publish ${ROWS / 1e6}M Stripe-shaped customers to a directory vs raw COPY TO parquet (zstd, FILE_SIZE_BYTES), native`,
        ours: ms(median(ours)),
        baseline: ms(median(baseline)),
        ratio: `${ratio.toFixed(2)}×`,
        goal: '≤ 1.2×',
        verdict: ratio <= 1.2 ? 'yes' : 'no',
      },
      {
        benchmark: `Published bytes per customer row (${(bytes / 1e6).toFixed(1)} MB for ${ROWS / 1e6}M rows)`,
        ours: `${(bytes / ROWS).toFixed(1)} B`,
        baseline: `${(rawBytes / ROWS).toFixed(1)} B`,
        ratio: `${(bytes / rawBytes).toFixed(2)}×`,
        goal: 'report',
        verdict: '-',
      },
      {
        benchmark: `Raw COPY with FILE_SIZE_BYTES (parallel, rows unordered) vs to one ordered file, native`,
        ours: ms(median(baseline)),
        baseline: ms(median(orderedTimes)),
        ratio: `${(median(baseline) / median(orderedTimes)).toFixed(2)}×`,
        goal: 'report',
        verdict: '-',
      },
    ];
  } finally {
    await db.close();
    await rm(home, { recursive: true, force: true });
  }
}
