#!/usr/bin/env node
// Runs the compiled CLI (npm run build, or npm start, compiles it).
import { existsSync } from 'node:fs';
const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('wangge is not built yet: run `npm run build` (npm start does it for you).\n');
  process.exit(1);
}
await import(main.href);
