// GET /api/datasets*: the published datasets (issue 15), read from the publish target with ETags and byte ranges.
import type { Context, Hono } from 'hono';
import { DatasetManifest } from '../contract.ts';
import { ProxyError } from '../errors.ts';
import { MANIFEST, isDataFile, isName, isVersion, type ByteRange, type DatasetTarget } from './target.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';

const readText = (body: ReadableStream<Uint8Array>) => new Response(body).text();

/** The source's manifest, or null when it has none or it does not read as one (then it is not listed). */
export async function readManifest(target: DatasetTarget, source: string): Promise<DatasetManifest | null> {
  const object = await target.get(`${source}/${MANIFEST}`);
  if (!object) return null;
  try {
    const parsed = DatasetManifest.safeParse(JSON.parse(await readText(object.body)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Every source with a readable manifest, by name. */
export async function listManifests(target: DatasetTarget): Promise<DatasetManifest[]> {
  const names = (await target.children('')).filter(isName);
  const manifests = await Promise.all(names.map((name) => readManifest(target, name)));
  return manifests.filter((m): m is DatasetManifest => m !== null);
}

function notFound(what: string): ProxyError {
  return new ProxyError(404, 'unknown_dataset', `No published ${what.slice(0, 200)}.`);
}

/**
 * The version a stored manifest names. The publisher writes it whole (temp file, then rename), so one that is not
 * JSON was cut short or replaced in the target by something else: a clear 502, not an internal error.
 */
function manifestVersion(text: string, source: string): unknown {
  try {
    return (JSON.parse(text) as { version?: unknown }).version;
  } catch {
    throw new ProxyError(
      502,
      'bad_manifest',
      `The manifest of '${source}' in the publish target is not JSON (${text.length} bytes): publish it again.`,
    );
  }
}

/** Whether an If-None-Match header names `etag` (or is `*`); weak tags compare by their value. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * One `bytes=a-b`, `bytes=a-` or `bytes=-n` range within `size`; anything else, several ranges included,
 * is a 416 (the contract: a bad range is refused, never silently widened).
 */
export function parseRange(header: string, size: number): ByteRange {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  const refuse = () =>
    new ProxyError(416, 'bad_range', `Range "${header.slice(0, 100)}" is not within the ${size} bytes.`, {
      'Content-Range': `bytes */${size}`,
    });
  if (!match || (match[1] === '' && match[2] === '')) throw refuse();
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) throw refuse();
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (!Number.isSafeInteger(start) || start >= size || end < start) throw refuse();
  return { start, end };
}

export function mountDatasets(app: Hono, target: DatasetTarget): void {
  app.get('/api/datasets', async (c) => {
    const datasets = (await listManifests(target)).map((m) => ({
      source: m.source,
      source_type: m.source_type,
      version: m.version,
      synced_at: m.synced_at,
      published_at: m.published_at,
      rows: m.rows,
      bytes: m.bytes,
      tables: m.tables.map((t) => ({ name: t.name, rows: t.rows, bytes: t.bytes })),
    }));
    c.header('Cache-Control', 'no-cache');
    return c.json({ datasets });
  });

  app.get('/api/datasets/:source/manifest.json', async (c) => {
    const source = c.req.param('source');
    if (!isName(source)) throw notFound(`dataset '${source}'`);
    const object = await target.get(`${source}/${MANIFEST}`);
    if (!object) throw notFound(`dataset '${source}'`);
    const text = await readText(object.body);
    const etag = `"${String(manifestVersion(text, source))}"`;
    c.header('ETag', etag);
    c.header('Cache-Control', 'no-cache');
    if (matches(c.req.header('if-none-match'), etag)) return c.body(null, 304);
    c.header('Content-Type', 'application/json');
    return c.body(text);
  });

  app.get('/api/datasets/:source/:table/:version/:file', (c) => serveFile(c, target));

  app.all('/api/datasets/*', (c) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD')
      throw new ProxyError(405, 'method_not_allowed', 'Published datasets are read-only here (GET).');
    throw notFound(`file ${c.req.path}`);
  });
}

async function serveFile(c: Context, target: DatasetTarget): Promise<Response> {
  const [source = '', table = '', version = '', file = ''] = ['source', 'table', 'version', 'file'].map(
    (name) => c.req.param(name),
  );
  if (!isName(source) || !isName(table) || !isVersion(version) || !isDataFile(file))
    throw notFound(`file ${c.req.path}`);
  const key = `${source}/${table}/${version}/${file}`;
  const info = await target.head(key);
  if (!info) throw notFound(`file ${c.req.path}`);
  // The manifest's content hash when this file is in the current version, so a reader holding the manifest
  // can ask with If-None-Match before it has the file; older kept versions carry the storage's tag.
  const manifest = await readManifest(target, source);
  const listed = manifest?.tables
    .find((t) => t.name === table)
    ?.files.find((f) => f.path === `${table}/${version}/${file}`);
  const etag = listed ? `"${listed.sha256}"` : info.etag;
  if (etag) c.header('ETag', etag);
  c.header('Accept-Ranges', 'bytes');
  c.header('Cache-Control', IMMUTABLE);
  if (etag && matches(c.req.header('if-none-match'), etag)) return c.body(null, 304);
  const header = c.req.header('range');
  const range = header === undefined ? undefined : parseRange(header, info.size);
  const object = await target.get(key, range);
  if (!object) throw notFound(`file ${c.req.path}`);
  c.header('Content-Type', 'application/vnd.apache.parquet');
  if (!range) {
    c.header('Content-Length', String(info.size));
    return c.body(object.body, 200);
  }
  c.header('Content-Range', `bytes ${range.start}-${range.end}/${info.size}`);
  c.header('Content-Length', String(range.end - range.start + 1));
  return c.body(object.body, 206);
}
