import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../context.js';

/** What the web app needs before sign-in: the mode, the map tiles, the demo logins in demo mode. */
export async function metaRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  app.get('/meta', { config: { public: true }, schema: { tags: ['meta'], summary: 'Installation facts for the web app' } }, async () => {
    const rows = await deps.db.query<{ key: string; value: unknown }>(`SELECT key, value FROM app_meta WHERE key IN ('demo', 'city')`);
    const meta = Object.fromEntries(rows.map((r) => [r.key, r.value])) as { demo?: { logins?: unknown }; city?: unknown };
    return {
      mode: deps.config.mode,
      engine: deps.db.engine,
      tileUrl: deps.config.tileUrl || null,
      city: meta.city ?? null,
      demoLogins: deps.config.mode === 'demo' ? (meta.demo?.logins ?? []) : [],
    };
  });
}
