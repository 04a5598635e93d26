// `npm start`: build what is stale, then run `wangge serve` (PGlite in ./data
// unless DATABASE_URL is set; the demo city on the first start).
import { buildIfStale, ROOT } from './build-if-stale.mjs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

buildIfStale();
process.argv = [process.argv[0], path.join(ROOT, 'dist', 'cli', 'main.js'), 'serve', ...process.argv.slice(2)];
await import(pathToFileURL(path.join(ROOT, 'dist', 'cli', 'main.js')).href);
