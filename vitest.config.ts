import { defineConfig } from 'vitest/config';

/**
 * Projects: `unit` (pure domain, once), `api-pglite` and `api-postgres` (the
 * same API suite on each engine). The postgres project runs only with
 * DATABASE_URL; scripts/test.mjs says so plainly, and fails under CI=true.
 */
const api = ['src/server/**/*.test.ts', 'test/**/*.test.ts'];
const withPostgres = !!process.env.DATABASE_URL;

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/domain/**/*.test.ts', 'src/server/lib/**/*.test.ts', 'src/server/db/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'api-pglite',
          include: api,
          exclude: ['src/server/lib/**', 'src/server/db/**'],
          env: { WANGGE_TEST_ENGINE: 'pglite' },
          globalSetup: ['test/global-setup.ts'],
        },
      },
      ...(withPostgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'api-postgres',
                include: api,
                exclude: ['src/server/lib/**', 'src/server/db/**'],
                env: { WANGGE_TEST_ENGINE: 'postgres' },
                globalSetup: ['test/global-setup-postgres.ts'],
              },
            },
          ]
        : []),
    ],
  },
});
