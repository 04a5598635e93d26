import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildNodes, buildSmallCity, clientAs, squareWkt, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { formatReport, importBoundariesFile } from '../../../cli/commands/import-boundaries.js';
import { silentProgress } from '../../../cli/progress.js';
import { AppError } from '../../errors.js';

const t = useTestApp();

let admin: Client;
let adminB: Client;
let secretary: Client;

/** Communities of their own for this file: C6 (114.11–114.13 × 23.01–23.03) and C7 (114.15–114.17 × 23.01–23.03). */
const C6 = '441302001006';
const C7 = '441302001007';
const C8 = '441302001008';

function rect(x0: number, y0: number, x1: number, y1: number) {
  return { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] };
}
function feature(properties: Record<string, unknown>, geometry: unknown = rect(114.111, 23.011, 114.119, 23.019)) {
  return { type: 'Feature', properties, geometry };
}
const fc = (...features: unknown[]) => ({ type: 'FeatureCollection', features });

async function boundaryOf(code: string): Promise<string | null> {
  const [row] = await t.db.query<{ wkt: string | null }>(`SELECT ST_AsText(boundary, 6) AS wkt FROM nodes WHERE code = $1`, [code]);
  return row?.wkt ?? null;
}
async function childrenOf(code: string) {
  return t.db.query<{ code: string; name: string; kind: string; level: string; source: string; households: number | null; has_boundary: boolean }>(
    `SELECT code, name, kind, level, source, households, boundary IS NOT NULL AS has_boundary FROM nodes WHERE parent_code = $1 ORDER BY code`,
    [code],
  );
}
async function importAudits() {
  return t.db.query<{ actor_id: string | null; actor_name: string; detail: Record<string, unknown> }>(
    `SELECT actor_id, actor_name, detail FROM audit_log WHERE action = 'boundary.import' ORDER BY id`,
  );
}

beforeAll(async () => {
  await buildSmallCity(t.db);
  await buildNodes(t.db, [
    { code: C6, name: '东六社区', wkt: squareWkt(114.12, 23.02, 0.01) },
    { code: `${C6}001`, name: '东六第一网格', wkt: squareWkt(114.115, 23.015, 0.005) },
    { code: C7, name: '东七社区', wkt: squareWkt(114.16, 23.02, 0.01) },
    { code: `${C7}001`, name: '东七旧网格', status: 'retired' },
    { code: C8, name: '东八社区' },
  ]);
  admin = await clientAs(t, 'administrator', null);
  adminB = await clientAs(t, 'administrator', TREE.districtB);
  secretary = await clientAs(t, 'community_secretary', C6);
});

const url = (dryRun?: boolean) => `/api/boundaries/import${dryRun === undefined ? '' : `?dryRun=${dryRun}`}`;

describe('POST /api/boundaries/import: access and input', () => {
  it('answers 401 without a session and 403 without node.import', async () => {
    expect((await t.app.inject({ method: 'POST', url: url(), payload: fc() })).statusCode).toBe(401);
    const res = await secretary.post(url(), fc(feature({ code: `${C6}001` })));
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });

  it('answers 400 for anything but a non-empty FeatureCollection', async () => {
    const cases: [unknown, string, string][] = [
      [feature({ code: C6 }), 'GEOJSON_INVALID', 'type'],
      [rect(1, 1, 2, 2), 'GEOJSON_INVALID', 'type'],
      [{ type: 'FeatureCollection' }, 'GEOJSON_INVALID', 'features'],
      [{ type: 'FeatureCollection', features: [] }, 'GEOJSON_INVALID', 'features'],
      [{ features: [] }, 'VALIDATION_FAILED', 'type'],
      [[1, 2], 'VALIDATION_FAILED', 'body'],
    ];
    for (const [body, code, field] of cases) {
      const res = await admin.post(url(), body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code, JSON.stringify(body)).toBe(code);
      expect(res.json().fields[0].field, JSON.stringify(body)).toBe(field);
    }
    const dry = await admin.post('/api/boundaries/import?dryRun=perhaps', fc(feature({ code: C6 })));
    expect(dry.statusCode).toBe(400);
    expect(dry.json().fields[0].field).toBe('dryRun');
  });
});

describe('POST /api/boundaries/import: rejections (nothing written)', () => {
  it('rejects features naming no node, unknown codes, bad shapes and out-of-scope codes, each with its reason', async () => {
    const before = await boundaryOf(`${C6}001`);
    const res = await admin.post(
      url(),
      fc(
        feature({ code: `${C6}001` }, rect(114.111, 23.011, 114.119, 23.019)),
        feature({ note: 'no code' }),
        feature({ code: `${C6}099` }),
        feature({ code: C6 }, rect(114.11, 23.01, 114.13, 95)),
        feature({ code: C8 }, { type: 'LineString', coordinates: [[114.1, 23], [114.2, 23]] }),
        feature({ code: `${C7}001` }),
        feature({ name: '新网格', parentCode: TREE.streetA }),
        feature({ code: `${C6}001` }),
      ),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('GEOJSON_INVALID');
    const report = res.json().details.report;
    expect(report).toMatchObject({ accepted: 1, rejected: 7, written: false, dryRun: false });
    const f = report.features;
    expect(f[0]).toMatchObject({ index: 0, code: `${C6}001`, status: 'ok', action: 'update' });
    expect(f[1]).toMatchObject({ status: 'rejected', problems: [expect.stringMatching(/names no node/)] });
    expect(f[2]).toMatchObject({ status: 'rejected', problems: [`code ${C6}099: no such node`] });
    expect(f[3]).toMatchObject({ status: 'rejected', problems: [expect.stringMatching(/position 2 \(114.13, 95\): lat must be a latitude/)] });
    expect(f[4].problems).toEqual(['geometry type "LineString" is not Polygon or MultiPolygon']);
    expect(f[5].problems).toEqual([`node ${C7}001 is retired`]);
    expect(f[6].problems[0]).toMatch(/new nodes can be created only under a community, grid or unit grid/);
    expect(f[7].problems).toEqual([`node ${C6}001 is already given by feature 0`]);
    expect(await boundaryOf(`${C6}001`)).toBe(before);
    expect(await boundaryOf(C8)).toBeNull();
    expect(await importAudits()).toHaveLength(0);
  });

  it('rejects codes outside the caller’s scope without telling whether they exist', async () => {
    const res = await adminB.post(url(), fc(feature({ code: `${C6}001` }), feature({ code: `${C6}777` }), feature({ name: 'x', parentCode: C6 })));
    expect(res.statusCode).toBe(400);
    const problems = res.json().details.report.features.map((f: { problems: string[] }) => f.problems);
    expect(problems).toEqual([
      [`code ${C6}001 is not in your part of the tree`],
      [`code ${C6}777 is not in your part of the tree`],
      [`parentCode ${C6} is not in your part of the tree`],
    ]);
  });

  it('writes nothing when one feature among good ones is bad', async () => {
    const beforeGrid = await boundaryOf(`${C6}001`);
    const res = await admin.post(
      url(),
      fc(
        feature({ name: '东八第一网格', parentCode: C8 }, rect(114.3, 23.3, 114.31, 23.31)),
        feature({ code: `${C6}001` }, rect(114.112, 23.012, 114.118, 23.018)),
        feature({ code: C8 }, rect(114.3, 23.3, 114.4, 23.3)),
      ),
    );
    expect(res.statusCode).toBe(400);
    const report = res.json().details.report;
    expect(report.features.map((f: { status: string }) => f.status)).toEqual(['ok', 'ok', 'rejected']);
    expect(report.features[2].problems.join(' ')).toMatch(/no area/);
    expect(await childrenOf(C8)).toEqual([]);
    expect(await boundaryOf(`${C6}001`)).toBe(beforeGrid);
    expect(await boundaryOf(C8)).toBeNull();
  });
});

describe('POST /api/boundaries/import: checks and writes', () => {
  it('dry run: reports repairs, outside shares and overlaps, writes nothing', async () => {
    const bowtie = { type: 'Polygon', coordinates: [[[114.111, 23.021], [114.119, 23.029], [114.119, 23.021], [114.111, 23.029], [114.111, 23.021]]] };
    const res = await admin.post(
      url(true),
      fc(
        feature({ name: '东六蝴蝶网格', parentCode: C6 }, bowtie),
        // C6 spans 114.11–114.13 × 23.01–23.03; three quarters of this one lie east of it.
        feature({ name: '东六出界网格', parentCode: C6 }, rect(114.125, 23.021, 114.145, 23.029)),
        // Two new siblings in the file overlapping each other by half of the smaller one.
        feature({ name: '东六甲网格', parentCode: C6, kind: 'special', households: 120 }, rect(114.121, 23.011, 114.129, 23.019)),
        feature({ name: '东六乙网格', parentCode: C6 }, rect(114.125, 23.011, 114.129, 23.015)),
      ),
    );
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ dryRun: true, written: false, accepted: 4, rejected: 0, repaired: 1, created: 4, updated: 0 });
    const [bow, out, a, b] = r.features;
    expect(bow).toMatchObject({ code: `${C6}002`, status: 'repaired', action: 'create', problems: [expect.stringMatching(/^invalid geometry repaired: Self-intersection/)] });
    expect(out).toMatchObject({ code: `${C6}003`, status: 'ok', outsideShare: 0.75, warnings: ['75.0% of its area lies outside 东六社区 (441302001006)'] });
    expect(a.overlaps).toEqual([{ code: `${C6}005`, name: '东六乙网格', share: 0.25 }]);
    expect(b.overlaps).toEqual([{ code: `${C6}004`, name: '东六甲网格', share: 1 }]);
    expect(b.warnings).toEqual(['overlaps 东六甲网格 (441302001006004) by 100.0% of its area']);
    expect(r.warnings).toBe(3);
    expect(await childrenOf(C6)).toHaveLength(1);
    expect(await importAudits()).toHaveLength(0);
  });

  it('writes everything in one go: updates by code, id and name, creates grids, one audit row', async () => {
    const res = await admin.request(
      'POST',
      url(false),
      JSON.stringify(
        fc(
          feature({ code: C8 }, rect(114.3, 23.3, 114.32, 23.32)),
          { type: 'Feature', id: `${C6}001`, properties: {}, geometry: rect(114.111, 23.011, 114.118, 23.018) },
          // Half of it north of 桥东街道 (which ends at 23.1).
          feature({ name: '东七社区', parentCode: TREE.streetA }, rect(114.15, 23.09, 114.17, 23.11)),
          feature({ name: '东八第一网格', parentCode: C8, kind: 'special', households: 88 }, rect(114.3, 23.3, 114.31, 23.31)),
          feature({ name: '东八第二网格', parentCode: C8 }, {
            type: 'MultiPolygon',
            coordinates: [rect(114.31, 23.3, 114.32, 23.31).coordinates, rect(114.31, 23.311, 114.32, 23.32).coordinates],
          }),
        ),
      ),
      { 'content-type': 'application/geo+json' },
    );
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ dryRun: false, written: true, accepted: 5, rejected: 0, created: 2, updated: 3 });
    expect(r.features[2]).toMatchObject({ code: C7, action: 'update' });
    expect(r.features[2].warnings[0]).toBe('50.0% of its area lies outside 桥东街道 (441302001)');
    expect(await boundaryOf(C8)).toBe('MULTIPOLYGON(((114.3 23.3,114.32 23.3,114.32 23.32,114.3 23.32,114.3 23.3)))');
    expect(await boundaryOf(`${C6}001`)).toBe('MULTIPOLYGON(((114.111 23.011,114.118 23.011,114.118 23.018,114.111 23.018,114.111 23.011)))');
    expect(await boundaryOf(C7)).toBe('MULTIPOLYGON(((114.15 23.09,114.17 23.09,114.17 23.11,114.15 23.11,114.15 23.09)))');
    expect(await childrenOf(C8)).toEqual([
      { code: `${C8}001`, name: '东八第一网格', kind: 'special', level: 'grid', source: 'import', households: 88, has_boundary: true },
      { code: `${C8}002`, name: '东八第二网格', kind: 'comprehensive', level: 'grid', source: 'import', households: null, has_boundary: true },
    ]);
    const [node] = await t.db.query<{ path: string; depth: number; city_code: string }>(`SELECT path::text AS path, depth, city_code FROM nodes WHERE code = $1`, [
      `${C8}002`,
    ]);
    expect(node).toEqual({ path: `44.4413.441302.441302001.${C8}.${C8}002`, depth: 6, city_code: '4413' });
    const audits = await importAudits();
    expect(audits).toHaveLength(1);
    expect(audits[0]!.actor_id).toBe(admin.userId);
    expect(audits[0]!.detail).toMatchObject({ created: [`${C8}001`, `${C8}002`], updated: [C8, `${C6}001`, C7] });
    // The new grid is where locate finds it.
    expect((await admin.get('/api/locate?lng=114.315&lat=23.315')).json().node.code).toBe(`${C8}002`);
  });

  it('matches an existing grid by name the second time, and reports overlaps with siblings already in the tree', async () => {
    const res = await admin.post(
      url(),
      fc(
        feature({ name: '东八第一网格', parentCode: C8 }, rect(114.3, 23.3, 114.312, 23.31)),
      ),
    );
    expect(res.statusCode).toBe(200);
    const f = res.json().features[0];
    expect(f).toMatchObject({ code: `${C8}001`, action: 'update', status: 'ok' });
    expect(f.overlaps).toEqual([{ code: `${C8}002`, name: '东八第二网格', share: 0.1667 }]);
    expect(await childrenOf(C8)).toHaveLength(2);
  });
});

describe('wangge import boundaries (CLI)', () => {
  it('imports a file, and reports a rejected one without writing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wangge-boundaries-'));
    const good = path.join(dir, 'good.geojson');
    writeFileSync(good, JSON.stringify(fc(feature({ name: '东六命令行网格', parentCode: C6 }, rect(114.121, 23.021, 114.129, 23.029)))));
    const dry = await importBoundariesFile(t.db, good, { dryRun: true, progress: silentProgress });
    expect(dry).toMatchObject({ written: false, created: 1 });
    expect((await childrenOf(C6)).map((c) => c.name)).not.toContain('东六命令行网格');
    const report = await importBoundariesFile(t.db, good, { dryRun: false, progress: silentProgress });
    expect(report).toMatchObject({ written: true, created: 1 });
    expect((await childrenOf(C6)).map((c) => c.name)).toContain('东六命令行网格');
    expect(formatReport(report)).toMatch(/1 features: 1 accepted \(1 new, 0 updated\), 0 rejected, 0 repaired, 0 warnings — written/);
    const audit = (await importAudits()).at(-1)!;
    expect(audit).toMatchObject({ actor_id: null, actor_name: 'wangge CLI' });

    const bad = path.join(dir, 'bad.geojson');
    writeFileSync(bad, JSON.stringify(fc(feature({ code: '441302001006999' }))));
    const err = await importBoundariesFile(t.db, bad, { dryRun: false, progress: silentProgress }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(formatReport((err as AppError).details!.report as never)).toMatch(/#0 441302001006999: rejected\n {4}problem: code 441302001006999: no such node/);
    const notJson = path.join(dir, 'x.geojson');
    writeFileSync(notJson, '{"type":');
    await expect(importBoundariesFile(t.db, notJson, { dryRun: true, progress: silentProgress })).rejects.toThrow(/not readable JSON/);
  });
});
