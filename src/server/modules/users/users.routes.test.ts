import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, buildUser, clientAs, signIn, TREE, useTestApp, type Client } from '../../../../test/harness.js';

const t = useTestApp();
let admin: Client;
let districtAdmin: Client;

beforeAll(async () => {
  await buildSmallCity(t.db);
  admin = await clientAs(t, 'administrator', TREE.city);
  districtAdmin = await clientAs(t, 'administrator', TREE.districtA);
});

const newUser = (over: Record<string, unknown> = {}) => ({
  username: `u${Math.random().toString(36).slice(2, 8)}`,
  displayName: '张三',
  phone: '13900001111',
  password: 'Strong-pass-1',
  roles: [{ role: 'grid_worker', nodeCode: TREE.gridA1 }],
  ...over,
});

describe('users', () => {
  it('401 without a session', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/users' })).statusCode).toBe(401);
  });

  it('403 for a role without user.create', async () => {
    const gw = await clientAs(t, 'grid_worker', TREE.gridA1);
    expect((await gw.post('/api/users', newUser({ phone: undefined }))).statusCode).toBe(403);
  });

  it('creates a user with roles, phone encrypted and masked, must change password', async () => {
    const body = newUser();
    const res = await districtAdmin.post('/api/users', body);
    expect(res.statusCode).toBe(201);
    const u = res.json();
    expect(u).toMatchObject({ username: body.username, phone: '139****1111', roles: [{ role: 'grid_worker', nodeCode: TREE.gridA1 }] });
    const [row] = await t.db.query<Record<string, unknown>>('SELECT * FROM users WHERE id = $1', [u.id]);
    expect(String(row!.phone_enc)).not.toContain('13900001111');
    expect(row!.must_change_password).toBe(true);
    expect(String(row!.password_hash)).toMatch(/^\$argon2id\$/);
    const audit = await t.db.query(`SELECT 1 FROM audit_log WHERE action = 'user.create' AND resource_id = $1`, [u.id]);
    expect(audit).toHaveLength(1);
    const login = await signIn(t.app, { username: '13900001111', password: body.password });
    expect((await login.get('/api/auth/me')).json().mustChangePassword).toBe(true);
  });

  it('400 naming the field for bad input', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [newUser({ username: '1bad' }), 'username'],
      [newUser({ phone: '12345' }), 'phone'],
      [newUser({ password: 'short' }), 'password'],
      [newUser({ roles: [] }), 'roles'],
      [newUser({ roles: [{ role: 'wizard', nodeCode: TREE.gridA1 }] }), 'roles.0.role'],
      [newUser({ roles: [{ role: 'department_staff', nodeCode: TREE.districtA }] }), 'roles.0.departmentId'],
      [newUser({ extra: 1 }), 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await districtAdmin.post('/api/users', body);
      expect(res.statusCode, field).toBe(400);
      expect(res.json().fields.map((f: { field: string }) => f.field), field).toContain(field);
    }
  });

  it('a district administrator cannot grant roles outside its district (404) nor see users there', async () => {
    const res = await districtAdmin.post('/api/users', newUser({ phone: undefined, roles: [{ role: 'grid_worker', nodeCode: TREE.communityB1 }] }));
    expect(res.statusCode).toBe(404);
    expect(res.json().fields[0].field).toBe('roles.0.nodeCode');
    const other = await buildUser(t.db, { role: 'grid_worker', node: TREE.communityB1 });
    expect((await districtAdmin.get(`/api/users/${other.id}`)).statusCode).toBe(404);
    expect((await admin.get(`/api/users/${other.id}`)).statusCode).toBe(200);
    const list = (await districtAdmin.get('/api/users?pageSize=200')).json();
    expect(list.items.some((u: { id: string }) => u.id === other.id)).toBe(false);
  });

  it('a district administrator may not change a user who also holds a city role (403)', async () => {
    const u = await buildUser(t.db, { role: 'leader', node: TREE.city });
    await t.db.query(`INSERT INTO role_assignments (city_code, user_id, role, node_code) VALUES ('4413', $1, 'grid_worker', $2)`, [u.id, TREE.gridA1]);
    expect((await districtAdmin.get(`/api/users/${u.id}`)).statusCode).toBe(200);
    expect((await districtAdmin.patch(`/api/users/${u.id}`, { displayName: 'X' })).statusCode).toBe(403);
  });

  it('409 on a taken username or phone', async () => {
    const body = newUser({ phone: '13900002222' });
    expect((await admin.post('/api/users', body)).statusCode).toBe(201);
    const again = await admin.post('/api/users', { ...body, phone: undefined });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('USERNAME_TAKEN');
    const phone = await admin.post('/api/users', newUser({ phone: '13900002222' }));
    expect(phone.json().code).toBe('PHONE_TAKEN');
  });

  it('grants and revokes roles, unlocks, resets the password, disables', async () => {
    const u = await buildUser(t.db, { role: 'grid_worker', node: TREE.gridA1 });
    const added = await admin.post(`/api/users/${u.id}/roles`, { role: 'grid_leader', nodeCode: TREE.communityA1 });
    expect(added.statusCode).toBe(201);
    const roleId = added.json().roles.find((r: { role: string }) => r.role === 'grid_leader').id;
    expect((await admin.post(`/api/users/${u.id}/roles`, { role: 'grid_leader', nodeCode: TREE.communityA1 })).statusCode).toBe(409);
    expect((await admin.delete(`/api/users/${u.id}/roles/${roleId}`)).json().roles).toHaveLength(1);
    await t.db.query(`UPDATE users SET locked_until = now() + interval '10 minutes' WHERE id = $1`, [u.id]);
    expect((await admin.post(`/api/users/${u.id}/unlock`)).json().lockedUntil).toBeNull();
    const reset = await admin.post(`/api/users/${u.id}/password-reset`);
    await signIn(t.app, { username: u.username, password: reset.json().oneTimePassword });
    expect((await admin.patch(`/api/users/${u.id}`, { status: 'disabled' })).json().status).toBe('disabled');
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: u.username, password: reset.json().oneTimePassword } });
    expect(login.statusCode).toBe(401);
  });

  it('reveals a phone only with the permission, and logs it with the reason', async () => {
    const u = await buildUser(t.db, { role: 'grid_worker', node: TREE.gridA1, phone: '13700003333' });
    const leader = await clientAs(t, 'leader', TREE.city);
    expect((await leader.post(`/api/users/${u.id}/reveal-phone`, { reason: 'call back' })).statusCode).toBe(403);
    expect((await admin.post(`/api/users/${u.id}/reveal-phone`, {})).statusCode).toBe(400);
    const res = await admin.post(`/api/users/${u.id}/reveal-phone`, { reason: '回访核实' });
    expect(res.json()).toEqual({ phone: '13700003333' });
    const [log] = await t.db.query<{ detail: { reason: string }; actor_id: string }>(
      `SELECT detail, actor_id FROM audit_log WHERE action = 'user.reveal_phone' AND resource_id = $1`,
      [u.id],
    );
    expect(log!.detail.reason).toBe('回访核实');
    expect(log!.actor_id).toBe(admin.userId);
  });
});

describe('departments', () => {
  it('creates, lists by visibility, updates; scope and validation', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/departments' })).statusCode).toBe(401);
    const res = await districtAdmin.post('/api/departments', { nodeCode: TREE.districtA, name: '惠城区公安分局', kind: 'police' });
    expect(res.statusCode).toBe(201);
    const id = res.json().id;
    expect((await districtAdmin.post('/api/departments', { nodeCode: TREE.districtA, name: '惠城区公安分局', kind: 'police' })).statusCode).toBe(409);
    expect((await districtAdmin.post('/api/departments', { nodeCode: TREE.districtB, name: 'X', kind: 'police' })).statusCode).toBe(404);
    const bad = await districtAdmin.post('/api/departments', { nodeCode: TREE.districtA, name: 'X', kind: 'wizards' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields[0].field).toBe('kind');
    // A grid worker below sees the district department (to call it in), but may not create one.
    const gw = await clientAs(t, 'grid_worker', TREE.gridA1);
    expect((await gw.get('/api/departments')).json().items.map((d: { id: number }) => d.id)).toContain(id);
    expect((await gw.post('/api/departments', { nodeCode: TREE.gridA1, name: 'Y', kind: 'other' })).statusCode).toBe(403);
    // Someone in the other district does not.
    const otherGw = await clientAs(t, 'grid_worker', TREE.communityB1);
    expect((await otherGw.get(`/api/departments/${id}`)).statusCode).toBe(404);
    const staff = await buildUser(t.db, { role: 'department_staff', node: TREE.districtA, departmentId: id });
    const got = (await districtAdmin.get(`/api/departments/${id}`)).json();
    expect(got.memberList.map((m: { id: string }) => m.id)).toContain(staff.id);
    const upd = await districtAdmin.patch(`/api/departments/${id}`, { status: 'retired' });
    expect(upd.json().status).toBe('retired');
  });
});

describe('audit log', () => {
  it('records writes and denials; readable by administrators and leaders only', async () => {
    const gw = await clientAs(t, 'grid_worker', TREE.gridA1);
    expect((await gw.get('/api/audit')).statusCode).toBe(403);
    const list = (await admin.get('/api/audit?limit=500')).json().items as { action: string; result: string; statusCode: number }[];
    expect(list.some((e) => e.action === 'POST /api/users' && e.result === 'ok')).toBe(true);
    expect(list.some((e) => e.result === 'denied' && e.statusCode === 403)).toBe(true);
    expect((await admin.get('/api/audit?limit=0')).statusCode).toBe(400);
  });
});
