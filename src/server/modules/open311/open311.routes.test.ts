import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, clientAs, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { failOn } from '../../../../test/inject-failure.js';
import { asXmlText, keysOf, schemaErrors, xmlToJson } from './open311.test-helpers.js';

const t = useTestApp();
let admin: Client;
let dispatcher: Client;
const keys: Record<'A' | 'T' | 'B' | 'R', string> = { A: '', T: '', B: '', R: '' };
let partnerA = 0;

const IN_A = { lat: '22.95', long: '114.15' }; // grid A1
const IN_B = { lat: '23.0', long: '114.8' }; // community B1, district B
const POT = 'city_env.exposed_garbage'; // an event (published), with extra questions
const BIN = 'facility.street_light'; // a component (published), no extra questions
const PRIVATE = 'dispute.neighbour'; // a dispute: never published without a key

type Form = Record<string, string | string[]>;
function encode(f: Form): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) for (const x of Array.isArray(v) ? v : [v]) u.append(k, x);
  return u.toString();
}
const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
const post = (url: string, f: Form, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload: encode(f), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
const report = (f: Form = {}, url = '/open311/v2/requests.json') => post(url, { api_key: keys.A, service_code: BIN, ...IN_A, description: '路灯不亮', ...f });

/** The error body in both formats, checked for the spec's shape. */
function errorOf(res: { statusCode: number; body: string; headers: Record<string, unknown> }): { code: number; description: string } {
  if (String(res.headers['content-type']).includes('xml')) {
    expect(res.body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const j = xmlToJson(res.body) as { code: string; description: string }[];
    expect(j).toHaveLength(1);
    return { code: Number(j[0]!.code), description: j[0]!.description };
  }
  const j = JSON.parse(res.body) as { code: number; description: string }[];
  expect(Array.isArray(j) && j.length === 1 && Object.keys(j[0]!).sort().join()).toBe('code,description');
  return j[0]!;
}

/** XML and JSON of one GET agree by the spec's conversion rule. */
async function sameInBoth(pathNoSuffix: string, query = '', headers: Record<string, string> = {}) {
  const x = await get(`${pathNoSuffix}.xml${query}`, headers);
  const j = await get(`${pathNoSuffix}.json${query}`, headers);
  expect(x.statusCode).toBe(j.statusCode);
  expect(x.headers['content-type']).toMatch(/^text\/xml/);
  expect(j.headers['content-type']).toMatch(/^application\/json/);
  expect(x.body.startsWith('<?xml version="1.0" encoding="utf-8"?>\n')).toBe(true);
  expect(x.body).not.toMatch(/<[a-z_]+\/>|<([a-z_]+)><\/\1>/); // no empty elements
  expect(xmlToJson(x.body)).toEqual(asXmlText(j.json()));
  return j.json();
}

beforeAll(async () => {
  await buildSmallCity(t.db);
  admin = await clientAs(t, 'administrator', null);
  dispatcher = await clientAs(t, 'dispatcher', TREE.city);
  const mk = async (name: string, nodeCode: string, requestIds = 'immediate') => {
    const p = await admin.post('/api/partners', { name, nodeCode, requestIds });
    expect(p.statusCode).toBe(201);
    const k = await admin.post(`/api/partners/${p.json().id}/keys`, {});
    return { id: p.json().id as number, key: k.json().key as string, keyId: k.json().id as number };
  };
  const a = await mk('12345 热线', TREE.districtA);
  partnerA = a.id;
  keys.A = a.key;
  keys.T = (await mk('城市 App', TREE.districtA, 'after_acceptance')).key;
  keys.B = (await mk('惠阳 App', TREE.districtB)).key;
  const r = await mk('旧系统', TREE.districtA);
  keys.R = r.key;
  expect((await admin.post(`/api/partners/${r.id}/keys/${r.keyId}/revoke`)).statusCode).toBe(200);
  const put = await admin.request('PUT', `/api/open311/services/${POT}/attributes`, {
    attributes: [
      { code: 'depth', datatype: 'number', required: true, variable: true, description: '垃圾堆高度（厘米）', datatype_description: 'an integer', order: 1 },
      { code: 'shape', datatype: 'singlevaluelist', required: false, variable: true, description: '形状', order: 2, values: [{ key: 'square', name: '方形' }, { key: 'circle', name: '圆形' }, { key: 'triangle', name: '三角形' }] },
      { code: 'kinds', datatype: 'multivaluelist', required: false, variable: true, description: '垃圾种类', order: 3, values: [{ key: 'food', name: '厨余' }, { key: 'bulky', name: '大件' }] },
      { code: 'seen_at', datatype: 'datetime', required: false, variable: true, description: '发现时间', order: 4 },
      { code: 'plate', datatype: 'string', required: false, variable: true, description: '车牌（如有）', order: 5 },
      { code: 'more', datatype: 'text', required: false, variable: true, description: '补充说明', order: 6 },
      { code: 'notice', datatype: 'string', required: false, variable: false, description: '请勿在夜间靠近', order: 7 },
    ],
  });
  expect(put.statusCode, put.body).toBe(200);
});

describe('attribute editor (/api/open311/services/:code/attributes)', () => {
  it('401, 403 for a non-city manager, 404, 400 naming the field; the list is stored on the category', async () => {
    expect((await get(`/api/open311/services/${POT}/attributes`)).statusCode).toBe(401);
    const districtAdmin = await clientAs(t, 'administrator', TREE.districtA);
    expect((await districtAdmin.request('PUT', `/api/open311/services/${BIN}/attributes`, { attributes: [] })).statusCode).toBe(403);
    expect((await dispatcher.request('PUT', `/api/open311/services/${BIN}/attributes`, { attributes: [] })).statusCode).toBe(403);
    expect((await admin.request('PUT', '/api/open311/services/no.such/attributes', { attributes: [] })).statusCode).toBe(404);
    const twice = await admin.request('PUT', `/api/open311/services/${BIN}/attributes`, {
      attributes: [
        { code: 'a', datatype: 'singlevaluelist', required: false, variable: true, description: 'x', order: 1 },
        { code: 'a', datatype: 'string', required: false, variable: true, description: 'y', order: 2, values: [{ key: 'k', name: 'n' }] },
      ],
    });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().fields.map((f: { field: string }) => f.field)).toEqual(['attributes.0.values', 'attributes.1.code', 'attributes.1.values']);
    const badType = await admin.request('PUT', `/api/open311/services/${BIN}/attributes`, { attributes: [{ code: 'a', datatype: 'colour', required: false, variable: true, description: 'x', order: 1 }] });
    expect(badType.statusCode).toBe(400);
    expect(badType.json().fields[0].field).toBe('attributes.0.datatype');
    const got = await dispatcher.get(`/api/open311/services/${POT}/attributes`);
    expect(got.statusCode).toBe(200);
    expect(got.json().attributes.map((a: { code: string }) => a.code)).toEqual(['depth', 'shape', 'kinds', 'seen_at', 'plate', 'more', 'notice']);
    const [row] = await t.db.query<{ attributes: { code: string }[] }>('SELECT attributes FROM categories WHERE code = $1', [POT]);
    expect(row!.attributes).toHaveLength(7);
  });
});

describe('discovery and services', () => {
  it('the Open311 and partner routes are in the OpenAPI document with tags and summaries', async () => {
    const doc = (await get('/docs/json')).json() as { paths: Record<string, Record<string, { tags?: string[]; summary?: string }>> };
    for (const [p, m] of [['/open311/v2/requests.json', 'post'], ['/open311/v2/requests/{id}', 'get'], ['/open311/v2/servicerequestupdates.xml', 'get'], ['/api/partners/{id}/keys', 'post'], ['/api/open311/services/{code}/attributes', 'put']] as const) {
      expect(doc.paths[p]?.[m], p).toBeDefined();
      expect(doc.paths[p]![m]!.tags!.length).toBeGreaterThan(0);
      expect(doc.paths[p]![m]!.summary).toBeTruthy();
    }
  });

  it('discovery at /open311/discovery and /open311/v2/discovery, XML and JSON agree', async () => {
    const d = (await sameInBoth('/open311/discovery')) as { endpoints: { url: string; formats: string[]; type: string }[]; changeset: string };
    expect(d.endpoints[0]!.url).toMatch(/\/open311\/v2$/);
    expect(d.endpoints[0]!.formats).toEqual(['text/xml', 'application/json']);
    expect(d.changeset).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await sameInBoth('/open311/v2/discovery');
  });

  it('services: the active categories, valid against the official schema, realtime without a key, batch for a token partner', async () => {
    const list = (await sameInBoth('/open311/v2/services')) as { service_code: string; metadata: boolean; type: string; group?: string; keywords?: string }[];
    expect(schemaErrors('services', list)).toBeNull();
    const pot = list.find((s) => s.service_code === POT)!;
    expect(pot).toMatchObject({ metadata: true, type: 'realtime', group: '市容环境' });
    expect(list.find((s) => s.service_code === BIN)!.metadata).toBe(false);
    const batch = (await sameInBoth('/open311/v2/services', `?api_key=${keys.T}`)) as { type: string }[];
    expect(new Set(batch.map((s) => s.type))).toEqual(new Set(['batch']));
    const en = (await get('/open311/v2/services.json', { 'accept-language': 'en-GB,en;q=0.9' })).json();
    expect(en.find((s: { service_code: string }) => s.service_code === POT).service_name).toBe('Exposed garbage');
  });

  it('service definition: all six datatypes, values, required, order; 404 in the spec format', async () => {
    const def = (await sameInBoth(`/open311/v2/services/${POT}`)) as { service_code: string; attributes: { code: string; datatype: string; order: number; values?: unknown[]; variable: boolean }[] };
    expect(schemaErrors('service-definition', def)).toBeNull();
    expect(new Set(def.attributes.map((a) => a.datatype))).toEqual(new Set(['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist']));
    expect(def.attributes.map((a) => a.order)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(def.attributes.find((a) => a.code === 'shape')!.values).toEqual([{ key: 'square', name: '方形' }, { key: 'circle', name: '圆形' }, { key: 'triangle', name: '三角形' }]);
    expect(def.attributes.find((a) => a.code === 'depth')).not.toHaveProperty('values');
    const empty = (await sameInBoth(`/open311/v2/services/${BIN}`)) as { attributes: unknown[] };
    expect(empty.attributes ?? []).toEqual([]);
    for (const sfx of ['.xml', '.json']) {
      const nf = await get(`/open311/v2/services/BADGER${sfx}`);
      expect(nf.statusCode).toBe(404);
      expect(errorOf(nf)).toEqual({ code: 404, description: 'service_code not found: BADGER' });
    }
  });
});

describe('POST requests', () => {
  it('403 in the spec format without a key, with a wrong key, with a revoked key; nothing written', async () => {
    for (const [f, url] of [
      [{}, '/open311/v2/requests.json'],
      [{ service_code: BIN, ...IN_A }, '/open311/v2/requests.xml'],
      [{ api_key: 'WRONG', service_code: BIN, ...IN_A }, '/open311/v2/requests.json'],
      [{ api_key: keys.R, service_code: BIN, ...IN_A }, '/open311/v2/requests.xml'],
    ] as [Form, string][]) {
      const res = await post(url, f);
      expect(res.statusCode, JSON.stringify(f)).toBe(403);
      expect(errorOf(res).code).toBe(403);
    }
    expect(await t.db.query(`SELECT 1 FROM cases`)).toHaveLength(0);
    // The key never reaches the audit log, even on a failure.
    const audit = await t.db.query<{ detail: unknown }>(`SELECT detail FROM audit_log WHERE action LIKE 'POST /open311%'`);
    expect(audit.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit)).not.toContain('WRONG');
    expect(JSON.stringify(audit)).not.toContain(keys.R);
  });

  it('400 naming the parameter; 404 for an unknown service_code', async () => {
    const cases: [Form, number, string][] = [
      [{ service_code: '' }, 400, 'service_code'],
      [{ service_code: 'BADGER' }, 404, 'service_code'],
      [{ lat: '', long: '', address_string: '' }, 400, 'lat'],
      [{ lat: '22.95', long: '' }, 400, 'long'],
      [{ lat: '', long: '114.1' }, 400, 'lat'],
      [{ lat: '95', long: '114.1' }, 400, 'lat'],
      [{ lat: 'north', long: '114.1' }, 400, 'lat'],
      [{ lat: '22.9', long: '200' }, 400, 'long'],
      [IN_B, 400, 'lat'], // district B: outside the key's part of the tree
      [{ lat: '30', long: '100' }, 400, 'lat'], // outside every node
      [{ description: 'x'.repeat(4001) }, 400, 'description'],
      [{ media_url: 'ftp://example.org/a.jpg' }, 400, 'media_url'],
      [{ media_url: Array.from({ length: 11 }, (_, i) => `https://example.org/${i}.jpg`) }, 400, 'media_url'],
      [{ email: 'not-an-address' }, 400, 'email'],
      [{ crs: 'mercator' }, 400, 'crs'],
      [{ service_code: POT }, 400, 'attribute[depth]'],
      [{ service_code: POT, 'attribute[depth]': 'deep' }, 400, 'attribute[depth]'],
      [{ service_code: POT, 'attribute[depth]': '100', 'attribute[shape]': 'starfish' }, 400, 'attribute[shape]'],
      [{ service_code: POT, 'attribute[depth]': '100', 'attribute[kinds]': ['food', 'glass'] }, 400, 'attribute[kinds]'],
      [{ service_code: POT, 'attribute[depth]': '100', 'attribute[seen_at]': 'yesterday' }, 400, 'attribute[seen_at]'],
      [{ service_code: POT, 'attribute[depth]': '100', 'attribute[colour]': 'red' }, 400, 'attribute[colour]'],
      [{ service_code: POT, 'attribute[depth]': '100', 'attribute[notice]': 'ok' }, 400, 'attribute[notice]'],
      [{ jurisdiction_id: 'city.gov' }, 404, 'jurisdiction_id'],
      [{ jurisdiction_id: TREE.city.slice(0, 2) + '99' }, 404, 'jurisdiction_id'],
    ];
    for (const [f, status, field] of cases) {
      const res = await report(f);
      expect(res.statusCode, `${JSON.stringify(f).slice(0, 120)} → ${res.body}`).toBe(status);
      expect(errorOf(res).description).toContain(field);
    }
    expect(await t.db.query(`SELECT 1 FROM cases`)).toHaveLength(0);
  });

  it('form-encoded with jurisdiction_id in the query, repeated media_url, every datatype: a partner case through the one intake', async () => {
    const res = await post(`/open311/v2/requests.xml?jurisdiction_id=${TREE.city}`, {
      api_key: keys.A, service_code: POT, ...IN_A, description: '小区门口堆了一堆垃圾', first_name: '小明', last_name: '王', phone: '13800138000', email: 'wang@example.org',
      account_id: 'acc-9', device_id: 'dev-1', media_url: ['https://img.example.org/1.jpg', 'https://img.example.org/2.jpg'],
      'attribute[depth]': '100', 'attribute[shape]': 'triangle', 'attribute[kinds]': ['food', 'bulky'], 'attribute[seen_at]': '2026-11-20T08:00:00+08:00',
      'attribute[plate]': '粤L12345', 'attribute[more]': '很臭',
    });
    expect(res.statusCode, res.body).toBe(200);
    const [r] = xmlToJson(res.body) as { service_request_id: string; service_notice: string; account_id: string; token?: string }[];
    expect(r!.token).toBeUndefined();
    expect(r!.account_id).toBe('acc-9');
    expect(r!.service_notice).toMatch(/受理/);
    const [c] = await t.db.query<Record<string, unknown>>(
      `SELECT id, channel, partner_id, created_by::text AS created_by, category_code, node_code, placed_by, status, reporter_name, reporter_phone_masked, reporter_id,
              accept_due_at, handling_level, attributes FROM cases WHERE id = $1`,
      [Number(r!.service_request_id)],
    );
    const [p] = await t.db.query<{ actor_id: string }>('SELECT actor_id::text AS actor_id FROM partners WHERE id = $1', [partnerA]);
    expect(c).toMatchObject({ channel: 'partner', partner_id: partnerA, created_by: p!.actor_id, category_code: POT, node_code: TREE.gridA1, placed_by: 'location', status: 'reported', reporter_name: '王小明', reporter_phone_masked: '138****8000', reporter_id: null });
    expect(c!.accept_due_at).toBeInstanceOf(Date);
    expect(c!.handling_level).toBeTruthy();
    const attrs = c!.attributes as Record<string, unknown> & { open311: Record<string, unknown> };
    expect(attrs).toMatchObject({ depth: 100, shape: 'triangle', kinds: ['food', 'bulky'], seen_at: '2026-11-20T00:00:00.000Z', plate: '粤L12345', more: '很臭' });
    expect(attrs.open311).toMatchObject({ media_url: ['https://img.example.org/1.jpg', 'https://img.example.org/2.jpg'], account_id: 'acc-9', device_id: 'dev-1' });
    expect(JSON.stringify(attrs)).not.toContain('wang@example.org'); // e-mail stored encrypted
    const events = await t.db.query<{ action: string; data: { channel: string } }>('SELECT action, data FROM case_events WHERE case_id = $1', [c!.id]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'report', data: { channel: 'partner' } });
    expect(await t.db.query(`SELECT 1 FROM outbox WHERE topic = 'case.reported' AND (payload ->> 'caseId')::bigint = $1`, [c!.id])).toHaveLength(1);
    expect(await t.db.query(`SELECT 1 FROM audit_log WHERE action = 'open311.request.create' AND resource_id = $1`, [String(c!.id)])).toHaveLength(1);
  });

  it('JSON bodies, address_string only, an optional list left empty, Idempotency-Key and partner_request_id make retries safe', async () => {
    const json = await t.app.inject({ method: 'POST', url: '/open311/v2/requests.json', payload: { api_key: keys.A, service_code: BIN, lat: 22.95, long: 114.15, attribute: { colour: 'any' } } });
    expect(json.statusCode, json.body).toBe(200);
    const addr = await report({ lat: '', long: '', address_string: '惠州市东二社区文明路 3 号', 'attribute[shape]': '' });
    expect(addr.statusCode, addr.body).toBe(200);
    const [placed] = await t.db.query<{ node_code: string; placed_by: string }>('SELECT node_code, placed_by FROM cases WHERE id = $1', [Number(addr.json()[0].service_request_id)]);
    expect(placed).toEqual({ node_code: TREE.communityA2, placed_by: 'address' });
    const once = await report({}, '/open311/v2/requests.json');
    const first = await report({ description: '重试' }, '/open311/v2/requests.json');
    const h = { 'idempotency-key': 'retry-1' };
    const a = await post('/open311/v2/requests.json', { api_key: keys.A, service_code: BIN, ...IN_A }, h);
    const b = await post('/open311/v2/requests.json', { api_key: keys.A, service_code: BIN, ...IN_A }, h);
    expect(a.json()[0].service_request_id).toBe(b.json()[0].service_request_id);
    const c1 = await report({ partner_request_id: 'P-77' });
    const c2 = await report({ partner_request_id: 'P-77' });
    expect(c1.json()[0].service_request_id).toBe(c2.json()[0].service_request_id);
    expect(once.json()[0].service_request_id).not.toBe(first.json()[0].service_request_id);
    expect(await t.db.query(`SELECT 1 FROM cases WHERE idempotency_key IN ('retry-1', 'P-77')`)).toHaveLength(2);
  });

  it('the audit entry is written with the case, exactly once per created case; a failed audit leaves no case', async () => {
    const first = await report({ partner_request_id: 'AUDIT-1' });
    const again = await report({ partner_request_id: 'AUDIT-1' });
    const id = first.json()[0].service_request_id;
    expect(again.json()[0].service_request_id).toBe(id);
    const rows = await t.db.query<{ action: string; actor_name: string; status_code: number; detail: Record<string, unknown> }>(
      `SELECT action, actor_name, status_code, detail FROM audit_log WHERE resource = 'cases' AND resource_id = $1`,
      [id],
    );
    expect(rows).toEqual([{ action: 'open311.request.create', actor_name: expect.any(String), status_code: 200, detail: { partnerId: partnerA, keyId: expect.anything(), serviceCode: BIN } }]);
    // Every partner case so far has its one entry.
    const perCase = await t.db.query<{ n: number }>(
      `SELECT count(a.*)::int AS n FROM cases c LEFT JOIN audit_log a ON a.resource = 'cases' AND a.resource_id = c.id::text WHERE c.channel = 'partner' GROUP BY c.id`,
    );
    expect(perCase.length).toBeGreaterThan(3);
    expect(perCase.every((r) => r.n === 1)).toBe(true);

    const cases = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases'))[0]!.n;
    const before = await cases();
    const restore = await failOn(t.db, 'audit_log', 'INSERT', `NEW.action = 'open311.request.create'`);
    try {
      const res = await report({ description: '审计写入失败' });
      expect(res.statusCode, res.body).toBe(500);
    } finally {
      await restore();
    }
    expect(await cases()).toBe(before);
  });
});

describe('GET requests', () => {
  let inA: string;
  let inB: string;
  let privateA: string;

  beforeAll(async () => {
    inA = (await report({ description: '路灯坏了 A' })).json()[0].service_request_id;
    inB = (await post('/open311/v2/requests.json', { api_key: keys.B, service_code: BIN, ...IN_B, description: '路灯坏了 B', phone: '13900139000', first_name: '李四' })).json()[0].service_request_id;
    privateA = (await report({ service_code: PRIVATE, description: '邻居噪音纠纷', phone: '13700137000' })).json()[0].service_request_id;
  });

  it('valid against the official schema, XML⇄JSON, no personal data, datetimes in UTC Z', async () => {
    const list = (await sameInBoth('/open311/v2/requests', `?api_key=${keys.A}`)) as Record<string, unknown>[];
    expect(schemaErrors('requests', list)).toBeNull();
    const ids = list.map((r) => r.service_request_id);
    expect(ids).toContain(inA);
    expect(ids).toContain(privateA);
    expect(ids).not.toContain(inB);
    const body = JSON.stringify(list);
    for (const pii of ['13800138000', '138****8000', '王小明', '13700137000', 'wang@example.org', 'acc-9']) expect(body).not.toContain(pii);
    const one = list.find((r) => r.service_request_id === inA)!;
    expect(one).toMatchObject({ status: 'open', status_notes: '待受理', service_code: BIN, service_name: '路灯故障', lat: 22.95, long: 114.15 });
    expect(String(one.requested_datetime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(one).not.toHaveProperty('address'); // empty optional elements are omitted
    expect(one).not.toHaveProperty('expected_datetime');
  });

  it('phone and ID numbers in free text are masked in everything Open311 shows', async () => {
    const id = (await report({ description: '请联系 13800138000，身份证44130219900101123X，座机0752-2345678' })).json()[0].service_request_id;
    const [r] = (await get(`/open311/v2/requests/${id}.json?api_key=${keys.A}&extensions=true`)).json();
    expect(r.description).toBe('请联系 138****8000，身份证441302********123X，座机0752-****5678');
    expect(JSON.stringify(r)).not.toMatch(/13800138000|19900101|2345678/);
    const [row] = await t.db.query<{ description: string }>('SELECT description FROM cases WHERE id = $1', [Number(id)]);
    expect(row!.description).toContain('13800138000'); // the case itself keeps what was said
  });

  it('without a key: only what is safe to publish', async () => {
    const list = (await sameInBoth('/open311/v2/requests')) as { service_request_id: string; service_code: string }[];
    expect(schemaErrors('requests', list)).toBeNull();
    const ids = list.map((r) => r.service_request_id);
    expect(ids).toContain(inA);
    expect(ids).toContain(inB);
    expect(ids).not.toContain(privateA);
    expect((await get(`/open311/v2/requests/${privateA}.json`)).statusCode).toBe(404);
    const ext = (await get(`/open311/v2/requests/${inA}.json?extensions=true`)).json()[0];
    expect(ext).not.toHaveProperty('attributes');
    expect(JSON.stringify(ext)).not.toContain('13800138000');
  });

  it('requests/{id}: a one-element list; out of the key\'s subtree 404; unknown 404', async () => {
    const one = (await sameInBoth(`/open311/v2/requests/${inA}`, `?api_key=${keys.A}`)) as unknown[];
    expect(one).toHaveLength(1);
    expect(schemaErrors('requests', one)).toBeNull();
    for (const url of [`/open311/v2/requests/${inB}.json?api_key=${keys.A}`, `/open311/v2/requests/${privateA}.xml?api_key=${keys.B}`, '/open311/v2/requests/999999.json', '/open311/v2/requests/abc.xml']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(errorOf(res).code).toBe(404);
    }
  });

  it('filters: service_request_id list, service_code list, status, dates, updated_after, page/page_size; empty = absent; 400 naming the parameter', async () => {
    const ids = async (q: string) => ((await get(`/open311/v2/requests.json?api_key=${keys.A}&${q}`)).json() as { service_request_id: string }[]).map((r) => r.service_request_id);
    expect(await ids(`service_request_id=${inA},${privateA},${inB}`)).toEqual([privateA, inA]);
    expect(await ids(`service_code=${PRIVATE}`)).toEqual([privateA]);
    expect((await ids(`service_code=${PRIVATE},${BIN}`)).length).toBeGreaterThan(2);
    expect(await ids(`service_code=${PRIVATE}&status=closed`)).toEqual([]);
    expect(await ids(`service_code=${PRIVATE}&status=open`)).toEqual([privateA]);
    expect(await ids(`service_code=${PRIVATE}&status=open,closed`)).toEqual([privateA]);
    expect(await ids(`service_code=${PRIVATE}&start_date=2030-01-01T00:00:00Z`)).toEqual([]);
    expect(await ids(`service_code=${PRIVATE}&end_date=2020-01-01T00:00:00Z`)).toEqual([]);
    expect(await ids(`service_code=${PRIVATE}&start_date=&end_date=&status=&page=&page_size=`)).toEqual([privateA]);
    expect(await ids(`service_code=${PRIVATE}&updated_after=2020-01-01T00:00:00%2B08:00`)).toEqual([privateA]);
    const all = await ids('');
    const p1 = await ids('page_size=2');
    const p2 = await ids('page_size=2&page=2');
    expect(p1).toEqual(all.slice(0, 2));
    expect(p2).toEqual(all.slice(2, 4));
    for (const [q, field] of [['start_date=yesterday', 'start_date'], ['page_size=0', 'page_size'], ['page_size=1001', 'page_size'], ['page=-1', 'page'], ['status=pending', 'status'], ['service_request_id=1;drop', 'service_request_id'], ['start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z', 'start_date']]) {
      const res = await get(`/open311/v2/requests.xml?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(errorOf(res).description).toContain(field);
    }
  });

  it('client quirks: no suffix answers XML (JSON when Accept asks), trailing and doubled slashes', async () => {
    const x = await get('/open311/v2/requests');
    expect(x.headers['content-type']).toMatch(/^text\/xml/);
    expect((await get('/open311/v2/requests', { accept: 'application/json' })).headers['content-type']).toMatch(/^application\/json/);
    for (const url of ['/open311/v2/requests.json/', '/open311//v2//requests.json', `/open311/v2/requests/${inA}.json/`, '/open311/v2/services.xml/', `//open311/v2/services/${POT}.json`]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
    }
    expect((await get('/open311/v2/nothing.json')).statusCode).toBe(404);
    expect(errorOf(await get('/open311/v2/nothing.json')).code).toBe(404);
  });

  it('status mapping through the lifecycle: status_notes, agency_responsible, expected_datetime; extensions=true adds the timeline', async () => {
    expect((await dispatcher.post(`/api/cases/${inA}/accept`, {})).statusCode).toBe(200);
    const disp = await dispatcher.post(`/api/cases/${inA}/dispatch`, { handler: { type: 'node_office', nodeCode: TREE.streetA }, reason: '街道处理' });
    expect(disp.statusCode, disp.body).toBe(200);
    const [r] = (await get(`/open311/v2/requests/${inA}.json?api_key=${keys.A}&extensions=true`)).json();
    const [due] = await t.db.query<{ handle_due_at: Date }>('SELECT handle_due_at FROM cases WHERE id = $1', [Number(inA)]);
    expect(r).toMatchObject({ status: 'open', status_notes: '已派遣，待签收', agency_responsible: '桥东街道', expected_datetime: due!.handle_due_at.toISOString().replace(/\.\d{3}Z$/, 'Z') });
    expect(r.notes.map((n: { type: string }) => n.type)).toEqual(['report', 'accept', 'dispatch']);
    expect(r.extended_attributes).toMatchObject({ channel: 'partner', grid: TREE.gridA1 });
    await sameInBoth(`/open311/v2/requests/${inA}`, `?api_key=${keys.A}&extensions=true`);
    const rej = await dispatcher.post(`/api/cases/${privateA}/reject`, { reason: '属于民事纠纷，请走调解渠道' });
    expect(rej.statusCode, rej.body).toBe(200);
    const [x] = (await get(`/open311/v2/requests/${privateA}.json?api_key=${keys.A}`, { 'accept-language': 'zh-CN' })).json();
    expect(x).toMatchObject({ status: 'closed', status_notes: '不予受理：属于民事纠纷，请走调解渠道' });
    const [en] = (await get(`/open311/v2/requests/${privateA}.json?api_key=${keys.A}&locale=en`)).json();
    expect(en.status_notes).toBe('Not accepted: 属于民事纠纷，请走调解渠道');
  });
});

describe('tokens (partners whose ids come after acceptance)', () => {
  it('POST answers a token (no id); tokens/{token} gives the id once a dispatcher responded; unknown 404', async () => {
    const res = await post('/open311/v2/requests.json', { api_key: keys.T, service_code: BIN, ...IN_A });
    expect(res.statusCode, res.body).toBe(200);
    const [r] = res.json();
    expect(r).not.toHaveProperty('service_request_id');
    expect(r.token).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const before = (await sameInBoth(`/open311/v2/tokens/${r.token}`)) as unknown[];
    expect(before).toEqual([{ token: r.token }]);
    const [c] = await t.db.query<{ id: number }>(`SELECT id FROM cases WHERE attributes -> 'open311' ->> 'token' = $1`, [r.token]);
    expect((await dispatcher.post(`/api/cases/${c!.id}/accept`, {})).statusCode).toBe(200);
    const after = (await sameInBoth(`/open311/v2/tokens/${r.token}`)) as unknown[];
    expect(after).toEqual([{ service_request_id: String(c!.id), token: r.token }]);
    const nf = await get('/open311/v2/tokens/nosuchtoken123.xml');
    expect(nf.statusCode).toBe(404);
    expect(errorOf(nf).description).toContain('token');
  });
});

describe('servicerequestupdates (mySociety)', () => {
  let id: string;
  beforeAll(async () => {
    id = (await report({ description: '井盖松动' })).json()[0].service_request_id;
  });

  it('POST needs a key (403), a visible request (404), a description (400); appends a comment to the timeline; update_id makes retries safe', async () => {
    expect((await post('/open311/v2/servicerequestupdates.json', { service_request_id: id, description: 'x' })).statusCode).toBe(403);
    expect((await post('/open311/v2/servicerequestupdates.json', { api_key: keys.B, service_request_id: id, description: 'x' })).statusCode).toBe(404);
    const missing = await post('/open311/v2/servicerequestupdates.xml', { api_key: keys.A, service_request_id: id });
    expect(missing.statusCode).toBe(400);
    expect(errorOf(missing).description).toContain('description');
    const f = { api_key: keys.A, service_request_id: id, update_id: 'fms-1', description: '居民补充：晚上更危险', status: 'OPEN', updated_datetime: '2026-11-22T08:00:00+08:00', first_name: 'Bob', media_url: 'https://img.example.org/3.jpg' };
    const a = await post('/open311/v2/servicerequestupdates.xml', f);
    expect(a.statusCode, a.body).toBe(200);
    const [u] = xmlToJson(a.body) as { update_id: string }[];
    expect(u!.update_id).toBe(`${id}-2`);
    const b = await post('/open311/v2/servicerequestupdates.json', f);
    expect(b.json()).toEqual([{ update_id: `${id}-2` }]);
    const rows = await t.db.query<{ seq: number; action: string; note: string; from_status: string; to_status: string; actor_role: string }>(
      'SELECT seq, action, note, from_status, to_status, actor_role FROM case_events WHERE case_id = $1 ORDER BY seq',
      [Number(id)],
    );
    expect(rows.map((r) => r.action)).toEqual(['report', 'comment']);
    expect(rows[1]).toMatchObject({ note: '居民补充：晚上更危险', from_status: 'reported', to_status: 'reported', actor_role: 'partner' });
    const [c] = await t.db.query<{ event_seq: number; status: string }>('SELECT event_seq, status FROM cases WHERE id = $1', [Number(id)]);
    expect(c).toEqual({ event_seq: 2, status: 'reported' });
  });

  it('GET lists updates in the window, XML⇄JSON; start_date after them → empty container', async () => {
    const list = (await sameInBoth('/open311/v2/servicerequestupdates', `?api_key=${keys.A}`)) as { service_request_id: string; description: string; status: string; update_id: string; media_url?: string }[];
    const mine = list.filter((u) => u.service_request_id === id);
    expect(mine).toEqual([{ update_id: `${id}-2`, service_request_id: id, status: 'open', updated_datetime: expect.stringMatching(/Z$/), description: '留言：居民补充：晚上更危险', media_url: 'https://img.example.org/3.jpg' }]);
    expect(list.some((u) => u.description.startsWith('已受理'))).toBe(true);
    const empty = await get(`/open311/v2/servicerequestupdates.xml?api_key=${keys.A}&start_date=2099-01-01T00:00:00Z`);
    expect(empty.statusCode).toBe(200);
    expect(xmlToJson(empty.body)).toEqual([]);
    const old = await get(`/open311/v2/servicerequestupdates.json?api_key=${keys.A}&end_date=2020-01-01T00:00:00Z`);
    expect(old.json()).toEqual([]);
    const bad = await get('/open311/v2/servicerequestupdates.json?start_date=soon');
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).description).toContain('start_date');
  });
});

describe('rate limit (last: it exhausts this address)', () => {
  it('unkeyed GETs are limited per address and endpoint with a 429 in the spec format; a keyed partner is not', async () => {
    let limited: Awaited<ReturnType<typeof get>> | undefined;
    let n = 0;
    for (; n < 400 && !limited; n++) {
      const res = await get('/open311/v2/discovery.json');
      if (res.statusCode === 429) limited = res;
      else expect(res.statusCode).toBe(200);
    }
    expect(limited).toBeDefined();
    expect(n).toBeLessThanOrEqual(301);
    expect(errorOf(limited!).code).toBe(429);
    expect((await get(`/open311/v2/services.xml?api_key=${keys.A}`)).statusCode).toBe(200);
    expect((await get('/open311/v2/discovery.json')).statusCode).toBe(429);
  });
});
