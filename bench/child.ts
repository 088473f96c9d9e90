// Bench processes of their own (the sandbox, the proxy, the bare pipe): started, and their address read off their stdout.
import { spawn } from 'node:child_process';

/**
 * Runs `node --import tsx <args>` with `env` added, and resolves once its stdout prints `announce`'s first group
 * (its address), with a way to stop it; rejects if it exits first.
 */
export async function startAnnounced(
  args: string[],
  env: Record<string, string>,
  announce: RegExp,
  name: string,
): Promise<{ address: string; stop(): void }> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const address = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = announce.exec(buffer);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return { address, stop: () => child.kill() };
}
