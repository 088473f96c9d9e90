// Where published datasets live (issue 15): one small interface over a local directory and S3, and the layout's names.
/** An object's size and the storage's own entity tag (quoted), when it has one. */
export interface ObjectInfo {
  size: number;
  etag: string | null;
}

/** Bytes `start`..`end` inclusive, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface ObjectBody extends ObjectInfo {
  /** The whole object, or the range asked for (`size` is still the whole object's); a web stream, so the routes stay runtime-neutral. */
  body: ReadableStream<Uint8Array>;
}

/**
 * Keys are `/`-separated and relative to the publish root (`stripe/manifest.json`,
 * `stripe/customers/v…/part-00000.parquet`); every implementation refuses a key outside the layout.
 */
export interface DatasetTarget {
  /** Where this target writes, for messages; never holds a credential. */
  readonly location: string;
  /** Uploads a finished local file under `key`; it may move the file rather than copy it (the caller is done with it). */
  putFile(key: string, localPath: string): Promise<void>;
  /** Writes `<source>/manifest.json`, replacing the previous one in one step (readers never see half of it). */
  putManifest(source: string, bytes: Uint8Array): Promise<void>;
  /** The object, or null when there is none; with `range`, only those bytes (checked against the size by the caller). */
  get(key: string, range?: ByteRange): Promise<ObjectBody | null>;
  head(key: string): Promise<ObjectInfo | null>;
  /** Names of the immediate children of a prefix (`''`: the root): the "directories" and files under it. */
  children(prefix: string): Promise<string[]>;
  /** Deletes every object under `prefix/`. */
  deletePrefix(prefix: string): Promise<void>;
}

export const MANIFEST = 'manifest.json';
export const DATASET_FORMAT = 'dinobase-dataset/1';

/** Source and table names as the engine makes them (schema and table identifiers), never `.`/`..`. */
const NAME = /^[A-Za-z_][A-Za-z0-9_$-]{0,127}$/;
/** `v<UTC yyyymmddThhmmssZ>-<sync_id first 8 chars>`. */
export const VERSION = /^v\d{8}T\d{6}Z-[0-9a-z]{8}$/;
const FILE = /^part-\d{5}\.parquet$/;

export const isName = (text: string) => NAME.test(text);
export const isVersion = (text: string) => VERSION.test(text);
export const isDataFile = (text: string) => FILE.test(text);

/** A key the layout allows: `<source>/manifest.json` or `<source>/<table>/<version>/part-NNNNN.parquet`, or a prefix of one. */
export function isLayoutKey(key: string): boolean {
  const parts = key.split('/');
  if (parts.length === 0 || !parts.every(Boolean) || !isName(parts[0]!)) return false;
  if (parts.length === 2 && parts[1] === MANIFEST) return true;
  if (parts.length >= 2 && !isName(parts[1]!)) return false;
  if (parts.length >= 3 && !isVersion(parts[2]!)) return false;
  if (parts.length === 4) return isDataFile(parts[3]!);
  return parts.length <= 3;
}

/** `v20261204T173000Z-3f2a9c1b` for a publish at that instant of the sync `syncId`. */
export function versionName(at: Date, syncId: string): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `v${stamp}-${syncId.replace(/-/g, '').slice(0, 8).toLowerCase()}`;
}

/** The `files[].path` of a table's part: relative to `<root>/<source>/`. */
export const partPath = (table: string, version: string, index: number) =>
  `${table}/${version}/part-${String(index).padStart(5, '0')}.parquet`;
