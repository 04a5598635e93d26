import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, buildUser, TREE, useTestApp } from '../../../test/harness.js';
import { generateDemoCare } from './demo-care.js';

const t = useTestApp();

beforeAll(async () => {
  await buildSmallCity(t.db);
  await buildUser(t.db, { role: 'grid_worker', node: TREE.gridA1, username: 'gridworker' });
  await buildUser(t.db, { role: 'community_secretary', node: TREE.communityA1, username: 'secretary' });
  await buildUser(t.db, { role: 'resident', node: TREE.gridA1, username: 'resident' });
});

describe('demo care', () => {
  it('gives every care screen something true to show, once', async () => {
    expect(await generateDemoCare(t.db)).toEqual({ skipped: false });
    const count = async (sql: string) => Number((await t.db.query<{ n: number }>(sql))[0]!.n);
    expect(await count(`SELECT count(*)::int AS n FROM households WHERE node_code = '${TREE.gridA1}'`)).toBe(60);
    expect(await count(`SELECT count(*)::int AS n FROM visits`)).toBeGreaterThan(3);
    expect(await count(`SELECT count(*)::int AS n FROM patrol_points`)).toBe(120);
    // Both communities of street A have a tree, and trees are valid.
    expect(await count(`SELECT count(DISTINCT community_code)::int AS n FROM linkage_groups`)).toBe(2);
    const rows = await t.db.query<{ id: number; level: number; parent_id: number | null }>(`SELECT id, level, parent_id FROM linkage_groups WHERE community_code = '${TREE.communityA1}'`);
    expect(rows.filter((r) => Number(r.level) === 4).length).toBe(1);
    const [b] = await t.db.query<{ recipients: number; read: number }>(
      `SELECT b.recipients, (SELECT count(*)::int FROM broadcast_receipts rc WHERE rc.broadcast_id = b.id AND rc.read_at IS NOT NULL) AS read FROM broadcasts b`,
    );
    expect(b!.recipients).toBe(60);
    expect(b!.read).toBeGreaterThan(30);
    expect(b!.read).toBeLessThan(60);
    expect(await count(`SELECT count(*)::int AS n FROM help_requests WHERE status = 'open'`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM residents WHERE user_id IS NOT NULL`)).toBe(1);
    expect(await generateDemoCare(t.db)).toEqual({ skipped: true });
  });
});
