// Importing local files (picked or dropped): the queue, the dialog's choices, the engine call with progress, replace/append.
import type { FileFormat, ImportFileResult, ImportProgress } from '../../worker/api.ts';
import { ConfigError, errorMessage } from '../../worker/errors.ts';
import { Comlink, type Engine } from '../lib/engine.ts';
import { suggestedTableName } from '../lib/files.ts';

/** The dialog's draft for the file at the head of the queue. */
export interface ImportDraft {
  file: File;
  table: string;
  /** '' lets DuckDB's sniffer choose. */
  delimiter: string;
  header: 'auto' | 'yes' | 'no';
  /** The engine said the name is taken: the dialog offers Replace and Append. */
  taken: string | null;
}

export class FileImport {
  #engine: Engine;
  #onImported: (result: ImportFileResult) => void;
  #queue = $state.raw<File[]>([]);
  #progress = $state.raw<ImportProgress | null>(null);
  #busy = $state(false);
  /** The form's fields: edited in place by the dialog. */
  draft = $state<ImportDraft | null>(null);
  error = $state<string | null>(null);
  /** The last import that went through, for the status line. */
  last = $state.raw<ImportFileResult | null>(null);

  constructor(engine: Engine, onImported: (result: ImportFileResult) => void) {
    this.#engine = engine;
    this.#onImported = onImported;
  }

  get busy() {
    return this.#busy;
  }
  get progress() {
    return this.#progress;
  }
  /** Files still waiting after the one in the dialog. */
  get waiting() {
    return this.#queue.length;
  }

  /** Queues picked or dropped files; the first opens the dialog. */
  add(files: Iterable<File>): void {
    this.#queue = [...this.#queue, ...files];
    if (!this.draft) this.#next();
  }

  #next(): void {
    const [file, ...rest] = this.#queue;
    this.#queue = rest;
    this.error = null;
    this.draft = file
      ? { file, table: suggestedTableName(file.name), delimiter: '', header: 'auto', taken: null }
      : null;
  }

  cancel(): void {
    if (!this.#busy) this.#next();
  }

  /** Imports the draft; a taken name comes back as `taken` so the dialog can ask (replace or append). */
  async run(mode?: 'replace' | 'append'): Promise<void> {
    const draft = this.draft;
    if (!draft || this.#busy) return;
    this.#busy = true;
    this.error = null;
    this.#progress = null;
    try {
      const onProgress = Comlink.proxy((p: ImportProgress) => {
        this.#progress = p;
      });
      const csv = {
        ...(draft.delimiter ? { delimiter: draft.delimiter } : {}),
        ...(draft.header !== 'auto' ? { header: draft.header === 'yes' } : {}),
      };
      const result = await this.#engine.importFile({
        file: draft.file,
        table: draft.table.trim(),
        csv,
        mode,
        onProgress,
      });
      this.last = result;
      this.#onImported(result);
      this.#next();
    } catch (error) {
      if (error instanceof ConfigError && error.code === 'would_replace') draft.taken = error.message;
      else this.error = errorMessage(error);
    } finally {
      this.#busy = false;
      this.#progress = null;
    }
  }
}

export type { FileFormat };
