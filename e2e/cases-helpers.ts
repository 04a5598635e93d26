/**
 * Helpers of the case-loop journey: demo logins, a point inside a grid, a
 * small real PNG on disk, signing in through the sign-in page, picking from
 * antd selects, and acting on a case through its action buttons and dialog.
 */
import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

export interface DemoLogin {
  username: string;
  password: string;
  role: string;
  node: string;
  nodeName: string;
}

export async function demoLogins(request: APIRequestContext): Promise<Map<string, DemoLogin>> {
  const meta = (await (await request.get('/api/meta')).json()) as { mode: string; demoLogins: DemoLogin[] };
  expect(meta.mode).toBe('demo');
  return new Map(meta.demoLogins.map((l) => [l.username, l]));
}

type Ring = [number, number][];

function inRing([x, y]: [number, number], ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function segmentDistance(p: [number, number], a: [number, number], b: [number, number]): number {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const len = dx * dx + dy * dy;
  const t = len ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len)) : 0;
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

/**
 * A point well inside a grid's polygon (the demo grids are generated shapes):
 * the sample point of a 19×19 grid over its bounding box farthest from its edges, then confirmed by /api/locate;
 * and the name of the police department of the grid's district.
 */
export async function pointInGrid(
  request: APIRequestContext,
  admin: DemoLogin,
  gridCode: string,
): Promise<{ point: { lng: number; lat: number }; policeDepartment: string }> {
  const login = await request.post('/api/auth/login', { data: { login: admin.username, password: admin.password } });
  expect(login.ok(), 'admin signs in through the API').toBeTruthy();
  const res = await request.get(`/api/nodes/${gridCode}/geojson`);
  expect(res.ok(), `geojson of ${gridCode}`).toBeTruthy();
  const fc = (await res.json()) as { features: { properties: { code: string }; geometry: { type: string; coordinates: unknown } }[] };
  const self = fc.features.find((f) => f.properties.code === gridCode)!;
  const polys = (self.geometry.type === 'Polygon' ? [self.geometry.coordinates] : self.geometry.coordinates) as Ring[][];
  const outer = polys[0]![0]!;
  const xs = outer.map((p) => p[0]);
  const ys = outer.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  let best: { p: [number, number]; d: number } | undefined;
  for (let i = 1; i < 20; i++) {
    for (let j = 1; j < 20; j++) {
      const p: [number, number] = [x0 + ((x1 - x0) * i) / 20, y0 + ((y1 - y0) * j) / 20];
      if (!inRing(p, outer)) continue;
      // Distance to the nearest edge: the larger, the safer inside.
      const d = Math.min(...outer.slice(1).map((b, k) => segmentDistance(p, outer[k]!, b)));
      if (!best || d > best.d) best = { p, d };
    }
  }
  expect(best, `a point inside ${gridCode}`).toBeTruthy();
  const point = { lng: Math.round(best!.p[0] * 1e6) / 1e6, lat: Math.round(best!.p[1] * 1e6) / 1e6 };
  const located = await request.get(`/api/locate?lng=${point.lng}&lat=${point.lat}`);
  expect(located.ok(), 'locate the point').toBeTruthy();
  expect(((await located.json()) as { node: { code: string } }).node.code).toBe(gridCode);
  const district = gridCode.slice(0, 6);
  const depts = (await (await request.get(`/api/departments?node=${district}&kind=police`)).json()) as { items: { nodeCode: string; name: string }[] };
  const police = depts.items.find((d) => d.nodeCode === district);
  expect(police, `a police department at ${district}`).toBeTruthy();
  await request.post('/api/auth/logout');
  return { point, policeDepartment: police!.name };
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** Writes a real (small, valid) PNG: a coloured square with a stripe, so uploads carry genuine image bytes. */
export function writePng(file: string, rgb: [number, number, number]): string {
  const size = 48;
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const o = y * (size * 3 + 1) + 1 + x * 3;
      const stripe = Math.abs(x - y) < 4;
      raw[o] = stripe ? 255 : rgb[0];
      raw[o + 1] = stripe ? 255 : rgb[1];
      raw[o + 2] = stripe ? 255 : rgb[2];
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, png);
  return file;
}

/** Opens `url`, lands on the sign-in page (the session is new), signs in, and is taken back to `url`. */
export async function signInAt(page: Page, url: string, who: DemoLogin): Promise<void> {
  await page.goto(url);
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel('用户名或手机号').fill(who.username);
  await page.getByLabel('密码', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page).not.toHaveURL(/\/login$/);
}

/** Chooses an option of an antd Select / TreeSelect: open it, type to search, click the option. */
export async function pickOption(page: Page, field: Locator, search: string, option: string | RegExp): Promise<void> {
  await field.click();
  await field.pressSequentially(search);
  const popup = page.locator('.ant-select-dropdown:visible, .ant-tree-select-dropdown:visible').last();
  await popup.getByTitle(option, { exact: typeof option === 'string' }).first().click();
}

/** The dialog of an action after clicking its button. */
export async function openAction(page: Page, label: string): Promise<Locator> {
  await page.getByTestId('case-actions').getByRole('button', { name: label, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: label });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Submits an action's dialog and waits for it to close. */
export async function submitAction(dialog: Locator): Promise<void> {
  await dialog.getByRole('button', { name: '提交', exact: true }).click();
  await expect(dialog).toBeHidden();
}

/** The case page's status (data-status on the page root), once it shows `status`. */
export async function expectStatus(page: Page, status: string): Promise<void> {
  await expect(page.getByTestId('case-page')).toHaveAttribute('data-status', status);
}

/** The actions of the timeline, oldest first. */
export async function timelineActions(page: Page): Promise<string[]> {
  const actions = await page.getByTestId('timeline-entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-action') ?? ''));
  return actions.reverse();
}
