import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, buildUser, TREE, useTestApp } from '../../../test/harness.js';
import { insertHouseholds } from '../modules/linkage/care-fixtures.js';
import { deliverPending } from './outbox-worker.js';
import { REMIND_AFTER_MS, runLinkagePass } from './linkage-worker.js';

const t = useTestApp();
let workerId: string;
let secretaryId: string;

beforeAll(async () => {
  await buildSmallCity(t.db);
  workerId = (await buildUser(t.db, { role: 'grid_worker', node: TREE.gridA1 })).id;
  secretaryId = (await buildUser(t.db, { role: 'community_secretary', node: TREE.communityA1 })).id;
  // 8 households, every 2nd head elderly and alone, registered 30 days ago: 4 overdue weekly visits.
  await insertHouseholds(t.db, { gridCode: TREE.gridA1, count: 8, tagEvery: { elderly_alone: 2 } });
});

describe('linkage worker pass', () => {
  it('flags overdue visits once per due date, to the grid worker and the community', async () => {
    const r1 = await runLinkagePass(t.deps);
    expect(r1.flagged).toBe(4);
    expect((await runLinkagePass(t.deps)).flagged).toBe(0);
    expect((await t.db.query('SELECT 1 FROM visit_flags')).length).toBe(4);
    await deliverPending(t.deps);
    const w = await t.db.query<{ title: string }>(`SELECT title FROM notices WHERE user_id = $1 AND kind = 'visit_overdue'`, [workerId]);
    expect(w).toEqual([{ title: '4 位重点人员走访已逾期' }]);
    const s = await t.db.query(`SELECT 1 FROM notices WHERE user_id = $1 AND kind = 'visit_overdue_community'`, [secretaryId]);
    expect(s.length).toBe(1);
    // A visit moves the due date: the next overdue (a week later) is flagged again.
    await t.db.query(`INSERT INTO visits (city_code, resident_id, node_code, node_path, visitor_id, visited_at, findings)
      SELECT city_code, id, node_code, node_path, $1, now(), 'ok' FROM residents WHERE 'elderly_alone' = ANY(tags) ORDER BY id LIMIT 1`, [workerId]);
    expect((await runLinkagePass(t.deps)).flagged).toBe(0);
    expect((await runLinkagePass(t.deps, new Date(Date.now() + 8 * 86_400_000))).flagged).toBe(1);
  });

  it('fans out notices left sending and reminds owners once after the wait', async () => {
    const [b] = await t.db.query<{ id: number }>(
      `INSERT INTO broadcasts (city_code, node_code, node_path, sender_id, title, body) SELECT '4413', code, path, $1, '测试', '正文' FROM nodes WHERE code = $2 RETURNING id`,
      [secretaryId, TREE.communityA1],
    );
    // No linkage tree yet: the notice is sent to nobody.
    const r = await runLinkagePass(t.deps, new Date(), false);
    expect(r.fannedOut).toBe(0);
    const [row] = await t.db.query<{ status: string }>('SELECT status FROM broadcasts WHERE id = $1', [b!.id]);
    expect(row!.status).toBe('sent');
    const later = await runLinkagePass(t.deps, new Date(Date.now() + REMIND_AFTER_MS + 60_000), false);
    expect(later.reminded).toBe(0);
  });
});
