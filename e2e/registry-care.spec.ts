/**
 * Issue 5 journey: the grid worker imports a small ledger, visits an elderly
 * resident living alone and records it, starts a patrol and reports a broken
 * street light that becomes a case; the community secretary sends a storm
 * warning down the linkage tree and sees who has not read it.
 *
 *   npm run build && E2E_PORT=3995 npx playwright test e2e/registry-care.spec.ts
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { demoLogins, pickOption, pointInGrid, signInAt, type DemoLogin } from './cases-helpers.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };

test('grid worker: ledger, visit, patrol finding; secretary: storm warning with receipts', async ({ browser, request }) => {
  // A dozen steps on a busy shared machine; pages are reached through the app's own links (one full load per person).
  test.setTimeout(600_000);
  const logins = await demoLogins(request);
  const who = (u: string): DemoLogin => logins.get(u)!;
  const worker = who('gridworker');
  const { point } = await pointInGrid(request, who('admin'), worker.node);
  const stamp = String(Date.now()).slice(-6);
  const elder = `独居测试${stamp}`;

  const contexts: BrowserContext[] = [];
  const open = async (b: Browser, opts: Parameters<Browser['newContext']>[0]): Promise<Page> => {
    const c = await b.newContext(opts);
    contexts.push(c);
    return c.newPage();
  };
  const phone = await open(browser, { viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', geolocation: { longitude: point.lng, latitude: point.lat }, permissions: ['geolocation'] });
  const desk = await open(browser, { viewport: DESKTOP, locale: 'zh-CN' });

  try {
    await test.step('the grid worker imports a small ledger of two households', async () => {
      await signInAt(phone, '/h5/cases', worker);
      const me = (await (await phone.request.get('/api/auth/me')).json()) as { csrfToken: string };
      const csv = [
        '地址,楼栋,单元,房号,姓名,性别,与户主关系,标签,友邻服务队',
        `幸福路${stamp}号,1栋,1单元,101,${elder},女,户主,独居老人,否`,
        `幸福路${stamp}号,1栋,1单元,102,邻居${stamp},男,户主,,是`,
      ].join('\n');
      const res = await phone.request.post(`/api/registry/import?kind=residents&nodeCode=${worker.node}`, {
        headers: { 'X-CSRF-Token': me.csrfToken },
        multipart: { file: { name: 'ledger.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') } },
      });
      expect(res.ok(), await res.text()).toBeTruthy();
      const body = (await res.json()) as { rejected?: number; problems?: unknown[] };
      expect(body.rejected ?? 0).toBe(0);
    });

    await test.step('visits the elderly resident and records it with the phone location', async () => {
      await phone.locator('.wgh-tabs').getByRole('link', { name: /走访/ }).click();
      await expect(phone.getByTestId('visit-counts')).toBeVisible();
      await phone.getByLabel('按姓名或地址查找').fill(elder);
      await phone.getByRole('link', { name: new RegExp(elder) }).click();
      await expect(phone).toHaveURL(/\/h5\/visits\/\d+$/);
      await phone.getByLabel('走访情况').fill('老人身体健康，独自在家，已提醒注意防台风');
      await phone.getByRole('button', { name: '获取定位' }).click();
      await expect(phone.getByText(/已定位/)).toBeVisible();
      await phone.getByRole('button', { name: '登记走访' }).click();
      await expect(phone).toHaveURL(/\/h5\/visits$/);
      await phone.getByLabel('按姓名或地址查找').fill(elder);
      const card = phone.getByRole('link', { name: new RegExp(elder) });
      await expect(card).toContainText('本周期已访');
      await card.click();
      await expect(phone.getByText('老人身体健康，独自在家，已提醒注意防台风')).toBeVisible();
    });

    let caseNumber = '';
    await test.step('starts a patrol, records the track, reports a broken street light that becomes a case, ends it', async () => {
      await phone.locator('.wgh-tabs').getByRole('link', { name: /走访/ }).click();
      await phone.getByRole('button', { name: '巡查', exact: true }).click();
      await expect(phone).toHaveURL(/\/h5\/track$/);
      await phone.getByRole('button', { name: '开始巡查' }).click();
      await expect(phone.getByTestId('patrol-status')).toBeVisible();
      await phone.getByRole('button', { name: '记录当前位置' }).click();
      await expect(phone.getByTestId('patrol-status')).toContainText(/已记录 [1-9]\d* 个轨迹点/);
      await pickOption(phone, phone.getByLabel('事件类别'), '路灯', '路灯故障');
      await phone.getByLabel('发现的问题').fill(`幸福路${stamp}号门口路灯不亮`);
      await phone.getByRole('button', { name: '上报发现' }).click();
      const done = phone.getByText(/已上报事件 \d+/);
      await expect(done).toBeVisible();
      caseNumber = /已上报事件 (\d+)/.exec((await done.textContent()) ?? '')![1]!;
      await expect(phone.getByRole('list', { name: '本次发现' })).toContainText(caseNumber);
      await phone.getByRole('button', { name: '结束巡查' }).click();
      await expect(phone.getByRole('button', { name: '开始巡查' })).toBeVisible();
      // The case carries the patrol.
      const list = (await (await phone.request.get(`/api/patrols?mine=true&status=ended&limit=1`)).json()) as { items: { findings: { number: string }[]; points: number }[] };
      expect(list.items[0]!.findings.map((f) => f.number)).toContain(caseNumber);
      expect(list.items[0]!.points).toBeGreaterThanOrEqual(1); // the phone's position watch may add one
    });

    await test.step('the community secretary sends a storm warning and sees who has not read it', async () => {
      await signInAt(desk, '/care/linkage', who('secretary'));
      await expect(desk.getByTestId('linkage-stats')).toBeVisible();
      // The imported households are not in a group yet: the tree lists them as violations (as it lists grids without a
      // worker, which stay), and a rebuild takes them in.
      await expect(desk.getByText('未编入一级群的户').first()).toBeVisible();
      await desk.getByRole('button', { name: '重新生成并替换' }).click();
      await desk.getByRole('dialog').getByRole('button', { name: /确\s*定|OK/ }).click();
      await expect(desk.getByText('未编入一级群的户')).toHaveCount(0);
      await desk.getByLabel('标题').fill(`台风预警 ${stamp}`);
      await desk.getByLabel('内容').fill('今夜台风登陆，请关好门窗，勿外出。');
      await desk.getByLabel('紧急预警').check();
      await desk.getByRole('button', { name: '逐级下发' }).click();
      await expect(desk.getByText(/已下发至 \d+ 户/)).toBeVisible();
      const item = desk.locator('.ant-list-item', { hasText: `台风预警 ${stamp}` });
      await expect(item).toContainText(/已读 0/);
      await item.getByRole('button', { name: '未读住户' }).click();
      const drawer = desk.getByRole('dialog');
      await expect(drawer.getByRole('row').nth(1)).toBeVisible();
      await drawer.getByRole('button', { name: '提醒群主' }).click();
      await expect(desk.getByText(/已提醒 \d+ 位负责人/)).toBeVisible();
    });
  } finally {
    for (const c of contexts) await c.close();
  }
});
