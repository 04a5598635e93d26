// Builds the server (tsc → dist/) and the web console (vite → dist/web/) when
// their sources are newer than the last build. Used by `npm start` and `npm test`.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newest(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(p)) if (e !== 'node_modules') max = Math.max(max, newest(path.join(p, e)));
  return max;
}

function stamp(p) {
  return existsSync(p) ? statSync(p).mtimeMs : 0;
}

export function buildIfStale({ quiet = false } = {}) {
  const run = (script, why) => {
    if (!quiet) process.stderr.write(`building ${why}…\n`);
    execSync(`npm run --silent ${script}`, { cwd: ROOT, stdio: quiet ? 'pipe' : 'inherit' });
  };
  const serverOut = path.join(ROOT, 'dist', 'cli', 'main.js');
  if (stamp(serverOut) < Math.max(newest(path.join(ROOT, 'src')), stamp(path.join(ROOT, 'tsconfig.json')))) run('build:server', 'the server');
  const webOut = path.join(ROOT, 'dist', 'web', 'index.html');
  const webSrc = Math.max(newest(path.join(ROOT, 'web')), newest(path.join(ROOT, 'src', 'domain')));
  if (existsSync(path.join(ROOT, 'web', 'vite.config.ts')) && stamp(webOut) < webSrc) run('build:web', 'the web console');
}
