import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATEGORY_CODE_PATTERN, CATEGORY_KINDS, catalogueSql, deadlineProblems, DEFAULT_CATALOGUE, MAX_CATEGORY_DEPTH } from './category-catalogue.js';
import { DEPARTMENT_KINDS } from './departments.js';
import { HANDLING_LEVELS, type Deadlines } from './routing.js';

const codes = DEFAULT_CATALOGUE.map((c) => c.code);
const parents = new Set(DEFAULT_CATALOGUE.map((c) => c.parentCode).filter(Boolean));
const leaves = DEFAULT_CATALOGUE.filter((c) => !parents.has(c.code));

describe('default category catalogue', () => {
  it('migration 0011 is exactly the rendered catalogue', () => {
    const file = readFileSync(new URL('../../migrations/0011_category_catalogue.sql', import.meta.url), 'utf8');
    expect(file.endsWith(catalogueSql())).toBe(true);
    expect(file.slice(0, file.length - catalogueSql().length)).toMatch(/^(--.*\n|\n)*$/);
  });

  it('is a sound tree: unique valid codes, parents first, code = parent code + label', () => {
    expect(new Set(codes).size).toBe(codes.length);
    const seen = new Set<string>();
    for (const c of DEFAULT_CATALOGUE) {
      expect(c.code, c.code).toMatch(new RegExp(CATEGORY_CODE_PATTERN));
      expect(c.code.split('.').length).toBeLessThanOrEqual(MAX_CATEGORY_DEPTH);
      if (c.parentCode) {
        expect(seen.has(c.parentCode), c.code).toBe(true);
        expect(c.code.startsWith(c.parentCode + '.') && !c.code.slice(c.parentCode.length + 1).includes('.'), c.code).toBe(true);
      } else expect(c.code).not.toContain('.');
      seen.add(c.code);
    }
  });

  it('has the size the issue asks for and covers GB/T 30428 and the governance kinds', () => {
    const top = DEFAULT_CATALOGUE.filter((c) => !c.parentCode).map((c) => c.code);
    expect(top.length).toBeGreaterThanOrEqual(12);
    expect(top.length).toBeLessThanOrEqual(18);
    expect(leaves.length).toBeGreaterThanOrEqual(60);
    expect(leaves.length).toBeLessThanOrEqual(90);
    for (const t of ['city_env', 'advertising', 'construction', 'street_order', 'emergency', 'facility', 'road_traffic', 'greenery', 'housing_land', 'other', 'dispute', 'security', 'safety', 'livelihood', 'care', 'suggestion', 'wish'])
      expect(top).toContain(t);
    for (const c of ['city_env.exposed_garbage', 'advertising.small_ads', 'street_order.occupied_business', 'facility.manhole_cover', 'facility.street_light', 'dispute.neighbour', 'dispute.family', 'dispute.property_mgmt', 'dispute.land', 'dispute.labour.wage_arrears', 'dispute.medical', 'livelihood.water', 'livelihood.power', 'livelihood.gas', 'livelihood.schooling', 'livelihood.medical_care', 'livelihood.social_security'])
      expect(codes).toContain(c);
    expect(DEFAULT_CATALOGUE.some((c) => c.code.split('.').length === 3)).toBe(true);
  });

  it('every category has names, valid defaults and keywords on its leaves', () => {
    for (const c of DEFAULT_CATALOGUE) {
      expect(c.nameZh.length, c.code).toBeGreaterThan(0);
      expect(c.nameEn.length, c.code).toBeGreaterThan(0);
      expect(CATEGORY_KINDS).toContain(c.kind);
      expect(HANDLING_LEVELS).toContain(c.defaultLevel);
      expect(deadlineProblems(c.defaultDeadlines, 'd'), c.code).toEqual([]);
      if (c.defaultDepartmentKind) expect(DEPARTMENT_KINDS).toContain(c.defaultDepartmentKind);
      expect(c.duplicateRadiusM).toBeGreaterThanOrEqual(30);
      expect(c.duplicateWindowHours).toBeGreaterThanOrEqual(24);
      expect(c.duplicateWindowHours).toBeLessThanOrEqual(168);
    }
    for (const l of leaves) expect(l.keywords.length, l.code).toBeGreaterThan(0);
  });

  it('applies the deadline policy: 72 h by default, emergencies shorter, suggestions and wishes in working days', () => {
    const by = (code: string) => DEFAULT_CATALOGUE.find((c) => c.code === code)!;
    expect(by('city_env.exposed_garbage').defaultDeadlines.handle).toEqual({ amount: 72, unit: 'hours' });
    expect(by('emergency.gas_leak').defaultDeadlines.handle.amount).toBeLessThanOrEqual(24);
    expect(by('emergency.gas_leak').defaultDeadlines.accept.amount).toBeLessThanOrEqual(0.5);
    expect(by('safety.fire.blocked_passage').defaultDeadlines.handle).toEqual({ amount: 24, unit: 'hours' });
    expect(by('suggestion.public_service').defaultDeadlines.handle.unit).toBe('workdays');
    expect(by('wish.study').defaultDeadlines.handle.unit).toBe('workdays');
    expect(by('facility.manhole_cover').photoRequiredOnResolve).toBe(true);
    expect(by('dispute.neighbour').photoRequiredOnResolve).toBe(false);
    expect(by('advertising.small_ads')).toMatchObject({ defaultLevel: 'grid', defaultDepartmentKind: null });
  });
});

describe('deadlineProblems', () => {
  const ok: Deadlines = { accept: { amount: 0.5, unit: 'hours' }, sign: { amount: 1, unit: 'hours' }, handle: { amount: 3, unit: 'workdays' } };
  const fields = (d: Deadlines) => deadlineProblems(d, 'deadlines').map((p) => p.field);

  it('accepts sound deadlines, mixing units', () => {
    expect(deadlineProblems(ok, 'deadlines')).toEqual([]);
    expect(fields({ ...ok, accept: { amount: 72, unit: 'hours' } })).toEqual([]);
  });

  it('names the amount that is zero, negative, too long or a fraction of a working day', () => {
    expect(fields({ ...ok, accept: { amount: 0, unit: 'hours' } })).toEqual(['deadlines.accept.amount']);
    expect(fields({ ...ok, sign: { amount: -1, unit: 'hours' } })).toEqual(['deadlines.sign.amount']);
    expect(fields({ ...ok, handle: { amount: 721, unit: 'hours' } })).toEqual(['deadlines.handle.amount']);
    expect(fields({ ...ok, handle: { amount: 61, unit: 'workdays' } })).toEqual(['deadlines.handle.amount']);
    expect(fields({ ...ok, handle: { amount: 1.5, unit: 'workdays' } })).toEqual(['deadlines.handle.amount']);
    expect(fields({ ...ok, handle: { amount: 720, unit: 'hours' } })).toEqual([]);
    expect(fields({ ...ok, handle: { amount: 60, unit: 'workdays' } })).toEqual([]);
    expect(fields({ ...ok, handle: { amount: 1, unit: 'weeks' as 'hours' } })).toEqual(['deadlines.handle.unit']);
  });

  it('refuses accepting or signing that takes longer than handling', () => {
    expect(fields({ ...ok, accept: { amount: 4, unit: 'workdays' } })).toEqual(['deadlines.accept']);
    expect(fields({ accept: { amount: 1, unit: 'hours' }, sign: { amount: 80, unit: 'hours' }, handle: { amount: 72, unit: 'hours' } })).toEqual(['deadlines.sign']);
  });
});
