// A prompt on the terminal that does not echo what is typed (for keys), used only when stdin is a TTY.
import type { Io } from './context.ts';

/** Reads one line from the terminal; with `hidden` the characters are not shown. */
export function askHidden(io: Io, question: string, hidden = true): Promise<string> {
  const { stdin, stderr } = io;
  return new Promise((resolve, reject) => {
    let value = '';
    const raw = hidden && typeof stdin.setRawMode === 'function';
    // Echo goes off before the question shows, so nothing typed after it can appear.
    if (raw) stdin.setRawMode!(true);
    stderr.write(question);
    stdin.resume();
    const done = (error?: Error) => {
      stdin.removeListener('data', onData);
      if (raw) stdin.setRawMode!(false);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('Cancelled.'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
        if (!hidden) stderr.write(ch);
      }
    };
    stdin.on('data', onData);
  });
}
