/**
 * Journey: the command centre's ledgers (台账).
 *
 *   a dispatcher exports the case queue as it is filtered (open cases) to
 *   Excel → the file has the Chinese headers, only open cases, masked phones
 *   → bulk import: the template downloads; a file with two good rows and a
 *   bad one is checked (dry run: the bad row is named by row and column,
 *   nothing written), then imported: two cases, each a link to its page
 *   → the monthly report opens as a printable page with its charts.
 */
import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { demoLogins, signInAt } from './cases-helpers.js';

test.use({ actionTimeout: 30_000, navigationTimeout: 60_000 });

async function sheetRows(file: string): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(file) as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  wb.worksheets[0]!.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  return rows;
}

test('a dispatcher exports the queue, imports a ledger of cases and opens the monthly report', async ({ page, request }) => {
  test.setTimeout(360_000);
  const logins = await demoLogins(request);
  const dispatcher = logins.get('dispatcher')!;
  await signInAt(page, '/cases', dispatcher);
  await expect(page.getByRole('heading', { name: '事件队列' })).toBeVisible();

  // Export what the queue shows (its default filter: open cases).
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^(download )?导出$/ }).click()]);
  expect(download.suggestedFilename()).toMatch(/^事件台账-\d{12}\.xlsx$/);
  const rows = await sheetRows(await download.path());
  const header = rows[0] as string[];
  expect(header.slice(0, 3)).toEqual(['事件编号', '状态', '类别']);
  expect(rows.length).toBeGreaterThan(1);
  const status = header.indexOf('状态');
  const phone = header.indexOf('联系电话');
  for (const r of rows.slice(1)) {
    expect(['已结案', '不予受理', '已撤销', '已合并']).not.toContain(r[status]);
    if (r[phone]) expect(String(r[phone])).toMatch(/^1\d{2}\*{4}\d{4}$/);
  }

  // Bulk import: template, dry run, import.
  await page.getByRole('menuitem', { name: '批量导入' }).click();
  await expect(page.getByRole('heading', { name: '批量导入事件' })).toBeVisible();
  const template = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /下载导入模板/ }).click()]);
  expect(template[0].suggestedFilename()).toBe('事件导入模板.xlsx');
  const stamp = Date.now();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('事件导入');
  ws.addRow(['类别', '问题描述', '网格编码', '联系电话']);
  ws.addRow(['噪声扰民', `导入：夜间噪音 ${stamp}`, '441302001001001', '13800001234']);
  ws.addRow(['city_env.noise', `导入：清晨噪音 ${stamp}`, '441302001001001', null]);
  ws.addRow(['没有这个类别', '描述', '441302001001001', null]);
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  await page.locator('input[type=file]').setInputFiles({ name: '台账.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer });
  await page.getByRole('button', { name: '开始校验' }).click();
  await expect(page.getByText('试导入完成：未写入任何数据').first()).toBeVisible();
  const problems = page.locator('.ant-table').first();
  await expect(problems.getByRole('row', { name: /4\s*类别\s*不存在/ })).toBeVisible();

  await page.getByRole('checkbox', { name: '试导入（只校验，不写入）' }).uncheck();
  await page.getByRole('button', { name: '开始导入' }).click();
  await expect(page.getByText('导入完成').first()).toBeVisible();
  const created = page.locator('.ant-statistic').filter({ hasText: '新建' });
  await expect(created).toContainText('2');
  const link = page.getByRole('link', { name: /^4413\d+$/ }).first();
  await link.click();
  await expect(page).toHaveURL(/\/cases\/\d+$/);
  await expect(page.getByText(`导入：夜间噪音 ${stamp}`).or(page.getByText(`导入：清晨噪音 ${stamp}`)).first()).toBeVisible();

  // The monthly report, from the reports page.
  await page.getByRole('menuitem', { name: '台账与月报' }).click();
  await expect(page.getByRole('heading', { name: '台账与月报' })).toBeVisible();
  const [report] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('link', { name: /打开月报/ }).click()]);
  await report.waitForLoadState();
  await expect(report).toHaveTitle(/社会治理事件月报$/);
  await expect(report.locator('svg').first()).toBeVisible();
  await expect(report.getByRole('heading', { name: '一、总体情况' })).toBeVisible();
});
