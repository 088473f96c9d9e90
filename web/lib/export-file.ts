// Saves an engine export to disk: straight to a file (File System Access API) where the browser has it, else a download.
import type { ExportFormat, ExportResult } from '../../worker/api.ts';
import { Comlink, type Engine } from './engine.ts';

export const EXPORT_CHOICES: { format: ExportFormat; label: string }[] = [
  { format: 'csv', label: 'CSV' },
  { format: 'parquet', label: 'Parquet' },
  { format: 'json', label: 'JSON' },
  { format: 'ndjson', label: 'NDJSON' },
];

const MIME: Record<ExportFormat, string> = {
  parquet: 'application/vnd.apache.parquet',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  csv: 'text/csv',
};

export type ExportTarget = { sql: string } | { table: string };

/** The file name the engine reports too: the table's name, else `dinobase-result`. */
export function exportFileName(target: ExportTarget, format: ExportFormat): string {
  const base = 'table' in target ? target.table.split('.').at(-1)!.replaceAll('"', '') : 'dinobase-result';
  return `${base}.${format}`;
}

interface SaveFilePicker {
  showSaveFilePicker?: (options: {
    suggestedName: string;
    types?: { description: string; accept: Record<string, string[]> }[];
  }) => Promise<FileSystemFileHandle>;
}

/** Where the chunks go: a file being written, or the chunk list a download is built from. */
interface Sink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Asks where to save (must run in the click's user activation, so before any other await). Null when the
 * person dismissed the picker; a download sink when the browser has no picker.
 */
async function openSink(name: string, format: ExportFormat): Promise<Sink | null> {
  const picker = (globalThis as SaveFilePicker).showSaveFilePicker;
  if (picker) {
    let handle: FileSystemFileHandle;
    try {
      handle = await picker({
        suggestedName: name,
        types: [{ description: format.toUpperCase(), accept: { [MIME[format]]: [`.${format}`] } }],
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return null;
      throw error;
    }
    // The file system holds the bytes: the page keeps only the chunk in flight.
    const writable = await handle.createWritable();
    return {
      write: (chunk) => writable.write(chunk as Uint8Array<ArrayBuffer>),
      close: () => writable.close(),
      abort: () => writable.abort(),
    };
  }
  // Without the picker the chunks are kept as a list and become one Blob at the end (Chromium keeps large
  // blobs on disk), then a download through an object URL; they are never joined into one buffer here.
  let chunks: Uint8Array<ArrayBuffer>[] = [];
  return {
    async write(chunk) {
      chunks.push(chunk as Uint8Array<ArrayBuffer>);
    },
    async close() {
      const url = URL.createObjectURL(new Blob(chunks, { type: MIME[format] }));
      chunks = [];
      const link = Object.assign(document.createElement('a'), { href: url, download: name });
      document.body.append(link);
      link.click();
      link.remove();
      // Revoking at once can abort the download in some browsers; a moment later is enough.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
    async abort() {
      chunks = [];
    },
  };
}

export interface ExportProgress {
  bytes: number;
}

let exports = 0;

/**
 * Runs the export in the engine and streams it to the chosen file. `signal` cancels it (the engine stops
 * reading DuckDB, a partial file is discarded). Null when the person dismissed the save dialog.
 */
export async function saveExport(
  engine: Engine,
  target: ExportTarget,
  format: ExportFormat,
  options: { onProgress?: (progress: ExportProgress) => void; signal?: AbortSignal } = {},
): Promise<ExportResult | null> {
  const sink = await openSink(exportFileName(target, format), format);
  if (!sink) return null;
  const queryId = `export-${Date.now()}-${++exports}`;
  const cancel = () => void engine.cancel({ queryId });
  options.signal?.addEventListener('abort', cancel, { once: true });
  let bytes = 0;
  try {
    const result = await engine.exportData({
      ...target,
      format,
      queryId,
      onChunk: Comlink.proxy(async (chunk: Uint8Array) => {
        await sink.write(chunk);
        bytes += chunk.byteLength;
        options.onProgress?.({ bytes });
      }),
    });
    await sink.close();
    return result;
  } catch (error) {
    await sink.abort().catch(() => undefined);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', cancel);
  }
}
