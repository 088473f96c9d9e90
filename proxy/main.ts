// `npm start` entry: serves the built app and API on HOST:PORT (default 127.0.0.1:8787) and prints the URL.
import { startServer } from './server.ts';

const port = Number(process.env.PORT ?? 8787);
const sandbox = !['0', 'false', 'off', 'no'].includes((process.env.DINOBASE_SANDBOX ?? '').toLowerCase());
const hostname = process.env.HOST ?? '127.0.0.1';

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer between 0 and 65535, got "${process.env.PORT}".`);
  process.exit(1);
}

try {
  const { url } = await startServer({ port, hostname, sandbox });
  console.log(`Dinobase is running at ${url}`);
  if (sandbox)
    console.log(
      `Sandbox APIs (Stripe, HubSpot, Linear, GitHub) are at ${url}/sandbox/ — no credentials needed.`,
    );
  if (hostname !== '127.0.0.1' && hostname !== 'localhost') {
    console.log(
      'Note: browsers only allow OPFS storage on https:// or on localhost/127.0.0.1 (a secure context).',
    );
  }
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(
    code === 'EADDRINUSE'
      ? `Port ${port} on ${hostname} is already in use; set PORT to another one.`
      : String(error),
  );
  process.exit(1);
}
