/**
 * Journey: a person opens a freshly started demo installation, signs in as the
 * demo administrator and looks around the demo city (惠州市) on the map, in the
 * tree and in the details panel, searches a community, switches to English,
 * looks at their roles and signs out.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';

interface DemoLogin {
  username: string;
  password: string;
  role: string;
  node: string;
  nodeName: string;
}

interface TreeNode {
  code: string;
  name: string;
  level: string;
  childCount: number;
}

const CITY = { code: '4413', name: '惠州市' };
const DISTRICTS = [
  { code: '441302', name: '惠城区' },
  { code: '441303', name: '惠阳区' },
  { code: '441322', name: '博罗县' },
  { code: '441323', name: '惠东县' },
  { code: '441324', name: '龙门县' },
];

/** The name shown as the heading of the details panel. */
const nodeName = (page: Page) => page.getByTestId('node-name');
const childPolygons = (page: Page) => page.locator('path.wg-child-polygon');
/** The tree item of one node (names can be substrings of other names, codes cannot). */
const treeItem = (page: Page, code: string) => page.getByRole('treeitem').filter({ has: page.locator(`[data-code="${code}"]`) });

/** Walks down from a district to its first community through the API, as the signed-in user. */
async function firstCommunityUnder(page: Page, code: string): Promise<TreeNode> {
  let current = code;
  for (let depth = 0; depth < 4; depth++) {
    const res = await page.request.get(`/api/nodes/${current}/children`);
    expect(res.ok(), `children of ${current}`).toBeTruthy();
    const { items } = (await res.json()) as { items: TreeNode[] };
    const community = items.find((n) => n.level === 'community');
    if (community) return community;
    const next = items.find((n) => n.childCount > 0);
    if (!next) break;
    current = next.code;
  }
  throw new Error(`no community found under ${code}`);
}

test('sign in to the demo city, explore map, tree and details, switch language, see my roles', async ({ page, request }) => {
  mkdirSync('tmp', { recursive: true });
  const meta = (await (await request.get('/api/meta')).json()) as { mode: string; demoLogins: DemoLogin[] };
  expect(meta.mode).toBe('demo');
  const admin = meta.demoLogins.find((l) => l.role === 'administrator');
  expect(admin, 'the demo city lists an administrator login').toBeTruthy();

  await test.step('the sign-in page opens in Chinese', async () => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
    await expect(page).toHaveTitle('网格 Wangge');
    await expect(page.getByRole('heading', { name: '登录' })).toBeVisible();
    await expect(page.getByText('演示模式', { exact: true })).toBeVisible();
    await expect(page.getByText('演示账号', { exact: true })).toBeVisible();
  });

  await test.step('a wrong password is refused with the server’s reason', async () => {
    await page.getByLabel('用户名或手机号').fill(admin!.username);
    await page.getByLabel('密码', { exact: true }).fill('not-the-password-1');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect(page.getByRole('alert')).toContainText('用户名/手机号或密码错误');
    await expect(page).toHaveURL(/\/login$/);
  });

  await test.step('clicking the demo administrator fills the form and signs in', async () => {
    await page.getByRole('row', { name: new RegExp(admin!.username) }).first().click();
    await expect(page.getByLabel('用户名或手机号')).toHaveValue(admin!.username);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect(page).not.toHaveURL(/\/login$/);
    await expect(page.getByRole('heading', { name: '网格树' })).toBeVisible();
  });

  await test.step('the city is selected and its five districts are drawn', async () => {
    await expect(nodeName(page)).toHaveText(CITY.name);
    await expect(treeItem(page, CITY.code)).toHaveAttribute('aria-selected', 'true');
    await expect(childPolygons(page)).toHaveCount(DISTRICTS.length);
    for (const d of DISTRICTS) {
      await expect(page.locator(`path.wg-child-polygon[data-code="${d.code}"]`)).toHaveAttribute('aria-label', d.name);
      await expect(treeItem(page, d.code)).toContainText(d.name);
    }
    // Counts under the city: five districts, and streets below them.
    const counts = page.getByRole('list', { name: '下辖统计' });
    await expect(counts.locator('[data-level="district"]')).toContainText('5');
    await expect(counts.locator('[data-level="street"]')).toBeVisible();
    await page.waitForTimeout(500); // let the map's zoom animation settle before the picture
    await page.screenshot({ path: 'tmp/console.png' });
  });

  await test.step('clicking a district on the map selects it', async () => {
    await page.getByRole('button', { name: '龙门县' }).click();
    await expect(page).toHaveURL(/\/nodes\/441324$/);
    await expect(nodeName(page)).toHaveText('龙门县');
    await expect(treeItem(page, '441324')).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('navigation', { name: '所属路径' }).getByRole('link', { name: CITY.name })).toBeVisible();
    await expect(page.getByText('441324', { exact: true })).toBeVisible();
  });

  await test.step('clicking a district in the tree selects it', async () => {
    await page.getByRole('treeitem', { name: /惠城区/ }).click();
    await expect(page).toHaveURL(/\/nodes\/441302$/);
    await expect(nodeName(page)).toHaveText('惠城区');
  });

  await test.step('searching a community by name selects it and opens the tree to it', async () => {
    const community = await firstCommunityUnder(page, '441302');
    const search = page.getByLabel('在当前根节点下搜索');
    await search.fill(community.name);
    await page.locator(`.wg-search-hit[data-code="${community.code}"]`).click();
    await expect(page).toHaveURL(new RegExp(`/nodes/${community.code}$`));
    await expect(nodeName(page)).toHaveText(community.name);
    await expect(treeItem(page, community.code)).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('navigation', { name: '所属路径' }).getByRole('link', { name: '惠城区' })).toBeVisible();
  });

  await test.step('the breadcrumb leads back to the city', async () => {
    await page.getByRole('navigation', { name: '所属路径' }).getByRole('link', { name: CITY.name }).click();
    await expect(nodeName(page)).toHaveText(CITY.name);
    await expect(childPolygons(page)).toHaveCount(DISTRICTS.length);
  });

  await test.step('switching to English relabels the console and is remembered', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.getByRole('heading', { name: 'Grid tree' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Node details' })).toBeVisible();
    await expect(page.getByText('Demo mode', { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: '中文' })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Grid tree' })).toBeVisible();
    await expect(nodeName(page)).toHaveText(CITY.name);
  });

  await test.step('"My roles" lists the administrator role at the city', async () => {
    await page.getByRole('button', { name: /User menu/ }).click();
    await expect(page.getByRole('menuitem', { name: 'Sign out' })).toBeVisible();
    await page.getByRole('menuitem', { name: 'My roles' }).click();
    const drawer = page.getByRole('dialog', { name: 'My roles' });
    await expect(drawer).toBeVisible();
    await expect(drawer.getByText('Administrator').first()).toBeVisible();
    await expect(drawer.getByText(CITY.name).first()).toBeVisible();
    await page.waitForTimeout(400);
    await page.screenshot({ path: 'tmp/console-en.png' });
    await page.keyboard.press('Escape');
    await expect(drawer).toBeHidden();
  });

  await test.step('signing out returns to the sign-in page and the session is gone', async () => {
    await page.getByRole('button', { name: /User menu/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    const me = await page.request.get('/api/auth/me');
    expect(me.status()).toBe(401);
  });
});

test('a grid worker sees only their own grid, and a link outside it falls back to it', async ({ page, request }) => {
  const meta = (await (await request.get('/api/meta')).json()) as { demoLogins: DemoLogin[] };
  const worker = meta.demoLogins.find((l) => l.role === 'grid_worker');
  expect(worker, 'the demo city lists a grid worker login').toBeTruthy();

  await page.goto('/');
  await page.getByRole('row', { name: new RegExp(worker!.username) }).first().click();
  await page.getByRole('button', { name: '登录', exact: true }).click();

  await expect(nodeName(page)).toHaveText(worker!.nodeName);
  await expect(page.getByRole('treeitem')).toHaveCount(1);
  await expect(treeItem(page, worker!.node)).toHaveAttribute('aria-selected', 'true');
  // Ancestors above the worker's grid are named but not links: they are outside the worker's area.
  const path = page.getByRole('navigation', { name: '所属路径' });
  await expect(path).toContainText(CITY.name);
  await expect(path.getByRole('link')).toHaveCount(0);
  await expect(page.locator('path.wg-self-outline')).toHaveCount(1);
  await expect(childPolygons(page)).toHaveCount(0);

  await page.goto(`/nodes/${CITY.code}`);
  await expect(page.getByText('未找到该节点，或不在您的管辖范围内。')).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
  await expect(nodeName(page)).toHaveText(worker!.nodeName);
});
