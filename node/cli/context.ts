// One CLI run's surroundings: environment, streams, the database (opened on first use) and the credential store.
import { resolve } from 'node:path';
import { DinobaseDB } from '../../worker/db.ts';
import { openWith } from '../../worker/duckdb/node.ts';
import { defaultDatabasePath, defaultHome } from '../../worker/home.ts';
import { CredentialStore } from '../credentials.ts';
import { pretty, scrub, toJson, type Stream } from './output.ts';

export interface Io {
  stdout: Stream;
  stderr: Stream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  env: Record<string, string | undefined>;
}

export class Context {
  readonly io: Io;
  readonly env: Record<string, string | undefined>;
  readonly home: string;
  readonly dbPath: string;
  readonly pretty: boolean;
  #db: DinobaseDB | null = null;
  #store: CredentialStore | null = null;
  /** Values typed or passed on this command line, masked like stored ones. */
  #extraSecrets: string[] = [];

  constructor(io: Io, options: { db?: string; pretty?: boolean }) {
    this.io = io;
    this.env = io.env;
    this.home = defaultHome(io.env);
    this.dbPath = options.db
      ? options.db === ':memory:'
        ? options.db
        : resolve(options.db)
      : defaultDatabasePath(io.env);
    this.pretty = options.pretty ?? false;
  }

  /** The database, on native DuckDB (a file that persists), opened on first use. */
  get db(): DinobaseDB {
    this.#db ??= new DinobaseDB(this.dbPath, { open: openWith('native') });
    return this.#db;
  }

  get store(): CredentialStore {
    this.#store ??= new CredentialStore({ home: this.home, env: this.env });
    return this.#store;
  }

  addSecret(value: string): void {
    this.#extraSecrets.push(value);
  }

  async #secrets(): Promise<string[]> {
    let stored: string[] = [];
    try {
      stored = await this.store.secretValues();
    } catch {
      // An unreadable store holds nothing this run could print; `doctor` reports it.
    }
    // The store already resolves DINOBASE_<SOURCE>_<FIELD> overrides; the server's login token is the other secret.
    const fromEnv = this.env.DINOBASE_TOKEN ? [this.env.DINOBASE_TOKEN] : [];
    return [...stored, ...fromEnv, ...this.#extraSecrets];
  }

  /** Prints a result: JSON (default) or the --pretty text, never with a secret in it. */
  async emit(value: unknown, prettyText?: string): Promise<void> {
    const text = this.pretty ? (prettyText ?? pretty(value)) : toJson(value);
    this.io.stdout.write(`${scrub(text, await this.#secrets())}\n`);
  }

  /** A message for people on stderr, scrubbed like everything else. */
  async warn(message: string): Promise<void> {
    this.io.stderr.write(`${scrub(message, await this.#secrets())}\n`);
  }

  async close(): Promise<void> {
    await this.#db?.close();
  }
}
