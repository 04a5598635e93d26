import { defineConfig } from '@playwright/test';

/**
 * Browser journeys against the real server in demo mode, on Debian's Chromium
 * (browsers cannot be downloaded here). Build first: `npm run build` makes
 * dist/cli/main.js and dist/web. The first start creates the demo city in a
 * fresh data folder, hence the long web-server timeout.
 */
const PORT = Number(process.env.E2E_PORT || 3987);
/** Several engineers may run journeys at once: another E2E_PORT gets its own data folder and results file. */
const SUFFIX = PORT === 3987 ? '' : `-${PORT}`;
/** Emptied before each run by e2e/fresh-data-dir.mjs (part of the webServer command, see there why). */
const E2E_DATA_DIR = `tmp/e2e-data${SUFFIX}`;

export default defineConfig({
  testDir: 'e2e',
  // Generous: a journey is a dozen steps, and a busy 2-core machine makes argon2 and PGlite slow.
  timeout: 240_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: `test-results/e2e${SUFFIX}.json` }]],
  outputDir: `test-results/artifacts${SUFFIX}`,
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    headless: true,
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      // Debian's Chromium; scripts/test.mjs honours the same CHROMIUM_PATH override.
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: `node e2e/fresh-data-dir.mjs ${E2E_DATA_DIR} && node dist/cli/main.js serve --port ${PORT}`,
    url: `http://127.0.0.1:${PORT}/readyz`,
    // The first start builds the demo city with its cases, households and linkage groups: about a minute on an
    // idle machine, several on a busy one.
    timeout: 480_000,
    reuseExistingServer: false,
    // E2E_LOG_LEVEL=info shows the server's request log (on stdout) beside the journeys.
    stdout: process.env.E2E_LOG_LEVEL ? 'pipe' : 'ignore',
    stderr: 'pipe',
    env: {
      // E2E_DATABASE_URL (a fresh database; .ci/run makes one) or else the embedded database in a fresh
      // folder. Never DATABASE_URL: that is the API suite's admin connection.
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? '',
      // The clock sweep runs as in production (E2E_SWEEP=off turns it off). It was off for a while because a browser
      // sign-in "hung" after the case journeys; the cause was the sign-in button's name (see SignInPage), not the sweep.
      WANGGE_SWEEP: process.env.E2E_SWEEP ?? 'on',
      WANGGE_DATA_DIR: E2E_DATA_DIR,
      WANGGE_MODE: 'demo',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      HOST: '127.0.0.1',
    },
  },
});
