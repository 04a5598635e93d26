import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, buildUser, TREE, useTestApp } from '../../../../test/harness.js';
import { formatImportReport, importCasesFile } from '../../../cli/commands/import-cases.js';
import type { Progress } from '../../../cli/progress.js';

const t = useTestApp();
const dir = mkdtempSync(join(tmpdir(), 'wangge-import-'));
const quiet = (): Progress & { updates: number[] } => {
  const updates: number[] = [];
  return { updates, start() {}, update: (n) => void updates.push(n), stop() {}, log() {} };
};

beforeAll(async () => {
  await buildSmallCity(t.db);
});

describe('wangge import cases', () => {
  const file = join(dir, 'cases.csv');
  writeFileSync(file, '类别,问题描述,地址,经度,纬度\r\ncity_env.noise,夜间噪音,,114.15,22.95\r\ncity_env.noise,淡水噪音,,114.8,23.0\r\n没有,描述,东一社区,,\r\n');

  it('dry run as the CLI operator reports rows and writes nothing; progress per row', async () => {
    const p = quiet();
    const r = await importCasesFile(t.db, t.config, file, { dryRun: true, progress: p });
    expect(r).toMatchObject({ total: 3, accepted: 2, rejected: 1, created: 0 });
    expect(p.updates).toEqual([1, 2, 3]);
    expect(formatImportReport(r)).toContain('第4行 类别 不存在');
    expect(await t.db.query(`SELECT 1 FROM cases`)).toHaveLength(0);
  });

  it('as a district dispatcher: only rows in their district; a second run creates nothing', async () => {
    const u = await buildUser(t.db, { role: 'dispatcher', node: TREE.districtA });
    const r = await importCasesFile(t.db, t.config, file, { dryRun: false, as: u.username, progress: quiet() });
    expect(r).toMatchObject({ created: 1, rejected: 2 });
    expect(r.problems.map((p) => p.message)).toContain('第3行 经度 不在您的管辖范围内');
    const again = await importCasesFile(t.db, t.config, file, { dryRun: false, as: u.username, progress: quiet() });
    expect(again).toMatchObject({ created: 0, existing: 1 });
    const rows = await t.db.query<{ created_by: string; channel: string; node_code: string }>(`SELECT created_by, channel, node_code FROM cases`);
    expect(rows).toEqual([{ created_by: u.id, channel: 'import', node_code: TREE.gridA1 }]);
  });

  it('an unknown user is refused', async () => {
    await expect(importCasesFile(t.db, t.config, file, { dryRun: true, as: 'nobody-here', progress: quiet() })).rejects.toThrow(/No user/);
  });
});
