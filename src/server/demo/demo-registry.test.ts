import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, buildUser, TREE, useTestApp } from '../../../test/harness.js';
import { parseIdNumber } from '../../domain/id-number.js';
import { generateDemoRegistry } from './demo-registry.js';

const t = useTestApp();

beforeAll(async () => {
  await buildSmallCity(t.db);
  await buildUser(t.db, { role: 'community_secretary', node: TREE.communityA1, username: 'secretary' });
});

describe('demo registry', () => {
  it('fills the secretary\'s community and its neighbours once, with valid fictitious ID numbers, sealed', async () => {
    const r = await generateDemoRegistry(t.deps);
    expect(r.skipped).toBe(false);
    expect(r.households).toBeGreaterThan(100);
    expect(r.residents).toBeGreaterThan(r.households);
    expect(r.things).toBeGreaterThan(20);
    const grids = await t.db.query<{ node_code: string }>(`SELECT DISTINCT node_code FROM households ORDER BY node_code`);
    expect(grids.map((g) => g.node_code)).toEqual([TREE.gridA1, TREE.gridA2]);
    const rows = await t.db.query<{ id_number_enc: string; birth_date: string; gender: string; tags: string[]; volunteer: boolean }>(
      `SELECT id_number_enc, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, gender, tags, volunteer FROM residents`,
    );
    for (const row of rows) {
      const p = parseIdNumber(t.deps.pd.decrypt(row.id_number_enc));
      expect(p.ok).toBe(true);
      if (p.ok) expect([p.info.birthDate, p.info.gender, ['441302', '441303', '441322', '441323', '441324'].includes(p.info.regionCode)]).toEqual([row.birth_date, row.gender, true]);
    }
    expect(rows.some((r) => r.tags.includes('elderly_alone'))).toBe(true);
    const volunteers = rows.filter((r) => r.volunteer).length / rows.length;
    expect(volunteers).toBeGreaterThan(0.04);
    expect(volunteers).toBeLessThan(0.2);
    // Inside the grid's boundary.
    const [outside] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM households h JOIN nodes n ON n.code = h.node_code WHERE NOT ST_Intersects(n.boundary, h.location)`);
    expect(outside!.n).toBe(0);
    expect((await generateDemoRegistry(t.deps)).skipped).toBe(true);
  });
});
