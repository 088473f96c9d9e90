#!/usr/bin/env node
// `dinobase` (package.json "bin"): runs the TypeScript CLI through tsx, a dependency, so `npx dinobase` works.
import { register } from 'tsx/esm/api';

register();
const { cli } = await import('./main.ts');
await cli();
