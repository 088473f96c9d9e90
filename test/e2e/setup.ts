// Prints the browser console a failed e2e test saw, so a failure on a CI machine can be read without a rerun.
import { afterEach, beforeEach } from 'vitest';
import { capturedConsole } from './browser.ts';

/** Where the next test's lines begin: the first test also owns what the file's beforeAll pages logged. */
let next = 0;

beforeEach((context) => {
  const from = next;
  context.onTestFailed(() => {
    const lines = capturedConsole.slice(from);
    console.log(
      `Browser console during "${context.task.name}" (${lines.length} lines):\n${lines.join('\n')}`,
    );
  });
});

afterEach(() => {
  next = capturedConsole.length;
});
