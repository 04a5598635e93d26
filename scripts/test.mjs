// `npm test`: the whole suite — unit, API on PGlite, API on PostgreSQL
// (needs DATABASE_URL), browser journeys in Chromium (needs /usr/bin/chromium).
// Missing PostgreSQL or Chromium is a plain skip locally and a failure with CI=true.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildIfStale, ROOT } from './build-if-stale.mjs';

const CI = process.env.CI === 'true' || process.env.CI === '1';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const out = path.join(ROOT, 'test-results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

// 0. Types: the server, the benchmarks and tests, the web console (vitest strips types without checking them).
if (run('npm', ['run', '--silent', 'typecheck']) !== 0) problems.push('type check failed (npm run typecheck)');

// 1. Unit + API tests (vitest projects: unit, api-pglite, api-postgres when DATABASE_URL is set).
if (!process.env.DATABASE_URL) {
  if (CI) problems.push('DATABASE_URL is not set: the PostgreSQL API suite cannot run (CI=true forbids skipping it)');
  else console.log('\nSKIPPED: API suite on PostgreSQL — set DATABASE_URL=postgres://user:pass@host/db (an account that may CREATE DATABASE) to run it.\n');
}
const vitestJson = path.join(out, 'vitest.json');
const vStatus = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const v = JSON.parse(readFileSync(vitestJson, 'utf8'));
  totals.passed += v.numPassedTests;
  totals.failed += v.numFailedTests;
  totals.skipped += v.numPendingTests + v.numTodoTests;
  if (v.numFailedTestSuites > 0 && v.numFailedTests === 0) problems.push(`${v.numFailedTestSuites} test file(s) failed to run`);
} else problems.push('vitest produced no report');
if (vStatus !== 0 && totals.failed === 0) problems.push(`vitest exited with ${vStatus}`);

// 2. Browser journeys (Playwright with Debian's Chromium).
if (existsSync(path.join(ROOT, 'playwright.config.ts'))) {
  if (!existsSync(CHROMIUM)) {
    if (CI) problems.push(`Chromium not found at ${CHROMIUM}: browser journeys cannot run (CI=true forbids skipping them)`);
    else console.log(`\nSKIPPED: browser journeys — install Chromium (apt-get install chromium) or set CHROMIUM_PATH.\n`);
  } else {
    buildIfStale();
    const pwJson = path.join(out, 'e2e.json');
    const pStatus = run('npx', ['playwright', 'test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson });
    if (existsSync(pwJson)) {
      const s = JSON.parse(readFileSync(pwJson, 'utf8')).stats;
      totals.passed += s.expected + (s.flaky ?? 0);
      totals.failed += s.unexpected;
      totals.skipped += s.skipped;
    } else problems.push('playwright produced no report');
    if (pStatus !== 0 && totals.failed === 0) problems.push(`playwright exited with ${pStatus}`);
  }
}

for (const p of problems) console.log(`ERROR: ${p}`);
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || problems.length > 0 ? 1 : 0);
