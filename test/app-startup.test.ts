import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { authPlugin } from '../src/server/plugins/auth.js';
import { loadConfig, ConfigError } from '../src/server/config.js';
import { useTestApp } from './harness.js';

const t = useTestApp();

describe('app start-up rules', () => {
  it('refuses to start when a route declares neither a permission nor public', async () => {
    const app = Fastify();
    await app.register(authPlugin, t.deps);
    await expect(
      app.register(async (a) => {
        a.get('/api/undeclared', async () => 'x');
      }).ready(),
    ).rejects.toThrow(/declares neither a permission nor public/);
  });

  it('every registered API route declares exactly one of permission / public', () => {
    const routes = t.app.printRoutes({ commonPrefix: false });
    expect(routes).toContain('/api/users');
  });

  it('serves health, readiness and the OpenAPI document', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject('/readyz')).json()).toMatchObject({ status: 'ready' });
    const doc = (await t.app.inject('/docs/json')).json();
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths)).toContain('/api/auth/login');
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const res = await t.app.inject('/api/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
  });

  it('rejects bad configuration naming the variable', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ WANGGE_MODE: 'production' })).toThrow(/WANGGE_DATA_KEY/);
    expect(() => loadConfig({ SESSION_IDLE_MINUTES: '0' })).toThrow(/SESSION_IDLE_MINUTES/);
  });
});
