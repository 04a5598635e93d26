/**
 * API test harness: a real database (the engine under test), the real app,
 * requests through `app.inject`. Factories create rows the way the app would.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig, type Config } from '../src/server/config.js';
import type { Db } from '../src/server/db/db.js';
import { buildApp } from '../src/server/app.js';
import type { AppDeps } from '../src/server/context.js';
import { loadDataKeys, maskPhone, PersonalData } from '../src/server/lib/personal-data.js';
import { hashPassword } from '../src/server/lib/passwords.js';
import { cityCodeOf, levelOfCode, pathOf, depthOf, type Level } from '../src/domain/tree.js';
import type { Role } from '../src/domain/permissions.js';
import { openTestDb, testEngine } from './engines.js';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  deps: AppDeps;
  config: Config;
}

export const TEST_PASSWORD = 'Test-pass-123';

/** Builds the app on a fresh test database for this file; closes both after the file. */
export function useTestApp(overrides: Partial<Config> = {}): TestApp {
  const t = {} as TestApp;
  beforeAll(async () => {
    t.db = await openTestDb();
    t.config = loadConfig({ WANGGE_MODE: 'test', LOG_LEVEL: 'silent' }, overrides);
    t.deps = { db: t.db, config: t.config, pd: new PersonalData(loadDataKeys(undefined)) };
    t.app = await buildApp(t.deps, { serveWeb: false, logger: false });
    await t.app.ready();
  }, 120_000);
  afterAll(async () => {
    await t.app?.close();
    await t.db?.close();
  });
  return t;
}

export const ENGINE = testEngine();

/** Square polygon around (lng, lat) with half-size d degrees, as WKT MultiPolygon. */
export function squareWkt(lng: number, lat: number, d: number): string {
  const [x0, x1, y0, y1] = [lng - d, lng + d, lat - d, lat + d];
  return `MULTIPOLYGON(((${x0} ${y0},${x1} ${y0},${x1} ${y1},${x0} ${y1},${x0} ${y0})))`;
}

export interface NodeSpec {
  code: string;
  name?: string;
  kind?: string;
  /** WKT of the boundary. */
  wkt?: string;
  status?: 'active' | 'retired';
}

/** Inserts nodes (parents first), deriving level, path and city code from the code. */
export async function buildNodes(db: Db, specs: NodeSpec[]): Promise<void> {
  for (const s of specs) {
    const level = levelOfCode(s.code) as Level;
    const parent = level === 'province' ? null : pathOf(s.code).split('.').slice(-2, -1)[0]!;
    await db.query(
      `INSERT INTO nodes (city_code, code, parent_code, name, level, kind, path, depth, boundary, status, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7::ltree, $8, ST_Multi(ST_GeomFromText($9, 4326)), $10, 'manual')`,
      [
        cityCodeOf(s.code),
        s.code,
        parent,
        s.name ?? `${level} ${s.code}`,
        level,
        s.kind ?? (['grid', 'unit', 'cell'].includes(level) ? 'comprehensive' : 'admin'),
        pathOf(s.code),
        depthOf(level),
        s.wkt ?? null,
        s.status ?? 'active',
      ],
    );
  }
}

/**
 * A small city for tests: province 44, city 4413, two districts, a street in
 * each, two communities under the first street with a grid each. Boxes nest.
 */
export const TREE = {
  province: '44',
  city: '4413',
  districtA: '441302',
  districtB: '441303',
  streetA: '441302001',
  streetB: '441303001',
  communityA1: '441302001001',
  communityA2: '441302001002',
  communityB1: '441303001001',
  gridA1: '441302001001001',
  gridA2: '441302001002001',
} as const;

export async function buildSmallCity(db: Db): Promise<void> {
  await buildNodes(db, [
    { code: TREE.province, name: '广东省' },
    { code: TREE.city, name: '惠州市', wkt: squareWkt(114.5, 23.0, 1) },
    { code: TREE.districtA, name: '惠城区', wkt: squareWkt(114.2, 23.0, 0.25) },
    { code: TREE.districtB, name: '惠阳区', wkt: squareWkt(114.8, 23.0, 0.25) },
    { code: TREE.streetA, name: '桥东街道', wkt: squareWkt(114.2, 23.0, 0.1) },
    { code: TREE.streetB, name: '淡水街道', wkt: squareWkt(114.8, 23.0, 0.1) },
    { code: TREE.communityA1, name: '东一社区', wkt: `MULTIPOLYGON(((114.1 22.9,114.2 22.9,114.2 23.1,114.1 23.1,114.1 22.9)))` },
    { code: TREE.communityA2, name: '东二社区', wkt: `MULTIPOLYGON(((114.2 22.9,114.3 22.9,114.3 23.1,114.2 23.1,114.2 22.9)))` },
    { code: TREE.communityB1, name: '淡水一社区', wkt: squareWkt(114.8, 23.0, 0.05) },
    { code: TREE.gridA1, name: '东一社区第一网格', wkt: `MULTIPOLYGON(((114.1 22.9,114.2 22.9,114.2 23.0,114.1 23.0,114.1 22.9)))` },
    { code: TREE.gridA2, name: '东二社区第一网格', wkt: `MULTIPOLYGON(((114.2 22.9,114.3 22.9,114.3 23.1,114.2 23.1,114.2 22.9)))` },
  ]);
}

let userSeq = 0;

export interface TestUser {
  id: string;
  username: string;
  password: string;
}

/** A user holding `role` at `node` (null = the whole tree, administrator only). */
export async function buildUser(
  db: Db,
  opts: { role?: Role; node?: string | null; departmentId?: number; phone?: string; username?: string; password?: string } = {},
): Promise<TestUser> {
  const username = opts.username ?? `user${++userSeq}_${Math.random().toString(36).slice(2, 7)}`;
  const password = opts.password ?? TEST_PASSWORD;
  const pd = new PersonalData(loadDataKeys(undefined));
  const node = opts.node === undefined ? TREE.city : opts.node;
  const rows = await db.query<{ id: string }>(
    `INSERT INTO users (city_code, username, display_name, phone_enc, phone_hash, phone_masked, password_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      node ? cityCodeOf(node) : '4413',
      username,
      `Test ${username}`,
      opts.phone ? pd.encrypt(opts.phone) : null,
      opts.phone ? pd.hash(opts.phone) : null,
      opts.phone ? maskPhone(opts.phone) : null,
      await hashPassword(password),
    ],
  );
  const id = rows[0]!.id;
  if (opts.role) {
    await db.query(`INSERT INTO role_assignments (city_code, user_id, role, node_code, department_id) VALUES ($1, $2, $3, $4, $5)`, [
      node ? cityCodeOf(node) : '4413',
      id,
      opts.role,
      node,
      opts.departmentId ?? null,
    ]);
  }
  return { id, username, password };
}

/** A signed-in client: cookie and CSRF header on every request. */
export interface Client {
  userId: string;
  request(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
}

export async function signIn(app: FastifyInstance, user: { username: string; password: string }): Promise<Client> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: user.username, password: user.password } });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'wangge_session')!;
  const { csrfToken, userId } = res.json() as { csrfToken: string; userId: string };
  const request = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: method as 'GET',
      url,
      payload: body as string | object | undefined,
      cookies: { wangge_session: cookie.value },
      headers: { 'x-csrf-token': csrfToken, ...headers },
    });
  return {
    userId,
    request,
    get: (url) => request('GET', url),
    post: (url, body) => request('POST', url, body ?? {}),
    patch: (url, body) => request('PATCH', url, body ?? {}),
    delete: (url) => request('DELETE', url),
  };
}

/** Creates a user with a role and signs them in. */
export async function clientAs(t: TestApp, role: Role, node: string | null = TREE.city, extra: { departmentId?: number } = {}): Promise<Client> {
  const u = await buildUser(t.db, { role, node, ...extra });
  return signIn(t.app, u);
}
