/**
 * Journey: a resident without an account (匿名上报) reports from the sign-in
 * page with a phone number and the phone's location, keeps the follow-up
 * link, and follows the case; a dispatcher sees it in the queue.
 */
import { expect, test } from '@playwright/test';
import { demoLogins, pickOption, pointInGrid, signInAt } from './cases-helpers.js';

test.use({ actionTimeout: 30_000, navigationTimeout: 60_000 });

test('an anonymous resident reports with a phone number and follows the case by its link', async ({ browser, request }) => {
  const logins = await demoLogins(request);
  const { point } = await pointInGrid(request, logins.get('admin')!, '441302001001001');
  const ctx = await browser.newContext({ viewport: { width: 375, height: 667 }, locale: 'zh-CN', geolocation: { longitude: point.lng, latitude: point.lat }, permissions: ['geolocation'] });
  const page = await ctx.newPage();
  await page.goto('/login');
  await page.getByRole('link', { name: '不登录，匿名反映问题' }).click();
  await expect(page).toHaveURL(/\/h5\/anonymous$/);
  await pickOption(page, page.getByLabel('问题类别'), '噪声', '噪声扰民');
  await page.getByLabel('问题描述').fill('小区门口夜市噪音扰民，每晚到凌晨');
  await page.getByRole('button', { name: '获取当前位置' }).click();
  await expect(page.getByRole('button', { name: '已获取位置' })).toBeVisible();
  await page.getByLabel('手机号').fill('1380013');
  await page.getByRole('button', { name: '提交' }).click();
  await expect(page.getByText('请输入11位手机号')).toBeVisible();
  await page.getByLabel('手机号').fill('13800138123');
  await page.getByRole('button', { name: '提交' }).click();
  const link = await page.getByTestId('follow-url').innerText();
  expect(link).toMatch(/\/h5\/follow\/\d+\?token=[0-9a-f]{32}$/);
  const number = /follow\/(\d+)/.exec(link)![1]!;

  await page.getByRole('button', { name: '查看办理进度' }).click();
  await expect(page.getByTestId('follow-status')).toHaveText('待受理');
  await expect(page.getByText('小区门口夜市噪音扰民').first()).toBeVisible();
  // A wrong token shows nothing of the case.
  await page.goto(link.replace(/token=[0-9a-f]{32}/, `token=${'0'.repeat(32)}`));
  await expect(page.getByText('查询码不正确或事件不存在')).toBeVisible();
  await ctx.close();

  const desk = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const console_ = await desk.newPage();
  await signInAt(console_, `/cases?q=${number}`, logins.get('dispatcher')!);
  await expect(console_.getByText(number)).toBeVisible();
  await desk.close();
});
