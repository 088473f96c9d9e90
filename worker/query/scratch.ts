// The scratch rule: which DDL and writes run directly because their one target is an object in `scratch`.
import type { Token } from '../../common/sql-lexer.ts';
import { SCRATCH_SCHEMA } from '../meta/migrations.ts';

export const SCRATCH_HINT = `DDL is allowed only in the ${SCRATCH_SCHEMA} schema, e.g. CREATE TABLE ${SCRATCH_SCHEMA}.x AS SELECT ...`;

/** `{ok}`: runs directly; `{reason}`: aimed at scratch but refused; null: not a scratch statement at all. */
export type ScratchVerdict = { ok: true } | { ok: false; reason: string } | null;

const MUTATION_VERBS = new Set(['INSERT', 'UPDATE', 'DELETE']);
/** The verbs of a statement the rule lets through: after one, the engine checkpoints (the data is the user's). */
export const SCRATCH_VERBS = new Set([...MUTATION_VERBS, 'CREATE', 'DROP', 'ALTER', 'TRUNCATE']);
/** Object kinds scratch holds; FUNCTION is DuckDB's synonym for MACRO. */
const KINDS = new Set(['TABLE', 'VIEW', 'MACRO', 'FUNCTION']);

const word = (t: Token | undefined, text: string) => t?.kind === 'word' && t.text === text;
const isDot = (t: Token | undefined) => t?.kind === 'symbol' && t.text === '.';

/** A plain or "quoted" name as DuckDB's catalog compares it (case-insensitively); U&"…" and the rest: null. */
function nameOf(t: Token | undefined): string | null {
  if (t?.kind === 'word') return t.text.toLowerCase();
  if (t?.kind === 'ident' && t.text.startsWith('"'))
    return t.text.slice(1, -1).replaceAll('""', '"').toLowerCase();
  return null;
}

/**
 * The index after `scratch.<name>` at `i`, or -1. Exactly two parts: an unqualified name lands in the default
 * schema, and a third part (memory.scratch.t, scratch.t.x) names a catalog this rule does not vouch for.
 */
function scratchName(tokens: Token[], i: number): number {
  if (nameOf(tokens[i]) !== SCRATCH_SCHEMA || !isDot(tokens[i + 1]) || nameOf(tokens[i + 2]) === null)
    return -1;
  return isDot(tokens[i + 3]) || isDot(tokens[i - 1]) ? -1 : i + 3;
}

/** `( INSERT …` anywhere in a body: a data-modifying subquery, which would write outside scratch. */
function nestedWrite(tokens: Token[], from: number): string | null {
  for (let i = Math.max(from, 1); i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'word' && MUTATION_VERBS.has(t.text) && tokens[i - 1]!.kind === 'lparen') return t.text;
  }
  return null;
}

const needsScratch = (verb: string, kind: string) =>
  `${verb} statements are not allowed outside the ${SCRATCH_SCHEMA} schema: synced sources are managed by sync. ` +
  `Name the ${kind.toLowerCase()} ${SCRATCH_SCHEMA}.<name>.`;

function body(tokens: Token[], from: number, verb: string): ScratchVerdict {
  const nested = nestedWrite(tokens, from);
  if (nested) return { ok: false, reason: `A ${nested} nested inside ${verb} is not allowed.` };
  return { ok: true };
}

function create(tokens: Token[]): ScratchVerdict {
  let i = 1;
  if (word(tokens[i], 'OR') && word(tokens[i + 1], 'REPLACE')) i += 2;
  const kind = tokens[i]?.text ?? '';
  if (!KINDS.has(kind) || tokens[i]?.kind !== 'word') return null;
  i++;
  if (word(tokens[i], 'IF') && word(tokens[i + 1], 'NOT') && word(tokens[i + 2], 'EXISTS')) i += 3;
  const end = scratchName(tokens, i);
  if (end < 0) return { ok: false, reason: needsScratch('CREATE', kind) };
  // A foreign key onto a synced table would block the sync's DELETE of the rows it points at.
  if (kind === 'TABLE' && tokens.slice(end).some((t) => word(t, 'REFERENCES'))) {
    return {
      ok: false,
      reason:
        'Scratch tables cannot have foreign keys (REFERENCES): a sync clears and refills the tables they would point at.',
    };
  }
  return body(tokens, end, 'CREATE');
}

function drop(tokens: Token[]): ScratchVerdict {
  let i = 1;
  const kind = tokens[i]?.text ?? '';
  if (!KINDS.has(kind) || tokens[i]?.kind !== 'word') return null;
  i++;
  if (kind === 'MACRO' && word(tokens[i], 'TABLE')) i++;
  if (word(tokens[i], 'IF') && word(tokens[i + 1], 'EXISTS')) i += 2;
  const end = scratchName(tokens, i);
  if (end < 0) return { ok: false, reason: needsScratch('DROP', kind) };
  // One object at a time, and no CASCADE: nothing outside the named object may go with it.
  const rest = tokens.slice(end);
  if (rest.length > 1 || (rest.length === 1 && !word(rest[0], 'RESTRICT'))) {
    return { ok: false, reason: `DROP ${kind} in ${SCRATCH_SCHEMA} takes one name and no CASCADE.` };
  }
  return { ok: true };
}

function alter(tokens: Token[]): ScratchVerdict {
  let i = 1;
  const kind = tokens[i]?.text ?? '';
  if ((kind !== 'TABLE' && kind !== 'VIEW') || tokens[i]?.kind !== 'word') return null;
  i++;
  if (word(tokens[i], 'IF') && word(tokens[i + 1], 'EXISTS')) i += 2;
  const end = scratchName(tokens, i);
  if (end < 0) return { ok: false, reason: needsScratch('ALTER', kind) };
  const rest = tokens.slice(end);
  if (rest.some((t) => word(t, 'SCHEMA'))) {
    return { ok: false, reason: `ALTER ${kind} cannot move an object out of ${SCRATCH_SCHEMA}.` };
  }
  // RENAME TO keeps the schema only with a bare new name.
  if (word(rest[0], 'RENAME') && word(rest[1], 'TO') && (rest.length !== 3 || nameOf(rest[2]) === null)) {
    return {
      ok: false,
      reason: `ALTER ${kind} … RENAME TO takes a bare new name: the object stays in ${SCRATCH_SCHEMA}.`,
    };
  }
  return body(tokens, end, 'ALTER');
}

function truncate(tokens: Token[]): ScratchVerdict {
  const i = word(tokens[1], 'TABLE') ? 2 : 1;
  const end = scratchName(tokens, i);
  if (end < 0 || end !== tokens.length) return { ok: false, reason: needsScratch('TRUNCATE', 'TABLE') };
  return { ok: true };
}

/** INSERT INTO / UPDATE / DELETE FROM `scratch.<name>` at the very start (no WITH, no brackets); else null. */
function write(tokens: Token[], verb: string): ScratchVerdict {
  let i = 1;
  if (
    verb === 'INSERT' &&
    word(tokens[i], 'OR') &&
    (word(tokens[i + 1], 'REPLACE') || word(tokens[i + 1], 'IGNORE'))
  )
    i += 2;
  if (verb === 'INSERT' && !word(tokens[i++], 'INTO')) return null;
  if (verb === 'DELETE' && !word(tokens[i++], 'FROM')) return null;
  const end = scratchName(tokens, i);
  return end < 0 ? null : body(tokens, end, verb);
}

/** Judges a statement whose first token (tokens[0]) is `verb`. */
export function scratchVerdict(tokens: Token[], verb: string): ScratchVerdict {
  if (!word(tokens[0], verb)) return null;
  switch (verb) {
    case 'CREATE':
      return create(tokens);
    case 'DROP':
      return drop(tokens);
    case 'ALTER':
      return alter(tokens);
    case 'TRUNCATE':
      return truncate(tokens);
    case 'INSERT':
    case 'UPDATE':
    case 'DELETE':
      return write(tokens, verb);
    default:
      return null;
  }
}
