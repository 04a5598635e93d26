// Empties the e2e data folder before the web server starts, so every run
// creates the demo city afresh. This runs as part of the webServer command:
// Playwright starts its webServer BEFORE globalSetup, so a globalSetup would
// delete the folder under a running server.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';

const dir = path.resolve(process.argv[2] ?? 'tmp/e2e-data');
if (!dir.includes(`${path.sep}tmp${path.sep}`)) throw new Error(`refusing to delete ${dir}: not under a tmp folder`);
rmSync(dir, { recursive: true, force: true });
for (const built of ['dist/cli/main.js', 'dist/web/index.html']) {
  if (!existsSync(built)) {
    process.stderr.write(`e2e: ${built} is missing; run \`npm run build\` first.\n`);
    process.exit(1);
  }
}
