/**
 * `npm run bench -- <name> [--engine pglite|postgres|both] [...]`: runs bench/<name>.bench.ts.
 * Figures are printed, never asserted.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace('.bench.ts', ''));
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.log(`usage: npm run bench -- <${available.join('|')}> [--engine pglite|postgres|both]`);
  process.exit(name ? 2 : 0);
}
const mod = (await import(`./${name}.bench.ts`)) as { default: (args: string[]) => Promise<void> };
await mod.default(args);
process.exit(0);
