/**
 * Registry journey (人地事物): the grid worker finds households of the demo
 * registry, reveals a member's ID number with a reason, checks a ledger with
 * a bad row in the import dialog and reads the row report, opens a thing's
 * page with its cases, and looks a household up on the phone.
 *
 *   npm run build && E2E_PORT=3994 npx playwright test e2e/registry.spec.ts
 */
import { expect, test } from '@playwright/test';
import { demoLogins, signInAt } from './cases-helpers.js';

test('grid worker: households, reveal with a reason, import report, a thing and its cases, phone lookup', async ({ browser, request }) => {
  const logins = await demoLogins(request);
  const worker = logins.get('gridworker')!;
  const desk = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })).newPage();

  await test.step('the household list of the worker\'s grid, and one household with masked members', async () => {
    await signInAt(desk, '/registry/households', worker);
    await expect(desk.getByRole('tab', { name: '住户' })).toBeVisible();
    const first = desk.locator('.ant-table-row').first().getByRole('link');
    await expect(first).toBeVisible();
    await first.click();
    await expect(desk).toHaveURL(/\/registry\/households\/\d+$/);
    await expect(desk.getByText('家庭成员')).toBeVisible();
    await expect(desk.getByText(/\d{3}\*{11}[\dX]{4}/).first()).toBeVisible();
  });

  await test.step('reveals a member\'s full ID number after giving a reason', async () => {
    await desk.getByRole('button', { name: '查看完整信息' }).first().click();
    const dialog = desk.getByRole('dialog');
    await dialog.getByLabel('事由').fill('入户核实身份');
    await dialog.getByRole('button', { name: '查看' }).click();
    await expect(dialog.getByText(/^\d{17}[\dX]$/)).toBeVisible();
  });

  await test.step('checks a ledger with a bad row and reads the row report', async () => {
    await desk.goto('/registry/residents');
    await desk.getByRole('button', { name: '导入台账' }).click();
    const dialog = desk.getByRole('dialog');
    const csv = ['地址,姓名,身份证号', '幸福路1号,测试甲,11010519491231002X', '幸福路1号,测试乙,110105194912310021'].join('\n');
    await dialog.getByLabel(/默认网格编码/).fill(worker.node);
    await dialog.locator('input[type=file]').setInputFiles({ name: 'ledger.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await dialog.getByRole('button', { name: '检查' }).click();
    await expect(dialog.getByText('第3行 身份证号 校验位错误')).toBeVisible();
    await expect(dialog.getByText('检查完成：未写入任何数据').or(desk.getByText('检查完成：未写入任何数据')).first()).toBeVisible();
  });

  await test.step('a thing\'s page lists its state and its cases', async () => {
    await desk.goto('/registry/things');
    const link = desk.locator('.ant-table-row').first().getByRole('link');
    await link.click();
    await expect(desk).toHaveURL(/\/registry\/things\/\d+$/);
    await expect(desk.getByText('相关事件').first()).toBeVisible();
    await expect(desk.getByTestId('registry-map')).toBeVisible();
  });

  await test.step('looks a household up on the phone', async () => {
    const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' })).newPage();
    await signInAt(phone, '/h5/households', worker);
    await phone.getByLabel('输入地址、房号或姓名').fill('1栋');
    const item = phone.locator('.ant-list-item').first().getByRole('link');
    await expect(item).toBeVisible();
    await item.click();
    await expect(phone).toHaveURL(/\/h5\/households\/\d+$/);
    await expect(phone.getByText('家庭成员')).toBeVisible();
  });
});
