/**
 * Journey: from a resident's report to a resident who is satisfied (the case
 * loop), through the phone pages and the console, four people in four
 * browser contexts:
 *
 *   resident (phone) reports a neighbour dispute with a photo, located by the phone
 *   → dispatcher (console) accepts it and dispatches it as the responsibility list suggests (the grid worker)
 *   → grid worker (phone) signs for it and escalates it straight to the district police (吹哨报到)
 *   → police (console, from the inbox) signs for it and resolves it with a photo
 *   → grid worker checks on site
 *   → resident rates "not satisfied": the case reopens to the police
 *   → police resolves it again → grid worker checks → resident "satisfied" → closed,
 *
 * and the timeline shows every step. Nothing is seeded: every step goes
 * through the screens (the API is used only to read the demo logins and find
 * a point inside the grid).
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { demoLogins, expectStatus, openAction, pickOption, pointInGrid, signInAt, submitAction, timelineActions, writePng, type DemoLogin } from './cases-helpers.js';

const GRID = '441302001001001';
const PHONE = { width: 375, height: 667 };
const DESKTOP = { width: 1440, height: 900 };

// Every click and wait fails within a bounded time instead of running into the test's timeout.
test.use({ actionTimeout: 30_000, navigationTimeout: 60_000 });

test('a neighbour dispute goes round the whole loop: report → dispatch → escalate → resolve → check → not satisfied → again → satisfied', async ({ browser, request }) => {
  test.setTimeout(480_000);
  mkdirSync('tmp', { recursive: true });
  const logins = await demoLogins(request);
  const who = (u: string): DemoLogin => {
    const l = logins.get(u);
    if (!l) throw new Error(`no demo login ${u}`);
    return l;
  };
  const { point, policeDepartment: policeDept } = await pointInGrid(request, who('admin'), GRID);
  const photoDir = test.info().outputPath('photos');
  const reportPhoto = writePng(path.join(photoDir, 'report.png'), [200, 80, 40]);
  const resultPhoto = writePng(path.join(photoDir, 'result.png'), [40, 160, 80]);

  const phone = (b: Browser) =>
    b.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', geolocation: { longitude: point.lng, latitude: point.lat }, permissions: ['geolocation'] });
  const desktop = (b: Browser) => b.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
  const contexts: BrowserContext[] = [];
  const open = async (ctx: Promise<BrowserContext>): Promise<Page> => {
    const c = await ctx;
    contexts.push(c);
    return c.newPage();
  };
  const resident = await open(phone(browser));
  const dispatcher = await open(desktop(browser));
  const worker = await open(phone(browser));
  const police = await open(desktop(browser));

  let caseId = 0;
  let caseNumber = '';
  const description = `楼上邻居每晚十一点后拖动家具，噪音很大，沟通无果 ${Date.now()}`;

  try {
    await test.step('resident reports a neighbour dispute on the phone, with a photo and the phone’s location', async () => {
      await signInAt(resident, '/h5/report', who('resident'));
      await expect(resident).toHaveURL(/\/h5\/report$/);
      await expect(resident.getByRole('heading', { name: '我要上报' })).toBeVisible();
      await pickOption(resident, resident.getByLabel('问题类型'), '邻里', '邻里纠纷');
      await resident.getByLabel('问题描述').fill(description);
      await resident.getByTestId('photo-input').first().setInputFiles(reportPhoto);
      await expect(resident.locator('.wgc-thumb[data-status="done"]')).toHaveCount(1);
      // The phone's location is taken at once and placed in its grid.
      await expect(resident.getByTestId('located-in')).toContainText('东湖社区第1网格');
      await expect(resident.locator('.wgc-pin')).toBeVisible();
      await resident.getByLabel('详细地址（选填）').fill('东湖花园3栋');
      await resident.screenshot({ path: 'tmp/h5-report.png' });
      await resident.getByRole('button', { name: '提交', exact: true }).click();
      await expect(resident).toHaveURL(/\/h5\/cases\/\d+$/);
      caseId = Number(/\/h5\/cases\/(\d+)$/.exec(resident.url())![1]);
      await expectStatus(resident, 'reported');
      caseNumber = (await resident.getByTestId('case-number').innerText()).trim();
      expect(caseNumber).toMatch(/^\d{8,}$/);
      await expect(resident.getByTestId('case-photos').locator('img')).toHaveCount(1);
    });

    await test.step('the resident finds it under "my reports"', async () => {
      await resident.getByRole('link', { name: /我的上报/ }).click();
      await expect(resident.getByTestId('my-cases').locator(`[data-number="${caseNumber}"]`)).toContainText('待受理');
    });

    await test.step('dispatcher finds it in the console queue and accepts it', async () => {
      await signInAt(dispatcher, '/cases', who('dispatcher'));
      await expect(dispatcher.getByRole('heading', { name: '事件队列' })).toBeVisible();
      await dispatcher.getByLabel('编号或描述').fill(caseNumber);
      await dispatcher.getByLabel('编号或描述').press('Enter');
      const row = dispatcher.locator(`tr[data-case-id="${caseId}"]`);
      await expect(row).toContainText('待受理');
      await expect(row).toContainText('邻里纠纷');
      await dispatcher.screenshot({ path: 'tmp/cases-queue.png' });
      await row.click();
      await expect(dispatcher).toHaveURL(new RegExp(`/cases/${caseId}$`));
      await expect(dispatcher.getByTestId('case-number')).toHaveText(caseNumber);
      await expect(dispatcher.getByTestId('case-description')).toHaveText(description);
      await expect(dispatcher.getByTestId('case-photos').locator('img')).toHaveCount(1);
      await expect(dispatcher.locator('.wgc-pin')).toBeVisible();
      await submitAction(await openAction(dispatcher, '受理'));
      await expectStatus(dispatcher, 'accepted');
    });

    await test.step('dispatcher dispatches it as the responsibility list suggests: the grid’s worker', async () => {
      const dialog = await openAction(dispatcher, '派遣');
      const suggested = dialog.getByTestId('suggested-route');
      await expect(suggested).toContainText('网格员 · 东湖社区第1网格');
      await expect(suggested).toContainText('dispute.neighbour');
      await dispatcher.screenshot({ path: 'tmp/cases-dispatch.png' });
      await submitAction(dialog);
      await expectStatus(dispatcher, 'dispatched');
      await expect(dispatcher.getByTestId('case-handler')).toContainText('东湖社区第1网格');
    });

    await test.step('grid worker sees the task on the phone and signs for it', async () => {
      await signInAt(worker, '/h5/tasks', who('gridworker'));
      const card = worker.getByTestId('tasks-handling').locator(`[data-case-id="${caseId}"]`);
      await expect(card).toContainText('已派遣');
      await worker.screenshot({ path: 'tmp/h5-tasks.png' });
      await card.click();
      await expectStatus(worker, 'dispatched');
      await submitAction(await openAction(worker, '签收'));
      await expectStatus(worker, 'in_progress');
    });

    await test.step('grid worker escalates it straight to the district police (吹哨报到)', async () => {
      const dialog = await openAction(worker, '上报');
      await expect(dialog.getByLabel('直接交给职能部门（吹哨报到）')).toBeChecked();
      await pickOption(worker, dialog.getByLabel('部门', { exact: true }), '公安', policeDept);
      await dialog.getByLabel('原因').fill('双方多次调解无果，涉嫌噪声扰民，需派出所介入');
      await submitAction(dialog);
      await expectStatus(worker, 'dispatched');
      await expect(worker.getByTestId('case-handler')).toHaveText(policeDept);
    });

    await test.step('police get a notice, open the case from the inbox and sign for it', async () => {
      await signInAt(police, '/inbox', who('police'));
      const notice = police.getByRole('link', { name: `上报转办 ${caseNumber}` });
      // Notices are delivered from the outbox after the commit: reload until it is there.
      await expect(async () => {
        await police.reload();
        await expect(notice).toBeVisible({ timeout: 3_000 });
      }).toPass({ timeout: 60_000 });
      await expect(police.getByRole('button', { name: /^消息 \(\d+\)$/ })).toBeVisible();
      await notice.click();
      await expect(police).toHaveURL(new RegExp(`/cases/${caseId}$`));
      await expectStatus(police, 'dispatched');
      await submitAction(await openAction(police, '签收'));
      await expectStatus(police, 'in_progress');
    });

    const policeResolves = async (note: string) => {
      const dialog = await openAction(police, '处置完成');
      await dialog.getByLabel('处置结果').fill(note);
      await dialog.getByTestId('photo-input').setInputFiles(resultPhoto);
      await expect(dialog.locator('.wgc-thumb[data-status="done"]')).toHaveCount(1);
      await submitAction(dialog);
      await expectStatus(police, 'resolved');
    };
    const workerChecks = async () => {
      await worker.goto('/h5/tasks');
      const card = worker.getByTestId('tasks-check').locator(`[data-case-id="${caseId}"]`);
      await expect(card).toContainText('待核查');
      await card.click();
      await expectStatus(worker, 'resolved');
      const dialog = await openAction(worker, '核查通过');
      await dialog.getByLabel('说明').fill('已上门核实');
      await submitAction(dialog);
      await expectStatus(worker, 'awaiting_rating');
    };

    await test.step('police resolve it with a photo of the result', async () => {
      await policeResolves('民警上门调解，双方签订协议，晚十点后不再搬动家具');
    });

    await test.step('grid worker checks the result on site', workerChecks);

    await test.step('resident is not satisfied: the case reopens to the police', async () => {
      await resident.goto(`/h5/cases/${caseId}`);
      await expectStatus(resident, 'awaiting_rating');
      const box = resident.getByTestId('rate-box');
      await box.getByLabel('意见（选填）').fill('噪音依旧，没有解决');
      await resident.screenshot({ path: 'tmp/h5-rate.png' });
      await expect(box.getByRole('button', { name: /满意/ })).toHaveCount(3);
      await box.locator('[data-rating="unsatisfied"]').click();
      await expectStatus(resident, 'dispatched');
      await expect(resident.getByText('重办 1 次')).toBeVisible();
      await expect(resident.getByTestId('case-handler')).toHaveText(policeDept);
    });

    await test.step('police sign for it again and resolve it again', async () => {
      await police.reload();
      await expectStatus(police, 'dispatched');
      await submitAction(await openAction(police, '签收'));
      await expectStatus(police, 'in_progress');
      await policeResolves('再次上门，加装减震垫并由社区民警回访，噪音已消除');
    });

    await test.step('grid worker checks again', workerChecks);

    await test.step('resident is satisfied: the case is closed', async () => {
      await resident.reload();
      await expectStatus(resident, 'awaiting_rating');
      await resident.getByTestId('rate-box').locator('[data-rating="satisfied"]').click();
      await expectStatus(resident, 'closed');
      await expect(resident.getByTestId('rate-box')).toHaveCount(0);
      await resident.screenshot({ path: 'tmp/h5-case-closed.png' });
    });

    await test.step('the timeline shows every step, on the phone and in the console', async () => {
      const expected = ['report', 'accept', 'dispatch', 'sign', 'escalate', 'sign', 'resolve', 'check_pass', 'rate_unsatisfied', 'sign', 'resolve', 'check_pass', 'rate_satisfied'];
      expect(await timelineActions(resident)).toEqual(expected);
      await dispatcher.reload();
      await expectStatus(dispatcher, 'closed');
      expect(await timelineActions(dispatcher)).toEqual(expected);
      const timeline = dispatcher.getByTestId('timeline');
      for (const label of ['上报', '受理', '派遣', '签收', '上报（吹哨报到）', '处置完成', '核查通过', '评价：不满意（重办）', '评价：满意']) {
        await expect(timeline.locator('.wgc-event-name', { hasText: label }).first()).toBeVisible();
      }
      // Who did what: the resident reported, the police signed, the grid worker checked.
      const entry = (action: string) => timeline.locator(`[data-action="${action}"]`);
      await expect(entry('report')).toContainText('居民');
      await expect(entry('check_pass').first()).toContainText('网格员');
      await expect(entry('escalate')).toContainText(policeDept);
      await expect(dispatcher.getByText('评价: 满意')).toBeVisible();
      await dispatcher.screenshot({ path: 'tmp/cases-case-closed.png' });
    });
  } finally {
    for (const c of contexts) await c.close();
  }
});

test('hotline intake shows a caller’s earlier cases; dispatch elsewhere than suggested; a patrol finding solved on the spot; the settings screens; English', async ({ browser, request }) => {
  test.setTimeout(360_000);
  const logins = await demoLogins(request);
  const who = (u: string): DemoLogin => logins.get(u)!;
  const { point, policeDepartment } = await pointInGrid(request, who('admin'), GRID);
  const photo = writePng(path.join(test.info().outputPath('photos'), 'patrol.png'), [90, 90, 200]);
  const contexts: BrowserContext[] = [];
  const open = async (opts: Parameters<Browser['newContext']>[0]): Promise<Page> => {
    const c = await browser.newContext(opts);
    contexts.push(c);
    return c.newPage();
  };
  const phoneNumber = `139${String(Date.now()).slice(-8)}`;
  const masked = `${phoneNumber.slice(0, 3)}****${phoneNumber.slice(-4)}`;

  try {
    const dispatcher = await open({ viewport: DESKTOP, locale: 'zh-CN' });
    let hotlineNumber = '';
    await test.step('a hotline call: the number first, then the case; Ctrl+Enter registers it', async () => {
      await signInAt(dispatcher, '/intake', who('dispatcher'));
      await expect(dispatcher.getByRole('heading', { name: '热线受理' })).toBeVisible();
      await dispatcher.getByLabel('来电号码').fill(phoneNumber);
      await expect(dispatcher.getByTestId('caller-history')).toContainText('该号码没有历史事件');
      await dispatcher.getByLabel('来电人姓名').fill('王先生');
      await pickOption(dispatcher, dispatcher.getByLabel('事件分类'), '邻里', '邻里纠纷');
      await dispatcher.getByLabel('事件描述').fill('来电反映：邻居在公共楼道堆放杂物，多次沟通无果');
      await dispatcher.getByLabel('地址').fill('东湖花园5栋');
      await pickOption(dispatcher, dispatcher.getByLabel('所在区域（网格）'), '东湖社区第1', /东湖社区第1网格$/);
      await dispatcher.getByLabel('事件描述').press('Control+Enter');
      const done = dispatcher.getByTestId('intake-created');
      await expect(done).toBeVisible();
      hotlineNumber = /已登记事件 (\d+)/.exec(await done.innerText())![1]!;
      // The form is clear for the next call; the same number now shows this case.
      await expect(dispatcher.getByLabel('事件描述')).toHaveValue('');
      await dispatcher.getByLabel('来电号码').fill(phoneNumber);
      await expect(dispatcher.getByTestId('caller-history')).toContainText('该号码的历史事件（1）');
      await expect(dispatcher.getByTestId('caller-history')).toContainText(hotlineNumber);
      await dispatcher.screenshot({ path: 'tmp/cases-intake.png' });
      await done.getByRole('button', { name: '查看事件' }).click();
      await expectStatus(dispatcher, 'reported');
      await expect(dispatcher.getByTestId('case-number')).toHaveText(hotlineNumber);
      await expect(dispatcher.getByText(`王先生 · ${masked}`)).toBeVisible();
      await expect(dispatcher.getByText('热线', { exact: true })).toBeVisible();
    });

    await test.step('the dispatcher sends it elsewhere than suggested, which needs a reason', async () => {
      await submitAction(await openAction(dispatcher, '受理'));
      const dialog = await openAction(dispatcher, '派遣');
      await dialog.getByLabel('指定其他单位').check();
      await dialog.locator('label.ant-radio-button-wrapper', { hasText: '职能部门' }).click();
      await expect(dialog.getByLabel('职能部门')).toBeChecked();
      await pickOption(dispatcher, dialog.getByLabel('部门', { exact: true }), '公安', policeDepartment);
      await dialog.getByRole('button', { name: '提交', exact: true }).click();
      await expect(dialog.getByText('请填写原因')).toBeVisible();
      await dialog.getByLabel('改派原因（不按建议派遣时必填）').fill('楼道堆物涉及消防安全，交派出所处理');
      await submitAction(dialog);
      await expectStatus(dispatcher, 'dispatched');
      await expect(dispatcher.getByTestId('case-handler')).toContainText(policeDepartment);
    });

    await test.step('the case page in English', async () => {
      await dispatcher.getByRole('button', { name: 'English' }).click();
      await expect(dispatcher.getByTestId('case-page').locator('.wgc-status-tag').first()).toHaveText('Dispatched');
      await expect(dispatcher.getByTestId('timeline').locator('[data-action="dispatch"] .wgc-event-name')).toHaveText('Dispatched');
      await expect(dispatcher.getByRole('menuitem', { name: 'Cases' })).toBeVisible();
      await dispatcher.screenshot({ path: 'tmp/cases-case-en.png' });
      await dispatcher.getByRole('button', { name: '中文' }).click();
      await expect(dispatcher.getByRole('menuitem', { name: '事件' })).toBeVisible();
    });

    await test.step('a grid worker on patrol reports a finding solved on the spot', async () => {
      const worker = await open({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', geolocation: { longitude: point.lng, latitude: point.lat }, permissions: ['geolocation'] });
      await signInAt(worker, '/h5/patrol', who('gridworker'));
      await expect(worker.getByRole('heading', { name: '巡查上报' })).toBeVisible();
      await pickOption(worker, worker.getByLabel('问题类型'), '垃圾', '暴露垃圾');
      await worker.getByLabel('问题描述').fill('巷口有一袋生活垃圾散落');
      await worker.getByTestId('photo-input').first().setInputFiles(photo);
      await expect(worker.locator('.wgc-thumb[data-status="done"]')).toHaveCount(1);
      await expect(worker.getByTestId('located-in')).toContainText('东湖社区第1网格');
      await worker.getByLabel('已现场处置（自处置）').check();
      await worker.getByLabel('处置情况').fill('已清理并告知保洁员加密巡查');
      await worker.screenshot({ path: 'tmp/h5-patrol.png' });
      await worker.getByRole('button', { name: '提交', exact: true }).click();
      await expect(worker).toHaveURL(/\/h5\/cases\/\d+$/);
      await expectStatus(worker, 'awaiting_rating');
      expect(await timelineActions(worker)).toEqual(['report', 'self_resolve']);
      await expect(worker.getByTestId('timeline')).toContainText('巡查');
    });

    const admin = await open({ viewport: DESKTOP, locale: 'zh-CN' });
    await test.step('the category editor: find a category, add a keyword, save', async () => {
      await signInAt(admin, '/settings/categories', who('admin'));
      await admin.getByLabel('搜索分类').fill('邻里');
      await admin.getByRole('tree').getByText('邻里纠纷').click();
      await expect(admin.getByLabel('中文名称')).toHaveValue('邻里纠纷');
      const keyword = `楼道${Date.now() % 1000}`;
      await admin.getByLabel('关键词').fill(keyword);
      await admin.getByLabel('关键词').press('Enter');
      await admin.getByRole('button', { name: '保存', exact: true }).click();
      await expect(admin.getByText('已保存')).toBeVisible();
      await admin.screenshot({ path: 'tmp/cases-categories.png' });
      const saved = (await (await admin.request.get('/api/categories/dispute.neighbour')).json()) as { keywords: string[] };
      expect(saved.keywords).toContain(keyword);
    });

    await test.step('the responsibility list: an entry for the community changes where a dispute goes; explain shows it; delete it', async () => {
      await admin.goto('/settings/responsibility');
      await expect(admin.getByRole('heading', { name: '责任清单' })).toBeVisible();
      const explain = async () => {
        await admin.getByRole('button', { name: '测试', exact: true }).click();
        return admin.getByTestId('explain-result');
      };
      await pickOption(admin, admin.getByLabel('分类', { exact: true }).first(), '邻里', '邻里纠纷');
      await pickOption(admin, admin.getByLabel('节点', { exact: true }).first(), '东湖社区第1', /东湖社区第1网格$/);
      await expect(await explain()).toContainText('无匹配条目，使用分类默认值');
      await admin.getByRole('button', { name: '新增条目' }).click();
      const dialog = admin.getByRole('dialog', { name: '新增责任清单条目' });
      await pickOption(admin, dialog.getByLabel('节点'), '东湖社区居委', /东湖社区居委会$/);
      await pickOption(admin, dialog.getByLabel('分类'), '邻里', '邻里纠纷');
      await pickOption(admin, dialog.getByLabel('办理层级'), '社区', '社区/村');
      await pickOption(admin, dialog.getByLabel('主办类型'), '属地', '属地办理');
      await dialog.getByLabel('备注').fill('e2e: 社区调委会主办');
      await dialog.getByRole('button', { name: '保存' }).click();
      await expect(dialog).toBeHidden();
      const row = admin.getByRole('row').filter({ hasText: '东湖社区居委会' }).filter({ hasText: 'dispute.neighbour' });
      await expect(row).toContainText('社区/村');
      const result = await explain();
      await expect(result).toContainText(/条目 #\d+/);
      await expect(result).toContainText('东湖社区居委会');
      await admin.screenshot({ path: 'tmp/cases-responsibility.png' });
      await row.getByText('删除').click();
      await admin.getByRole('button', { name: '删除', exact: true }).last().click();
      await expect(row).toHaveCount(0);
      await expect(await explain()).toContainText('无匹配条目，使用分类默认值');
    });
  } finally {
    for (const c of contexts) await c.close();
  }
});
