// `npm start`'s first step: refuse a bad or unsafe configuration before the ~20 s build, not after it.
import { ConfigError, configFromEnv, UnsafeConfigError } from './config.ts';
import { publishConfigFromEnv } from './datasets/config.ts';

try {
  configFromEnv(process.env);
  publishConfigFromEnv(process.env);
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof UnsafeConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
