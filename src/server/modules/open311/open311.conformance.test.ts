/**
 * Replays the GeoReport v2 spec's examples (spec-v2-normalized/manifest.json)
 * and mySociety's open311-adapter scenarios (scenarios.json) against Wangge.
 * Their data is illustrative (service 001, request 638344, jurisdiction
 * city.gov, a clock fixed in 2014), so identifiers are mapped onto ours and the
 * comparison is of shape: status, element names (ours within the spec's, or the
 * official schema's), the JSON Schemas, XML⇄JSON, and where the content is ours
 * to choose (service definitions) the exact structure.
 *
 * Not applicable, and why:
 * - byte equality of mySociety's XML: XML::Simple sorts keys; GeoReport element order is free;
 * - their fixed timestamps (2014) and ids 0/1: our ids are the case ids and time is real —
 *   windows are replayed relative to our own update's time instead;
 * - `address_id`, `zipcode`: Chinese addresses have neither; they are omitted (optional);
 * - `requests_service_code_BIN_empty`: BIN has cases here (the "let through" scenario made one),
 *   so the empty-container case is replayed on a service that has none.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, clientAs, TREE, useTestApp } from '../../../../test/harness.js';
import { asXmlText, keysOf, readShared, schemaErrors, SHARED, xmlToJson } from './open311.test-helpers.js';

const t = useTestApp();
const POT = 'city_env.exposed_garbage';
const SPOT = 'city_env.debris_pile';
const BIN = 'facility.street_light';
const UNUSED = 'facility.manhole_cover';
const HERE = { lat: '22.95', long: '114.15' };
let key = '';
let tokenKey = '';
const REQUEST_PROPS = new Set(Object.keys(JSON.parse(readShared('schema-validation/request.json')).properties as object));

const get = (url: string) => t.app.inject({ method: 'GET', url });
function post(url: string, form: Record<string, string> | string) {
  const payload = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  return t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } });
}
const bodyOf = (res: { body: string; headers: Record<string, unknown> }) => (String(res.headers['content-type']).includes('xml') ? xmlToJson(res.body) : JSON.parse(res.body));
const specBody = (dir: string, file: string) => (file.endsWith('.xml') ? xmlToJson(readShared(`${dir}/${file}`)) : JSON.parse(readShared(`${dir}/${file}`)));
const subset = (ours: Set<string>, theirs: Set<string>) => [...ours].filter((k) => !theirs.has(k));

const potAttributes = (order: string[]) => [
  { code: 'depth', datatype: 'number', required: true, variable: true, description: 'depth of pothole, in centimetres', datatype_description: 'an integer', order: 1 },
  {
    code: 'shape', datatype: 'singlevaluelist', required: false, variable: true, description: 'shape of the pothole', datatype_description: 'square | circle | triangle', order: 2,
    values: order.map((k) => ({ key: k, name: k[0]!.toUpperCase() + k.slice(1) })),
  },
];

beforeAll(async () => {
  await buildSmallCity(t.db);
  const admin = await clientAs(t, 'administrator', null);
  const mk = async (name: string, requestIds: string) => {
    const p = await admin.post('/api/partners', { name, nodeCode: TREE.city, requestIds });
    return (await admin.post(`/api/partners/${p.json().id}/keys`, {})).json().key as string;
  };
  key = await mk('FixMyStreet 惠州', 'immediate');
  tokenKey = await mk('批量系统', 'after_acceptance');
  for (const [code, order] of [[POT, ['circle', 'square', 'triangle']], [SPOT, ['circle', 'triangle', 'square']]] as const) {
    const res = await admin.request('PUT', `/api/open311/services/${code}/attributes`, { attributes: potAttributes([...order]) });
    expect(res.statusCode).toBe(200);
  }
});

describe('GeoReport v2 spec examples (manifest.json)', () => {
  const manifest = JSON.parse(readFileSync(path.join(SHARED, 'spec-v2-normalized/manifest.json'), 'utf8')) as {
    fixtures: { method: string; path: string; status: number; body: string; json_schema?: string; form?: Record<string, string>; form_file?: string }[];
  };
  let requestId = '';
  let token = '';

  it('covers every fixture of the manifest', () => {
    expect(manifest.fixtures).toHaveLength(17);
  });

  it.each(manifest.fixtures.map((f) => [`${f.method} ${f.path}`, f] as const))('%s', async (_name, f) => {
    if (!requestId) {
      requestId = (await post('/open311/v2/requests.json', { api_key: key, service_code: BIN, ...HERE, description: '路灯不亮', media_url: 'https://img.example.org/a.jpg' })).json()[0].service_request_id;
      token = (await post('/open311/v2/requests.json', { api_key: tokenKey, service_code: BIN, ...HERE })).json()[0].token;
    }
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // The spec's identifiers mapped onto ours.
    let url = f.path
      .replace('city.gov', TREE.city)
      .replace('DMV66', POT)
      .replace('638344', requestId)
      .replace('tokens/12345', `tokens/${token}`)
      .replace('2010-05-24T00:00:00Z', iso(now - 86_400_000))
      .replace('2010-06-24T00:00:00Z', iso(now + 86_400_000));
    url = url.startsWith('/discovery') ? `/open311${url}` : `/open311/v2${url}`;
    let res;
    if (f.method === 'POST') {
      const form = f.form
        ? f.form
        : readShared(`spec-v2-normalized/${f.form_file}`).trim()
            .replace('api_key=xyz', `api_key=${key}`)
            .replace('jurisdiction_id=city.gov', `jurisdiction_id=${TREE.city}`)
            .replace('service_code=001', `service_code=${BIN}`)
            .replace('lat=37.76524078', `lat=${HERE.lat}`)
            .replace('long=-122.4212043', `long=${HERE.long}`);
      res = await post(url, form);
    } else {
      res = await get(url);
    }
    expect(res.statusCode, res.body).toBe(f.status);
    const ours = bodyOf(res);
    const theirs = specBody('spec-v2-normalized', f.body);
    if (url.includes('.json')) {
      // The XML twin of every JSON answer converts to it.
      const twin = f.method === 'GET' ? await get(url.replace('.json', '.xml')) : null;
      if (twin) expect(xmlToJson(twin.body)).toEqual(asXmlText(ours));
    }
    if (f.json_schema) {
      // The schemas are JSON's: an XML fixture is checked through its JSON twin.
      const json = url.includes('.xml') && f.method === 'GET' ? (await get(url.replace('.xml', '.json'))).json() : ours;
      expect(schemaErrors(f.json_schema as 'requests', json)).toBeNull();
    }
    if (f.path.includes('extensions=true')) {
      const top = (x: unknown) => new Set(Object.keys((x as Record<string, unknown>[])[0] ?? {}));
      const allowed = new Set([...top(theirs), ...REQUEST_PROPS]);
      expect(subset(top(ours), allowed)).toEqual([]);
      const notes = (x: unknown) => keysOf((x as { notes: unknown[] }[])[0]!.notes);
      expect(notes(ours)).toEqual(notes(theirs));
      return;
    }
    // Element names we emit are the spec's (for requests: the official schema's too).
    const allowed = new Set([...keysOf(theirs), ...(f.body.startsWith('requests') || f.body.startsWith('post_') ? REQUEST_PROPS : [])]);
    expect(subset(keysOf(ours), allowed)).toEqual([]);
    if (f.status === 403) expect(ours).toEqual([{ code: f.body.endsWith('.xml') ? '403' : 403, description: expect.any(String) }]);
    if (f.body.startsWith('tokens')) expect(keysOf(ours)).toEqual(new Set(['token']));
  });
});

describe("mySociety open311-adapter scenarios (scenarios.json)", () => {
  const sc = JSON.parse(readFileSync(path.join(SHARED, 'mysociety-open311-adapter/scenarios.json'), 'utf8')) as {
    scenarios: { name: string; method: string; path: string; status: number | string; expect_file?: string; form?: Record<string, string> }[];
  };
  const codes: Record<string, string> = { POT, SPOT, BIN };
  const mapForm = (form: Record<string, string>) =>
    Object.fromEntries(Object.entries(form).map(([k, v]) => [k, k === 'api_key' && v === 'test' ? key : k === 'service_code' ? (codes[v] ?? v) : v]));

  it('covers all 24 scenarios', () => expect(sc.scenarios).toHaveLength(24));

  for (const s of sc.scenarios.filter((x) => x.method === 'POST')) {
    it(`POST: ${s.name}`, async () => {
      const res = await post(`/open311/v2${s.path}`, mapForm(s.form ?? {}));
      if (typeof s.status === 'number') expect(res.statusCode, res.body).toBe(s.status === 200 ? 200 : s.status);
      else if (s.status.startsWith('4xx')) expect(res.statusCode).toBeGreaterThanOrEqual(400), expect(res.statusCode).toBeLessThan(500);
      else expect(res.statusCode, res.body).toBe(Number(s.status));
      const ours = bodyOf(res) as Record<string, unknown>[];
      if (res.statusCode === 200) {
        expect(ours).toHaveLength(1);
        expect(ours[0]!.service_request_id).toMatch(/^\d+$/);
        expect(ours[0]!.service_notice).toBeTruthy();
      } else {
        expect(Object.keys(ours[0]!).sort()).toEqual(['code', 'description']);
      }
      if (s.expect_file) {
        const theirs = specBody('mysociety-open311-adapter', s.expect_file);
        expect(subset(keysOf(ours), keysOf(theirs))).toEqual([]);
      }
    });
  }

  it('GET services (xml, json): the same element names as the golden list', async () => {
    for (const s of sc.scenarios.filter((x) => x.path.startsWith('/services.'))) {
      const res = await get(`/open311/v2${s.path}`);
      expect(res.statusCode).toBe(200);
      expect(subset(keysOf(bodyOf(res)), keysOf(specBody('mysociety-open311-adapter', s.expect_file!)))).toEqual([]);
    }
  });

  it('GET service definitions POT (xml, json) and SPOT (explicit value order): the golden structure exactly', async () => {
    for (const s of sc.scenarios.filter((x) => x.path.startsWith('/services/'))) {
      const code = s.path.match(/services\/([A-Z]+)\./)![1]!;
      const res = await get(`/open311/v2${s.path.replace(code, codes[code]!)}`);
      expect(res.statusCode).toBe(200);
      const ours = asXmlText({ ...(bodyOf(res) as object), service_code: code });
      expect(ours).toEqual(asXmlText(specBody('mysociety-open311-adapter', s.expect_file!)));
    }
  });

  it('GET requests: all, by service_code, an empty container, one by id', async () => {
    const all = bodyOf(await get('/open311/v2/requests.xml')) as Record<string, unknown>[];
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(subset(keysOf(all), REQUEST_PROPS)).toEqual([]);
    const pot = bodyOf(await get(`/open311/v2/requests.xml?service_code=${POT}`)) as { service_code: string }[];
    expect(pot.length).toBeGreaterThanOrEqual(2);
    expect(new Set(pot.map((r) => r.service_code))).toEqual(new Set([POT]));
    const empty = await get(`/open311/v2/requests.xml?service_code=${UNUSED}`);
    expect(empty.statusCode).toBe(200);
    expect(xmlToJson(empty.body)).toEqual(xmlToJson(readShared('mysociety-open311-adapter/requests_service_code_BIN_empty.xml')));
    const one = bodyOf(await get(`/open311/v2/requests/${(pot[0] as unknown as { service_request_id: string }).service_request_id}.xml`)) as unknown[];
    expect(one).toHaveLength(1);
    expect(schemaErrors('requests', asJsonTypes(one))).toBeNull();
  });

  it('servicerequestupdates: none, one in a window around it, none after or before, two', async () => {
    const empty = await get(`/open311/v2/servicerequestupdates.xml?api_key=${key}`);
    expect(xmlToJson(empty.body)).toEqual(xmlToJson(readShared('mysociety-open311-adapter/servicerequestupdates_empty.xml')));
    const [a, b] = (bodyOf(await get(`/open311/v2/requests.json?service_code=${POT}`)) as { service_request_id: string }[]).map((r) => r.service_request_id);
    const u1 = await post('/open311/v2/servicerequestupdates.json', { api_key: key, service_request_id: a!, description: 'Fixed', status: 'CLOSED', update_id: '1' });
    expect(u1.statusCode, u1.body).toBe(200);
    const at = (await t.db.query<{ at: Date }>(`SELECT at FROM case_events WHERE action = 'comment'`))[0]!.at;
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const q = (qs: string) => get(`/open311/v2/servicerequestupdates.xml?api_key=${key}&${qs}`).then((r) => xmlToJson(r.body) as Record<string, string>[]);
    const one = await q(`start_date=${iso(+at - 3_600_000)}&end_date=${iso(+at + 3_600_000)}`);
    expect(one).toHaveLength(1);
    expect(new Set(Object.keys(one[0]!))).toEqual(new Set(['update_id', 'service_request_id', 'status', 'updated_datetime', 'description']));
    // Golden element names (media_url omitted when empty, never <media_url/>).
    const golden = xmlToJson(readShared('mysociety-open311-adapter/servicerequestupdates_update1.xml')) as Record<string, string>[];
    expect(subset(new Set(Object.keys(one[0]!)), new Set(Object.keys(golden[0]!)))).toEqual([]);
    expect(one[0]).toMatchObject({ service_request_id: a, status: 'open', description: '留言：Fixed' });
    expect(await q(`start_date=${iso(+at + 3_600_000)}`)).toEqual([]);
    expect(await q(`end_date=${iso(+at - 3_600_000)}`)).toEqual([]);
    await post('/open311/v2/servicerequestupdates.json', { api_key: key, service_request_id: b!, description: 'Have investigated. Looks tricky!', status: 'OPEN', update_id: '2' });
    expect(await q('')).toHaveLength(2);
  });
});

/** XML leaves are text; give the schema the JSON types back (numbers for lat/long). */
function asJsonTypes(list: unknown[]): unknown[] {
  return list.map((r) => {
    const o = { ...(r as Record<string, unknown>) };
    for (const k of ['lat', 'long']) if (o[k] !== undefined) o[k] = Number(o[k]);
    return o;
  });
}
