import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, clientAs, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { DEFAULT_CATALOGUE } from '../../../domain/category-catalogue.js';

const t = useTestApp();
let admin: Client;
let districtAdmin: Client;
let resident: Client;

beforeAll(async () => {
  await buildSmallCity(t.db);
  [admin, districtAdmin, resident] = await Promise.all([
    clientAs(t, 'administrator', TREE.city),
    clientAs(t, 'administrator', TREE.districtA),
    clientAs(t, 'resident', TREE.gridA1),
  ]);
});

interface Tree {
  code: string;
  active: boolean;
  children: Tree[];
}
const fieldsOf = (res: { json(): { fields?: { field: string }[] } }) => (res.json().fields ?? []).map((f) => f.field);

describe('reading the catalogue', () => {
  it('401 without a session; a resident reads the seeded tree (for the report form)', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/categories' })).statusCode).toBe(401);
    const res = await resident.get('/api/categories');
    expect(res.statusCode).toBe(200);
    const tops = res.json().items as Tree[];
    expect(tops.map((c) => c.code)).toEqual(DEFAULT_CATALOGUE.filter((c) => !c.parentCode).map((c) => c.code));
    const dispute = tops.find((c) => c.code === 'dispute')!;
    const family = dispute.children.find((c) => c.code === 'dispute.family')!;
    expect(family.children.map((c) => c.code)).toEqual(['dispute.family.marriage', 'dispute.family.support', 'dispute.family.inheritance', 'dispute.family.domestic_violence']);
  });

  it('a flat list in tree order, with the seeded defaults in camelCase', async () => {
    const items = (await resident.get('/api/categories?flat=true')).json().items as Record<string, unknown>[];
    expect(items.map((c) => c.code)).toEqual(DEFAULT_CATALOGUE.map((c) => c.code));
    expect(items.find((c) => c.code === 'facility.manhole_cover')).toMatchObject({
      parentCode: 'facility',
      depth: 2,
      nameZh: '井盖破损缺失',
      kind: 'component',
      defaultLevel: 'district',
      defaultDepartmentKind: 'housing',
      defaultDeadlines: { accept: { amount: 0.5, unit: 'hours' }, handle: { amount: 24, unit: 'hours' } },
      photoRequiredOnResolve: true,
      duplicateRadiusM: 30,
      attributes: [],
      active: true,
    });
  });

  it('one category with its subtree; 404 unknown; 400 for a malformed code or query', async () => {
    const res = await resident.get('/api/categories/dispute.labour');
    expect(res.statusCode).toBe(200);
    expect(res.json().children.map((c: Tree) => c.code)).toEqual(['dispute.labour.wage_arrears', 'dispute.labour.contract', 'dispute.labour.work_injury']);
    expect((await resident.get('/api/categories/dispute.nothing')).statusCode).toBe(404);
    const bad = await resident.get('/api/categories/Dispute');
    expect(bad.statusCode).toBe(400);
    expect(fieldsOf(bad)).toEqual(['code']);
    expect(fieldsOf(await resident.get('/api/categories?active=maybe'))).toEqual(['active']);
  });
});

describe('changing the catalogue', () => {
  const wish = { parentCode: 'wish', label: 'repairs', nameZh: '小修小补', nameEn: 'Small repairs', keywords: ['维修'] };

  it('403 for roles without category.manage, and for an administrator below city level', async () => {
    expect((await resident.post('/api/categories', wish)).statusCode).toBe(403);
    const res = await districtAdmin.post('/api/categories', wish);
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/city level/);
    expect((await districtAdmin.patch('/api/categories/wish', { sort: 1 })).statusCode).toBe(403);
    expect(await t.db.query(`SELECT 1 FROM categories WHERE code = 'wish.repairs'`)).toHaveLength(0);
  });

  it('400 naming the field for bad input', async () => {
    const deadlines = { accept: { amount: 2, unit: 'hours' }, sign: { amount: 4, unit: 'hours' }, handle: { amount: 72, unit: 'hours' } };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...wish, label: 'Repairs' }, 'label'],
      [{ ...wish, label: '9lives' }, 'label'],
      [{ ...wish, label: 'a'.repeat(32) }, 'label'],
      [{ ...wish, parentCode: 'wish.nothing' }, 'parentCode'],
      [{ ...wish, parentCode: null }, 'kind'],
      [{ ...wish, nameZh: '' }, 'nameZh'],
      [{ ...wish, defaultLevel: 'planet' }, 'defaultLevel'],
      [{ ...wish, defaultDepartmentKind: 'wizards' }, 'defaultDepartmentKind'],
      [{ ...wish, defaultDeadlines: { ...deadlines, accept: { amount: 0, unit: 'hours' } } }, 'defaultDeadlines.accept.amount'],
      [{ ...wish, defaultDeadlines: { ...deadlines, handle: { amount: 721, unit: 'hours' } } }, 'defaultDeadlines.handle.amount'],
      [{ ...wish, defaultDeadlines: { ...deadlines, handle: { amount: 61, unit: 'workdays' } } }, 'defaultDeadlines.handle.amount'],
      [{ ...wish, defaultDeadlines: { ...deadlines, accept: { amount: 4, unit: 'workdays' } } }, 'defaultDeadlines.accept'],
      [{ ...wish, defaultDeadlines: { ...deadlines, sign: { amount: 4, unit: 'weeks' } } }, 'defaultDeadlines.sign.unit'],
      [{ ...wish, duplicateRadiusM: -1 }, 'duplicateRadiusM'],
      [{ ...wish, colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await admin.post('/api/categories', body);
      expect(res.statusCode, field).toBe(400);
      expect(fieldsOf(res), field).toContain(field);
    }
    expect(fieldsOf(await admin.patch('/api/categories/wish', {}))).toEqual(['body']);
    expect(fieldsOf(await admin.patch('/api/categories/wish', { defaultDeadlines: { ...deadlines, sign: { amount: 73, unit: 'hours' } } }))).toEqual(['defaultDeadlines.sign']);
  });

  it('creates a category under a parent, inheriting its defaults; 409 for a taken code; audit row', async () => {
    const res = await admin.post('/api/categories', wish);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ code: 'wish.repairs', parentCode: 'wish', kind: 'wish', defaultLevel: 'community', defaultDeadlines: { handle: { amount: 30, unit: 'workdays' } }, keywords: ['维修'], children: [] });
    const [row] = await t.db.query<{ path: string; default_level: string; parent_code: string }>(`SELECT path::text AS path, default_level, parent_code FROM categories WHERE code = 'wish.repairs'`);
    expect(row).toEqual({ path: 'wish.repairs', default_level: 'community', parent_code: 'wish' });
    const dup = await admin.post('/api/categories', wish);
    expect(dup.statusCode).toBe(409);
    expect(fieldsOf(dup)).toEqual(['label']);
    const audit = await t.db.query<{ actor_id: string }>(`SELECT actor_id FROM audit_log WHERE action = 'category.create' AND resource_id = 'wish.repairs'`);
    expect(audit).toEqual([{ actor_id: admin.userId }]);
    const top = await admin.post('/api/categories', {
      label: 'epidemic',
      nameZh: '疫情防控',
      nameEn: 'Epidemic control',
      kind: 'hazard',
      defaultLevel: 'community',
      defaultDeadlines: { accept: { amount: 1, unit: 'hours' }, sign: { amount: 2, unit: 'hours' }, handle: { amount: 24, unit: 'hours' } },
    });
    expect(top.statusCode).toBe(201);
    expect(top.json()).toMatchObject({ code: 'epidemic', parentCode: null, defaultDepartmentKind: null, photoRequiredOnResolve: false });
  });

  it('edits defaults; deactivation and reactivation apply to the subtree; no reactivation under an inactive parent', async () => {
    const upd = await admin.patch('/api/categories/dispute.labour', { nameEn: 'Labour disputes', defaultDepartmentKind: 'justice', keywords: ['劳动'], duplicateWindowHours: 96 });
    expect(upd.statusCode).toBe(200);
    expect(upd.json()).toMatchObject({ nameEn: 'Labour disputes', defaultDepartmentKind: 'justice', keywords: ['劳动'], duplicateWindowHours: 96 });
    const [log] = await t.db.query<{ detail: { before: Record<string, unknown> } }>(`SELECT detail FROM audit_log WHERE action = 'category.update' AND resource_id = 'dispute.labour'`);
    expect(log!.detail.before).toMatchObject({ nameEn: 'Labour dispute', defaultDepartmentKind: 'human_resources' });

    const off = await admin.patch('/api/categories/dispute.labour', { active: false });
    expect(off.json().children.every((c: Tree) => !c.active)).toBe(true);
    const inactive = await t.db.query<{ code: string }>(`SELECT code FROM categories WHERE NOT active AND code LIKE 'dispute%' ORDER BY code`);
    expect(inactive.map((r) => r.code)).toEqual(['dispute.labour', 'dispute.labour.contract', 'dispute.labour.wage_arrears', 'dispute.labour.work_injury']);
    const active = (await resident.get('/api/categories?flat=true&active=true')).json().items.map((c: Tree) => c.code);
    expect(active).not.toContain('dispute.labour.contract');
    expect(active).toContain('dispute.medical');

    const refused = await admin.patch('/api/categories/dispute.labour.contract', { active: true });
    expect(refused.statusCode).toBe(409);
    expect(fieldsOf(refused)).toEqual(['active']);
    expect((await admin.post('/api/categories', { parentCode: 'dispute.labour', label: 'x', nameZh: 'x', nameEn: 'x' })).statusCode).toBe(400);

    const on = await admin.patch('/api/categories/dispute.labour', { active: true });
    expect(on.json().children.every((c: Tree) => c.active)).toBe(true);
    expect((await admin.patch('/api/categories/nothing.here', { sort: 1 })).statusCode).toBe(404);
  });
});
