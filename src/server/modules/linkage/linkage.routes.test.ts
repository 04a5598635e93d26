import { beforeAll, describe, expect, it } from 'vitest';
import { buildNodes, buildSmallCity, clientAs, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { failOn } from '../../../../test/inject-failure.js';
import { deliverPending } from '../../workers/outbox-worker.js';
import { fanOutBroadcast } from './linkage.broadcasts.js';
import { escalateHelpRequests } from './linkage.help.js';
import { insertHouseholds } from './care-fixtures.js';

const t = useTestApp();
const GRID2 = '441302001001002';
let secretary: Client;
let worker: Client;
let otherSecretary: Client;
let streetOfficer: Client;
let households: number[];

interface TreeBody {
  stored: boolean;
  stats: { households: number; groups: { level1: number; level2: number; level3: number; level4: number }; volunteers: number; residents: number };
  groups: { key: string; id: number | null; level: number; parentKey: string | null; name: string; owner: { kind: string; id: string; name: string } | null; households: number; members: number }[];
  violations: { code: string; groupKey?: string; householdId?: number }[];
}

beforeAll(async () => {
  await buildSmallCity(t.db);
  await buildNodes(t.db, [{ code: GRID2, name: '东一社区第二网格' }]);
  households = [
    ...(await insertHouseholds(t.db, { gridCode: TREE.gridA1, count: 30, compound: '幸福小区', volunteerEvery: 5 })),
    ...(await insertHouseholds(t.db, { gridCode: TREE.gridA1, count: 3, compound: '老街', volunteerEvery: 5 })),
    ...(await insertHouseholds(t.db, { gridCode: GRID2, count: 12, compound: '和谐村', volunteerEvery: 5 })),
  ];
  await insertHouseholds(t.db, { gridCode: TREE.gridA2, count: 6, compound: '东二小区' });
  secretary = await clientAs(t, 'community_secretary', TREE.communityA1);
  worker = await clientAs(t, 'grid_worker', TREE.gridA1);
  await clientAs(t, 'grid_worker', GRID2);
  otherSecretary = await clientAs(t, 'community_secretary', TREE.communityA2);
  streetOfficer = await clientAs(t, 'street_officer', TREE.streetA);
});

describe('linkage trees', () => {
  it('401, 404 for another community, 403 for a grid worker proposing, 400 naming the field', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/linkage/communities/${TREE.communityA1}/proposal` })).statusCode).toBe(401);
    expect((await otherSecretary.get(`/api/linkage/communities/${TREE.communityA1}/proposal`)).statusCode).toBe(404);
    expect((await otherSecretary.get(`/api/linkage/communities/${TREE.communityA1}/tree`)).statusCode).toBe(404);
    expect((await worker.get(`/api/linkage/communities/${TREE.communityA1}/proposal`)).statusCode).toBe(403);
    expect((await worker.post(`/api/linkage/communities/${TREE.communityA1}/tree`, {})).statusCode).toBe(403);
    for (const [url, field] of [
      [`/api/linkage/communities/abc/proposal`, 'code'],
      [`/api/linkage/communities/${TREE.communityA1}/proposal?level1Min=0`, 'level1Min'],
      [`/api/linkage/communities/${TREE.communityA1}/proposal?level1Min=9&level1Max=5`, 'level1Min'],
      [`/api/linkage/communities/${TREE.communityA1}/proposal?x=1`, 'x'],
    ] as const) {
      const res = await secretary.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(JSON.stringify(res.json()), url).toContain(field);
    }
    expect((await secretary.post(`/api/linkage/communities/${TREE.communityA1}/tree`, { replace: 'yes' })).statusCode).toBe(400);
    expect((await t.db.query('SELECT 1 FROM linkage_groups')).length).toBe(0);
  });

  it('proposes a full valid tree: every household once, owners chained up to the worker and the secretary', async () => {
    const res = await secretary.get(`/api/linkage/communities/${TREE.communityA1}/proposal`);
    expect(res.statusCode).toBe(200);
    const tree = res.json() as TreeBody;
    expect(tree.stored).toBe(false);
    expect(tree.violations).toEqual([]);
    expect(tree.stats.households).toBe(45);
    // 33 households in grid A1 (the 3 of 老街 join 幸福小区): 4 groups of 8–9; 12 in grid 2: 2 groups of 6.
    expect(tree.stats.groups).toEqual({ level1: 6, level2: 2, level3: 2, level4: 1 });
    expect(tree.groups.filter((g) => g.level === 1).map((g) => g.households).sort()).toEqual([6, 6, 8, 8, 8, 9]);
    expect(tree.groups.find((g) => g.level === 4)!.owner).toMatchObject({ kind: 'user', id: secretary.userId });
    expect(tree.groups.find((g) => g.level === 3 && g.key.endsWith(TREE.gridA1))!.owner).toMatchObject({ kind: 'user', id: worker.userId });
    expect(tree.stats.volunteers / tree.stats.residents).toBeCloseTo(0.2, 1);
    expect((await t.db.query('SELECT 1 FROM linkage_groups')).length).toBe(0);
  });

  it('applies it: rows for groups and members; a second build is 409 unless replacing', async () => {
    const res = await secretary.post(`/api/linkage/communities/${TREE.communityA1}/tree`, {});
    expect(res.statusCode).toBe(200);
    const tree = res.json() as TreeBody;
    expect(tree.stored).toBe(true);
    expect(tree.violations).toEqual([]);
    const per = await t.db.query<{ household_id: number; n: number }>(
      `SELECT m.household_id, count(*)::int AS n FROM linkage_members m JOIN linkage_groups g ON g.id = m.group_id AND g.level = 1 GROUP BY m.household_id`,
    );
    expect(per.length).toBe(45);
    expect(per.every((r) => r.n === 1)).toBe(true);
    const paths = await t.db.query<{ level: number; depth: number }>(`SELECT level, nlevel(path) AS depth FROM linkage_groups WHERE community_code = $1`, [TREE.communityA1]);
    expect(paths.every((p) => Number(p.depth) === 5 - Number(p.level))).toBe(true);
    expect((await secretary.post(`/api/linkage/communities/${TREE.communityA1}/tree`, {})).statusCode).toBe(409);
    const again = await secretary.post(`/api/linkage/communities/${TREE.communityA1}/tree`, { replace: true });
    expect(again.statusCode).toBe(200);
    expect((await t.db.query(`SELECT 1 FROM linkage_groups WHERE community_code = $1`, [TREE.communityA1])).length).toBe(11);
    // The worker reads a group of the grid (linkage.read) but may not change it.
    const l3 = (again.json() as TreeBody).groups.find((g) => g.level === 3 && g.key !== '')!;
    expect((await worker.get(`/api/linkage/groups/${l3.id}`)).statusCode).toBe(200);
  });

  it('hand adjustments are kept and their faults listed, not fixed', async () => {
    const tree = (await secretary.get(`/api/linkage/communities/${TREE.communityA1}/tree`)).json() as TreeBody;
    const l1 = tree.groups.find((g) => g.level === 1)!;
    const group = (await secretary.get(`/api/linkage/groups/${l1.id}`)).json();
    const member = group.members[0];
    expect(member.kind).toBe('household');
    expect((await worker.delete(`/api/linkage/groups/${l1.id}/members/${member.memberId}`)).statusCode).toBe(403);
    expect((await otherSecretary.delete(`/api/linkage/groups/${l1.id}/members/${member.memberId}`)).statusCode).toBe(404);
    const del = await secretary.delete(`/api/linkage/groups/${l1.id}/members/${member.memberId}`);
    expect(del.statusCode).toBe(200);
    let v = ((await secretary.get(`/api/linkage/communities/${TREE.communityA1}/tree`)).json() as TreeBody).violations;
    expect(v).toEqual([expect.objectContaining({ code: 'HOUSEHOLD_UNASSIGNED', householdId: Number(member.id) })]);
    // Put it back; then give the group an owner who is not a member of its parent.
    const bad = await secretary.post(`/api/linkage/groups/${l1.id}/members`, { residentId: 1 });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('residentId');
    expect((await secretary.post(`/api/linkage/groups/${l1.id}/members`, { householdId: Number(member.id) })).statusCode).toBe(200);
    expect((await secretary.post(`/api/linkage/groups/${l1.id}/members`, { householdId: Number(member.id) })).statusCode).toBe(409);
    const [stranger] = await t.db.query<{ id: number }>(`SELECT r.id FROM residents r WHERE r.node_code = $1 AND r.relation = 'spouse' ORDER BY id LIMIT 1`, [GRID2]);
    const patched = await secretary.patch(`/api/linkage/groups/${l1.id}`, { ownerResidentId: Number(stranger!.id), name: '1栋1单元群' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: '1栋1单元群', owner: { kind: 'resident', id: String(stranger!.id) } });
    v = ((await secretary.get(`/api/linkage/communities/${TREE.communityA1}/tree`)).json() as TreeBody).violations;
    expect(v.map((x) => x.code).sort()).toEqual(['OWNER_NOT_IN_GROUP', 'OWNER_NOT_IN_PARENT']);
    expect((await secretary.patch(`/api/linkage/groups/${l1.id}`, { parentId: l1.id })).statusCode).toBe(400);
    expect((await secretary.patch(`/api/linkage/groups/${l1.id}`, {})).statusCode).toBe(400);
    const audit = await t.db.query(`SELECT 1 FROM audit_log WHERE action = 'linkage.group.update' AND resource_id = $1`, [String(l1.id)]);
    expect(audit.length).toBe(1);
    // Rebuild for the notices below.
    expect((await secretary.post(`/api/linkage/communities/${TREE.communityA1}/tree`, { replace: true })).json().violations).toEqual([]);
  });
});

describe('notices down the tree', () => {
  let broadcastId: number;
  let residentClient: Client;
  let residentHousehold: number;

  it('401, 403 for a grid worker, 404 for a group out of scope, 400 naming the field', async () => {
    const tree = (await secretary.get(`/api/linkage/communities/${TREE.communityA1}/tree`)).json() as TreeBody;
    const top = tree.groups.find((g) => g.level === 4)!;
    expect((await t.app.inject({ method: 'POST', url: '/api/linkage/broadcasts', payload: {} })).statusCode).toBe(401);
    expect((await worker.post('/api/linkage/broadcasts', { groupId: top.id, title: 'x', body: 'y' })).statusCode).toBe(403);
    expect((await otherSecretary.post('/api/linkage/broadcasts', { groupId: top.id, title: 'x', body: 'y' })).statusCode).toBe(404);
    for (const [body, field] of [
      [{ title: 'x', body: 'y' }, 'groupId'],
      [{ groupId: top.id, nodeCode: TREE.communityA1, title: 'x', body: 'y' }, 'groupId'],
      [{ groupId: top.id, title: '', body: 'y' }, 'title'],
      [{ groupId: top.id, title: 'x', body: 'y', extra: 1 }, 'extra'],
    ] as const) {
      const res = await secretary.post('/api/linkage/broadcasts', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.json())).toContain(field);
    }
    expect((await t.db.query('SELECT 1 FROM broadcasts')).length).toBe(0);
  });

  it('a storm warning from the community reaches every household; receipts, who has not read, reminders', async () => {
    const tree = (await secretary.get(`/api/linkage/communities/${TREE.communityA1}/tree`)).json() as TreeBody;
    const top = tree.groups.find((g) => g.level === 4)!;
    const res = await secretary.post('/api/linkage/broadcasts', { groupId: top.id, title: '台风预警', body: '今晚有台风，请关好门窗，勿外出。', urgent: true });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'sent', recipients: 45, read: 0, unread: 45, urgent: true });
    broadcastId = res.json().id;
    const rows = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM broadcast_receipts WHERE broadcast_id = $1', [broadcastId]);
    expect(rows[0]!.n).toBe(45);

    // A resident whose account is linked to the registry reads it on the phone.
    residentClient = await clientAs(t, 'resident', TREE.gridA1);
    const [r] = await t.db.query<{ id: number; household_id: number }>(`SELECT id, household_id FROM residents WHERE household_id = $1 AND relation = 'head'`, [households[0]]);
    residentHousehold = Number(r!.household_id);
    await t.db.query('UPDATE residents SET user_id = $1 WHERE id = $2', [residentClient.userId, r!.id]);
    const mine = (await residentClient.get('/api/linkage/my/broadcasts')).json();
    expect(mine.items).toEqual([expect.objectContaining({ id: broadcastId, title: '台风预警', read: false })]);
    expect((await residentClient.post(`/api/linkage/my/broadcasts/999999/read`)).statusCode).toBe(404);
    const read = await residentClient.post(`/api/linkage/my/broadcasts/${broadcastId}/read`);
    expect(read.statusCode).toBe(200);
    const [rc] = await t.db.query<{ read_at: Date; read_by: string }>('SELECT read_at, read_by FROM broadcast_receipts WHERE broadcast_id = $1 AND household_id = $2', [broadcastId, residentHousehold]);
    expect(rc!.read_by).toBe(residentClient.userId);
    // The grid worker confirms one household by phone.
    expect((await worker.post(`/api/linkage/broadcasts/${broadcastId}/receipts/${households[1]}/read`)).statusCode).toBe(200);
    expect((await otherSecretary.get(`/api/linkage/broadcasts/${broadcastId}`)).statusCode).toBe(404);

    const detail = (await secretary.get(`/api/linkage/broadcasts/${broadcastId}`)).json();
    expect(detail).toMatchObject({ recipients: 45, read: 2, unread: 43 });
    expect(detail.groups.reduce((s: number, g: { unread: number }) => s + g.unread, 0)).toBe(43);
    const unread = (await secretary.get(`/api/linkage/broadcasts/${broadcastId}/unread?limit=500`)).json().items;
    expect(unread.length).toBe(43);
    expect(unread.map((u: { householdId: number }) => u.householdId)).not.toContain(residentHousehold);

    // Reminders: owners without accounts → the grid workers of their grids.
    expect((await worker.post(`/api/linkage/broadcasts/${broadcastId}/remind`)).statusCode).toBe(403);
    const remind = await secretary.post(`/api/linkage/broadcasts/${broadcastId}/remind`);
    expect(remind.statusCode).toBe(200);
    expect(remind.json()).toEqual({ groups: 6, notified: 2 });
    await deliverPending(t.deps);
    const notices = await t.db.query<{ title: string; body: string }>(`SELECT title, body FROM notices WHERE user_id = $1 AND kind = 'broadcast_reminder'`, [worker.userId]);
    expect(notices).toEqual([{ title: '通知未读提醒：台风预警', body: expect.stringContaining('4 个联户群') }]);
    const list = (await secretary.get('/api/linkage/broadcasts')).json().items;
    expect(list.map((b: { id: number }) => b.id)).toEqual([broadcastId]);
  });

  it('a node-wide notice fans out chunk by chunk to the same households, once each', async () => {
    const res = await t.db.query<{ id: number }>(
      `INSERT INTO broadcasts (city_code, node_code, node_path, sender_id, title, body) SELECT '4413', code, path, $1, '停水通知', '明日停水' FROM nodes WHERE code = $2 RETURNING id`,
      [streetOfficer.userId, TREE.streetA],
    );
    const id = Number(res[0]!.id);
    const n = await fanOutBroadcast(t.db, id, 2);
    expect(n).toBe(45);
    const [b] = await t.db.query<{ status: string; recipients: number }>('SELECT status, recipients FROM broadcasts WHERE id = $1', [id]);
    expect(b).toEqual({ status: 'sent', recipients: 45 });
    expect(await fanOutBroadcast(t.db, id, 2)).toBe(0);
    const viaApi = await streetOfficer.post('/api/linkage/broadcasts', { nodeCode: TREE.streetA, title: '防汛', body: '注意' });
    expect(viaApi.json()).toMatchObject({ recipients: 45, status: 'sent' });
  });
});

describe('help requests up the tree', () => {
  let requester: Client;
  let sameGroupVolunteer: Client;
  let otherGroupVolunteer: Client;
  let helpId: number;

  async function linkResident(where: string, params: unknown[]): Promise<Client> {
    const c = await clientAs(t, 'resident', TREE.gridA1);
    const [r] = await t.db.query<{ id: number }>(`SELECT r.id FROM residents r WHERE r.user_id IS NULL AND ${where} ORDER BY r.id LIMIT 1`, params);
    await t.db.query('UPDATE residents SET user_id = $1 WHERE id = $2', [c.userId, r!.id]);
    return c;
  }

  beforeAll(async () => {
    const groups = await t.db.query<{ id: number; parent_id: number }>(`SELECT id, parent_id FROM linkage_groups WHERE community_code = $1 AND level = 1 AND node_code = $2 ORDER BY id`, [TREE.communityA1, TREE.gridA1]);
    const [g1, g2] = groups;
    const inGroup = (gid: number, volunteer: boolean) => [
      `r.volunteer = ${volunteer} AND r.household_id IN (SELECT household_id FROM linkage_members WHERE group_id = $1)`,
      [gid] as unknown[],
    ] as const;
    requester = await linkResident(...inGroup(Number(g1!.id), false));
    sameGroupVolunteer = await linkResident(...inGroup(Number(g1!.id), true));
    otherGroupVolunteer = await linkResident(...inGroup(Number(g2!.id), true));
  });

  it('401; a resident without a linked household gets 409; 400 naming the field', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/linkage/help', payload: { title: 'x' } })).statusCode).toBe(401);
    const unlinked = await clientAs(t, 'resident', TREE.gridA1);
    expect((await unlinked.post('/api/linkage/help', { title: '需要买药' })).statusCode).toBe(409);
    const bad = await requester.post('/api/linkage/help', { title: '' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().fields)).toContain('title');
    expect((await worker.post('/api/linkage/help', { title: 'x' })).statusCode).toBe(403);
  });

  it('the own group\'s volunteer sees, claims and completes it; others cannot', async () => {
    const res = await requester.post('/api/linkage/help', { title: '家里老人需要送药', body: '降压药吃完了' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'open', level: 1 });
    helpId = res.json().id;
    await deliverPending(t.deps);
    const told = await t.db.query(`SELECT 1 FROM notices WHERE user_id = $1 AND kind = 'help_request'`, [sameGroupVolunteer.userId]);
    expect(told.length).toBe(1);
    expect((await sameGroupVolunteer.get('/api/linkage/help?view=serve')).json().items.map((h: { id: number }) => h.id)).toEqual([helpId]);
    expect((await otherGroupVolunteer.get('/api/linkage/help?view=serve')).json().items).toEqual([]);
    expect((await otherGroupVolunteer.post(`/api/linkage/help/${helpId}/claim`)).statusCode).toBe(404);
    expect((await requester.post(`/api/linkage/help/${helpId}/claim`)).statusCode).toBe(403);
    const claim = await sameGroupVolunteer.post(`/api/linkage/help/${helpId}/claim`);
    expect(claim.statusCode).toBe(200);
    expect(claim.json()).toMatchObject({ status: 'claimed', escalateAt: null });
    expect((await sameGroupVolunteer.post(`/api/linkage/help/${helpId}/claim`)).statusCode).toBe(409);
    expect((await sameGroupVolunteer.post(`/api/linkage/help/${helpId}/complete`, {})).statusCode).toBe(400);
    const done = await sameGroupVolunteer.post(`/api/linkage/help/${helpId}/complete`, { result: '已送药上门' });
    expect(done.json()).toMatchObject({ status: 'done', result: '已送药上门' });
    const [row] = await t.db.query<{ status: string; claimed_by: string }>('SELECT status, claimed_by FROM help_requests WHERE id = $1', [helpId]);
    expect(row).toEqual({ status: 'done', claimed_by: sameGroupVolunteer.userId });
    expect((await requester.get('/api/linkage/help')).json().items[0]).toMatchObject({ id: helpId, status: 'done' });
  });

  it('an unclaimed request goes up a level after the configured time, then to a case', async () => {
    await t.db.query(`INSERT INTO app_meta (key, value) VALUES ('linkage.help_escalate_minutes', '10') ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
    const id = (await requester.post('/api/linkage/help', { title: '水管爆了需要人帮忙' })).json().id;
    expect(await escalateHelpRequests(t.db, new Date())).toBe(0);
    expect(await escalateHelpRequests(t.db, new Date(Date.now() + 11 * 60_000))).toBe(1);
    const [h] = await t.db.query<{ level: number; escalate_at: Date }>('SELECT level, escalate_at FROM help_requests WHERE id = $1', [id]);
    expect(Number(h!.level)).toBe(2);
    // The volunteer of the neighbouring level-1 group (same compound) now sees it.
    expect((await otherGroupVolunteer.get('/api/linkage/help?view=serve')).json().items.map((x: { id: number }) => x.id)).toContain(id);
    expect(await escalateHelpRequests(t.db, new Date(Date.now() + 22 * 60_000))).toBe(1);
    expect(await escalateHelpRequests(t.db, new Date(Date.now() + 33 * 60_000))).toBe(1);
    const [top] = await t.db.query<{ level: number; escalate_at: Date | null }>('SELECT level, escalate_at FROM help_requests WHERE id = $1', [id]);
    expect(top).toEqual({ level: 4, escalate_at: null });
    expect(await escalateHelpRequests(t.db, new Date(Date.now() + 99 * 60_000))).toBe(0);
    await deliverPending(t.deps);
    expect((await t.db.query(`SELECT 1 FROM notices WHERE user_id = $1 AND kind = 'help_escalated'`, [secretary.userId])).length).toBe(1);

    expect((await otherSecretary.post(`/api/linkage/help/${id}/case`, { categoryCode: 'facility.street_light' })).statusCode).toBe(404);
    expect((await worker.post(`/api/linkage/help/${id}/case`, {})).statusCode).toBe(400);
    const res = await worker.post(`/api/linkage/help/${id}/case`, { categoryCode: 'facility.street_light', description: '居民求助转事件' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('case');
    const [c] = await t.db.query<{ channel: string; node_code: string }>('SELECT channel, node_code FROM cases WHERE id = $1', [res.json().caseId]);
    expect(c).toEqual({ channel: 'linkage', node_code: TREE.gridA1 });
    expect((await worker.post(`/api/linkage/help/${id}/case`, { categoryCode: 'facility.street_light' })).statusCode).toBe(409);
    expect((await worker.get('/api/linkage/help/area')).json().items.length).toBe(2);
  });

  it('the case and the request pointing at it commit together: a failure marking the request leaves no case', async () => {
    const id = (await requester.post('/api/linkage/help', { title: '楼下路灯坏了' })).json().id;
    const cases = async () => (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases`))[0]!.n;
    const before = await cases();
    const restore = await failOn(t.db, 'help_requests', 'UPDATE', `NEW.status = 'case'`);
    try {
      const res = await worker.post(`/api/linkage/help/${id}/case`, { categoryCode: 'facility.street_light' });
      expect(res.statusCode, res.body).toBe(500);
    } finally {
      await restore();
    }
    expect(await cases()).toBe(before);
    const [h] = await t.db.query<{ status: string; case_id: number | null }>('SELECT status, case_id FROM help_requests WHERE id = $1', [id]);
    expect(h).toEqual({ status: 'open', case_id: null });
    // Once nothing fails, both are written, and the case carries the request.
    const res = await worker.post(`/api/linkage/help/${id}/case`, { categoryCode: 'facility.street_light' });
    expect(res.statusCode, res.body).toBe(200);
    expect(await cases()).toBe(before + 1);
    const [c] = await t.db.query<{ id: number; attributes: { help_request_id: number } }>('SELECT id, attributes FROM cases WHERE id = $1', [res.json().caseId]);
    expect(c!.attributes.help_request_id).toBe(id);
    expect(await t.db.query(`SELECT 1 FROM audit_log WHERE action = 'help.to_case' AND resource_id = $1`, [String(id)])).toHaveLength(1);
  });
});
