import { describe, expect, it } from 'vitest';
import { buildSmallCity, buildUser, signIn, TEST_PASSWORD, TREE, useTestApp } from '../../../../test/harness.js';

const t = useTestApp({ sessionIdleMinutes: 30 });

describe('auth', () => {
  it('signs in by username and by phone, returns the user with roles', async () => {
    await buildSmallCity(t.db);
    const u = await buildUser(t.db, { role: 'dispatcher', node: TREE.districtA, phone: '13812345678' });
    for (const login of [u.username, '13812345678']) {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login, password: TEST_PASSWORD } });
      expect(res.statusCode).toBe(200);
      const cookie = res.cookies.find((c) => c.name === 'wangge_session')!;
      expect(cookie.httpOnly).toBe(true);
      const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', cookies: { wangge_session: cookie.value } });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ username: u.username, phone: '138****5678', roles: [{ role: 'dispatcher', nodeCode: TREE.districtA }] });
    }
  });

  it('rejects bad input naming the field', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: 'password', reason: 'is required' }] });
  });

  it('locks the account after 5 failures for 15 minutes', async () => {
    const u = await buildUser(t.db, { role: 'grid_worker', node: TREE.gridA1 });
    for (let i = 0; i < 4; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: u.username, password: 'wrong' } });
      expect(r.statusCode).toBe(401);
    }
    const fifth = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: u.username, password: 'wrong' } });
    expect(fifth.statusCode).toBe(423);
    const right = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: u.username, password: TEST_PASSWORD } });
    expect(right.statusCode).toBe(423);
    const [row] = await t.db.query<{ minutes: number }>(`SELECT extract(epoch FROM locked_until - now()) / 60 AS minutes FROM users WHERE id = $1`, [u.id]);
    expect(row!.minutes).toBeGreaterThan(14);
    expect(row!.minutes).toBeLessThanOrEqual(15);
    const audit = await t.db.query(`SELECT result FROM audit_log WHERE actor_id = $1 AND action = 'auth.login'`, [u.id]);
    expect(audit.length).toBe(5);
  });

  it('ends a session after the idle timeout', async () => {
    const u = await buildUser(t.db, { role: 'grid_worker', node: TREE.gridA1 });
    const c = await signIn(t.app, u);
    expect((await c.get('/api/auth/me')).statusCode).toBe(200);
    await t.db.query(`UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE user_id = $1`, [u.id]);
    const res = await c.get('/api/auth/me');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHENTICATED');
    expect(await t.db.query(`SELECT 1 FROM sessions WHERE user_id = $1`, [u.id])).toHaveLength(0);
  });

  it('ends a session past its absolute lifetime', async () => {
    const u = await buildUser(t.db, { role: 'grid_worker', node: TREE.gridA1 });
    const c = await signIn(t.app, u);
    await t.db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [u.id]);
    expect((await c.get('/api/auth/me')).statusCode).toBe(401);
  });

  it('refuses writes without the CSRF token', async () => {
    const u = await buildUser(t.db, { role: 'grid_worker', node: TREE.gridA1 });
    const c = await signIn(t.app, u);
    const res = await c.request('POST', '/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'New-pass-456' }, { 'x-csrf-token': 'nope' });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('CSRF_TOKEN_INVALID');
  });

  it('changes the password under the password rules', async () => {
    const u = await buildUser(t.db, { role: 'grid_worker', node: TREE.gridA1 });
    const c = await signIn(t.app, u);
    const weak = await c.post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'password' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().fields[0].field).toBe('newPassword');
    const ok = await c.post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'New-pass-456' });
    expect(ok.statusCode).toBe(200);
    await signIn(t.app, { username: u.username, password: 'New-pass-456' });
  });

  it('answers 401 to a protected route without a session', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/password', payload: {} });
    expect(res.statusCode).toBe(401);
  });
});

describe('session cache', () => {
  const cached = useTestApp({ sessionCacheSeconds: 30 });
  it('reuses a checked session for a while, but sign-out ends it at once', async () => {
    await buildSmallCity(cached.db);
    const u = await buildUser(cached.db, { role: 'grid_worker', node: TREE.gridA1 });
    const c = await signIn(cached.app, u);
    expect((await c.get('/api/auth/me')).statusCode).toBe(200);
    // Deleted behind the app's back: the cached check still answers within the cache time…
    await cached.db.query('UPDATE sessions SET last_seen_at = now() - interval \'2 hours\' WHERE user_id = $1', [u.id]);
    expect((await c.get('/api/auth/me')).statusCode).toBe(200);
    // …but a sign-out through the app is immediate.
    expect((await c.post('/api/auth/logout')).statusCode).toBe(200);
    expect((await c.get('/api/auth/me')).statusCode).toBe(401);
  });
});
