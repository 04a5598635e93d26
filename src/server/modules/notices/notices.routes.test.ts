import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, buildUser, signIn, TREE, useTestApp, type Client, type TestUser } from '../../../../test/harness.js';
import { deliverPending } from '../../workers/outbox-worker.js';

const t = useTestApp();
let alice: Client;
let bob: Client;
let aliceUser: TestUser;
let bobUser: TestUser;
let caseId: number;

/** An outbox message the way a case action writes it; the worker turns it into notices. */
async function enqueue(notify: { userIds: string[]; kind: string; title: string; body?: string }[], topic = 'case.dispatched') {
  await t.db.query(`INSERT INTO outbox (city_code, topic, payload) VALUES ('4413', $1, $2)`, [topic, JSON.stringify({ caseId, number: '4413202501010000001', action: 'dispatch', notify })]);
}

beforeAll(async () => {
  await buildSmallCity(t.db);
  aliceUser = await buildUser(t.db, { role: 'grid_worker', node: TREE.gridA1 });
  bobUser = await buildUser(t.db, { role: 'community_secretary', node: TREE.communityA1 });
  alice = await signIn(t.app, aliceUser);
  bob = await signIn(t.app, bobUser);
  const [c] = await t.db.query<{ id: number }>(
    `INSERT INTO cases (city_code, number, status, channel, category_code, category_path, description, node_code, node_path)
     VALUES ('4413', '4413202501010000001', 'dispatched', 'h5', 'city_env.noise', 'city_env.noise', '噪音', $1, $2::ltree) RETURNING id`,
    [TREE.gridA1, '44.4413.441302.441302001.441302001001.441302001001001'],
  );
  caseId = c!.id;
  await enqueue([{ userIds: [aliceUser.id], kind: 'assignment', title: '新派遣 4413202501010000001', body: '广场舞噪音' }]);
  await enqueue([{ userIds: [aliceUser.id, bobUser.id], kind: 'supervision', title: '督办 4413202501010000001' }], 'case.supervised');
  await enqueue([{ userIds: [bobUser.id], kind: 'supervision_superior', title: '下级督办 4413202501010000001' }], 'case.supervision_superior');
  const r = await deliverPending(t.deps);
  expect(r).toMatchObject({ messages: 3, notices: 4 });
});

describe('GET /api/notices', () => {
  it('401 without a session; 403 for an account without any role; 400 naming the field', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/notices' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/notices/unread-count' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/notices/read-all' })).statusCode).toBe(401);
    const roleless = await signIn(t.app, await buildUser(t.db, {}));
    expect((await roleless.get('/api/notices')).statusCode).toBe(403);
    for (const [url, field] of [['/api/notices?page=0', 'page'], ['/api/notices?pageSize=1000', 'pageSize'], ['/api/notices?unread=maybe', 'unread'], ['/api/notices?x=1', 'x']] as const) {
      const res = await alice.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(JSON.stringify(res.json().fields), url).toContain(field);
    }
  });

  it('lists only your own notices, newest first, with the case number; pages', async () => {
    const res = await alice.get('/api/notices');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ total: 2, unread: 2, page: 1, pageSize: 20 });
    expect(body.items.map((n: { kind: string }) => n.kind)).toEqual(['supervision', 'assignment']);
    expect(body.items[1]).toMatchObject({ title: '新派遣 4413202501010000001', body: '广场舞噪音', caseId, caseNumber: '4413202501010000001', read: false, readAt: null });
    const page2 = (await alice.get('/api/notices?pageSize=1&page=2')).json();
    expect(page2.items.map((n: { kind: string }) => n.kind)).toEqual(['assignment']);
    const bobs = (await bob.get('/api/notices')).json();
    expect(bobs.items.map((n: { kind: string }) => n.kind).sort()).toEqual(['supervision', 'supervision_superior']);
  });
});

describe('reading notices', () => {
  it('someone else\'s notice is 404 and stays unread', async () => {
    const [bobsNotice] = await t.db.query<{ id: number }>(`SELECT id FROM notices WHERE user_id = $1 AND kind = 'supervision_superior'`, [bobUser.id]);
    const res = await alice.post(`/api/notices/${bobsNotice!.id}/read`);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOTICE_NOT_FOUND');
    expect((await alice.post('/api/notices/999999999/read')).statusCode).toBe(404);
    expect((await alice.post('/api/notices/abc/read')).statusCode).toBe(400);
    const [row] = await t.db.query<{ read_at: Date | null }>('SELECT read_at FROM notices WHERE id = $1', [bobsNotice!.id]);
    expect(row!.read_at).toBeNull();
  });

  it('marks one read, then all; unread counts follow', async () => {
    expect((await alice.get('/api/notices/unread-count')).json()).toEqual({ unread: 2 });
    const [first] = (await alice.get('/api/notices')).json().items;
    const res = await alice.post(`/api/notices/${first.id}/read`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: first.id, read: true });
    const [row] = await t.db.query<{ read_at: Date | null }>('SELECT read_at FROM notices WHERE id = $1', [first.id]);
    expect(row!.read_at).toBeInstanceOf(Date);
    // Reading again keeps the first read time.
    expect((await alice.post(`/api/notices/${first.id}/read`)).json().readAt).toBe(row!.read_at!.toISOString());
    expect((await alice.get('/api/notices/unread-count')).json()).toEqual({ unread: 1 });
    const unread = (await alice.get('/api/notices?unread=true')).json();
    expect(unread).toMatchObject({ total: 1, unread: 1 });
    expect(unread.items.map((n: { kind: string }) => n.kind)).toEqual(['assignment']);

    const all = await alice.post('/api/notices/read-all');
    expect(all.statusCode).toBe(200);
    expect(all.json()).toEqual({ marked: 1, unread: 0 });
    expect((await alice.get('/api/notices/unread-count')).json()).toEqual({ unread: 0 });
    // Bob's inbox is untouched.
    expect((await bob.get('/api/notices/unread-count')).json()).toEqual({ unread: 2 });
    const rows = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM notices WHERE user_id = $1 AND read_at IS NULL', [bobUser.id]);
    expect(rows[0]!.n).toBe(2);
  });

  it('a retried outbox message never doubles a notice', async () => {
    await t.db.query(`UPDATE outbox SET delivered_at = NULL`);
    const r = await deliverPending(t.deps);
    expect(r).toMatchObject({ messages: 3, notices: 0 });
    const [{ n }] = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM notices')) as [{ n: number }];
    expect(n).toBe(4);
  });
});
