/**
 * Journey: a leader watches the command-centre dashboard (指挥中心).
 *
 *   the figures on the screen equal those of the API for the same node and
 *   period (the API is called inside the test with the page's own cookies)
 *   → drilling down on the map (city → district → street) changes them, and
 *     they still equal the API's for the node drilled into
 *   → a dispatcher reports a case in that street through the API: it appears
 *     live in the feed and today's count goes up by one without a reload
 *   → the tree takes the leader back up to the city.
 */
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { demoLogins, pointInGrid, signInAt, type DemoLogin } from './cases-helpers.js';

const GRID = '441302001001001';
const DISTRICT = GRID.slice(0, 6);
const STREET = GRID.slice(0, 9);
const MEASURES = ['response', 'resolution', 'onTime', 'satisfaction', 'rework', 'return'] as const;
const LEVELS = ['grid', 'community', 'street', 'district', 'city'] as const;

test.use({ actionTimeout: 30_000, navigationTimeout: 60_000 });

interface Rate {
  rate: number | null;
  numerator: number;
  denominator: number;
}
interface Period {
  total: number;
  open: number;
  resolved: number;
}
interface Overview {
  node: { code: string; name: string };
  today: Period;
  month: Period;
  measures: Record<(typeof MEASURES)[number], Rate>;
  levelShares: Record<(typeof LEVELS)[number], Rate>;
  clocks: Record<'green' | 'yellow' | 'red', number>;
}

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

async function overview(api: APIRequestContext, node: string): Promise<Overview> {
  const res = await api.get(`/api/dashboard/overview?node=${node}`);
  expect(res.ok(), `overview of ${node}: ${res.status()}`).toBeTruthy();
  return (await res.json()) as Overview;
}

/** What the screen shows for the node, read from its labelled figures. */
async function shown(page: Page) {
  const text = (id: string) => page.getByTestId(id).innerText();
  const out: Record<string, string> = {};
  for (const p of ['today', 'month'] as const) for (const f of ['total', 'open', 'resolved'] as const) out[`${p}.${f}`] = await text(`${p}-${f}`);
  for (const c of ['green', 'yellow', 'red'] as const) out[`clock.${c}`] = await text(`clock-${c}`);
  for (const m of MEASURES) {
    out[`${m}.rate`] = await text(`measure-${m}-rate`);
    out[`${m}.counts`] = await text(`measure-${m}-counts`);
  }
  for (const lv of LEVELS) out[`level.${lv}`] = (await text(`level-${lv}-counts`)).replace(/^\D+/, '');
  return out;
}

function expected(o: Overview) {
  const out: Record<string, string> = {};
  for (const p of ['today', 'month'] as const) for (const f of ['total', 'open', 'resolved'] as const) out[`${p}.${f}`] = String(o[p][f]);
  for (const c of ['green', 'yellow', 'red'] as const) out[`clock.${c}`] = String(o.clocks[c]);
  for (const m of MEASURES) {
    out[`${m}.rate`] = pct(o.measures[m].rate);
    out[`${m}.counts`] = `${o.measures[m].numerator} / ${o.measures[m].denominator}`;
  }
  for (const lv of LEVELS) out[`level.${lv}`] = `${o.levelShares[lv].numerator}/${o.levelShares[lv].denominator}`;
  return out;
}

/**
 * The screen's figures equal the API's for `node`. The clock sweep runs
 * meanwhile, so both are read again until they agree (a sweep pass between
 * the two reads is not a mismatch); they must agree within the timeout.
 */
async function expectSameAsApi(page: Page, node: string): Promise<Overview> {
  await expect(page.getByTestId('dashboard-node')).toHaveAttribute('data-code', node);
  let last: Overview | undefined;
  await expect(async () => {
    await page.getByRole('button', { name: '刷新' }).click();
    await expect(page.getByTestId('today-total')).toBeVisible();
    const api = await overview(page.request, node);
    expect(await shown(page)).toEqual(expected(api));
    last = api;
  }).toPass({ timeout: 60_000, intervals: [1_000, 2_000, 4_000] });
  return last!;
}

/** Clicks a child's polygon on the dashboard map. */
async function drillOnMap(page: Page, code: string): Promise<void> {
  const polygon = page.getByTestId('dashboard-map').locator(`path[data-code="${code}"]`);
  await expect(polygon).toBeVisible();
  // Leaflet finds the layer from the event target: a click dispatched on the path is the user's click on that area.
  await polygon.dispatchEvent('click');
  await expect(page).toHaveURL(new RegExp(`/dashboard/${code}$`));
}

test('the dashboard shows the API\'s figures, drills down from the map and the tree, and a new case appears live', async ({ browser, request }) => {
  test.setTimeout(480_000);
  const logins = await demoLogins(request);
  const who = (u: string): DemoLogin => {
    const l = logins.get(u);
    if (!l) throw new Error(`no demo login ${u}`);
    return l;
  };
  const leader = who('leader');
  const { point } = await pointInGrid(request, who('admin'), GRID);

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await signInAt(page, '/dashboard', leader);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('menuitem', { name: '指挥中心' })).toBeVisible();

  // The city: every figure on the screen is the API's.
  const city = await expectSameAsApi(page, leader.node);
  expect(city.month.total, 'the demo city has cases this month').toBeGreaterThan(0);
  await expect(page.getByTestId('trend-chart')).toBeVisible();
  await expect(page.getByTestId('dashboard-node')).toHaveText(city.node.name);

  // Drill down on the map: the district, then the street. The figures change and stay the API's.
  await drillOnMap(page, DISTRICT);
  const district = await expectSameAsApi(page, DISTRICT);
  expect(district.month.total).toBeLessThan(city.month.total);
  await drillOnMap(page, STREET);
  const street = await expectSameAsApi(page, STREET);
  expect(street.month.total).toBeLessThanOrEqual(district.month.total);

  // Live: a dispatcher reports a case in the street; it reaches the open page without a reload.
  await expect(page.getByTestId('live-status')).toContainText('实时连接中');
  const before = Number(await page.getByTestId('today-total').innerText());
  const dispatcher = who('dispatcher');
  const login = await request.post('/api/auth/login', { data: { login: dispatcher.username, password: dispatcher.password } });
  expect(login.ok()).toBeTruthy();
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const created = await request.post('/api/cases', {
    headers: { 'x-csrf-token': csrfToken },
    data: { channel: 'hotline', categoryCode: 'city_env.noise', description: `夜间施工噪音扰民（大屏实时测试 ${Date.now()}）`, location: point },
  });
  expect(created.status(), await created.text()).toBe(201);
  const c = (await created.json()) as { id: number; number: string };
  await expect(page.getByTestId('live-feed')).toContainText(c.number);
  await expect(page.getByTestId('today-total')).toHaveText(String(before + 1));
  const after = await expectSameAsApi(page, STREET);
  expect(after.today.total).toBe(before + 1);
  await request.post('/api/auth/logout', { headers: { 'x-csrf-token': csrfToken } });

  // The tree takes the leader back up: the city's figures again, the new case counted.
  await page.locator('.wgd-tree').getByText(city.node.name, { exact: true }).first().click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/${leader.node}$`));
  const cityAfter = await expectSameAsApi(page, leader.node);
  expect(cityAfter.today.total).toBeGreaterThanOrEqual(city.today.total + 1);

  // The monthly review opens for the same node from the dashboard.
  await page.getByRole('button', { name: '每月研判' }).click();
  await expect(page).toHaveURL(new RegExp(`/analysis/${leader.node}`));
  // Last month is the month under review; its total is the API's.
  const d = new Date(Date.now() + 8 * 3_600_000);
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  const month = d.toISOString().slice(0, 7);
  const review = await page.request.get(`/api/analysis/monthly?node=${leader.node}&month=${month}`);
  expect(review.ok()).toBeTruthy();
  const totals = ((await review.json()) as { totals: { cases: number } }).totals;
  await expect(page.getByTestId('analysis-total')).toHaveText(String(totals.cases), { timeout: 90_000 });
  await context.close();
});
