/**
 * Demo registry (人、地、事、物): households in buildings and compounds,
 * residents with synthetic zh_CN names and valid-format but fictitious ID
 * numbers (Huizhou region codes, birth dates spread over ninety years, check
 * digit right), phones, care tags and the neighbour service team; shops,
 * enterprises, a school and a clinic; street lights, manholes, hydrants and
 * more, a few faulty, with demo cases about them linked. Covers the demo
 * secretary's community and up to two neighbours (the demo grid worker's grid
 * among them). Deterministic (seeded), batched, one transaction, once
 * (app_meta 'demo_registry').
 */
import type { Db, Transaction } from '../db/db.js';
import type { PersonalData } from '../lib/personal-data.js';
import { maskPhone } from '../lib/personal-data.js';
import { makeIdNumber, maskId } from '../../domain/id-number.js';
import { addressKey, placeKey, THING_KINDS, type ThingKind } from '../../domain/registry.js';

interface Progress {
  log(message: string): void;
}

export const DEMO_REGISTRY_META = 'demo_registry';
const LOCK_KEY = 0x5767_0005;

/** Region codes of Huizhou's districts and counties (GB/T 2260): where the demo residents' ID numbers say they were registered. */
const HUIZHOU_REGIONS = ['441302', '441302', '441302', '441303', '441322', '441323', '441324'];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡余杜叶程苏魏吕丁沈钟卢姚廖邱江';
const MALE = ['伟', '强', '军', '建国', '志强', '国华', '俊杰', '浩然', '子轩', '家豪', '文斌', '永康', '海涛', '振华', '明辉', '宇航', '梓豪', '德明', '庆生', '锦荣'];
const FEMALE = ['芳', '秀英', '丽', '静', '敏', '婷', '秀兰', '桂英', '美玲', '雅琪', '欣怡', '梓涵', '晓燕', '淑珍', '玉梅', '佳怡', '诗琪', '惠珍', '凤英', '嘉欣'];
const COMPOUNDS = ['幸福花园', '锦绣小区', '东江新村', '碧桂苑', '水岸豪庭', '金山小区'];
const ROADS = ['东平路', '江北大道', '麦地路', '演达大道', '下埔路', '河南岸路'];
const SHOPS = ['好又多便利店', '客家菜馆', '惠民药店', '五金店', '水果店', '理发店', '早餐店', '快递驿站'];

/** Seeded PRNG (mulberry32): the same demo every time. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Person {
  name: string;
  gender: 'male' | 'female';
  birth: Date;
  relation: string;
}

export interface DemoRegistryResult {
  skipped: boolean;
  households: number;
  residents: number;
  places: number;
  things: number;
  linkedCases: number;
  ms: number;
}

/**
 * Builds the demo registry once. Needs the demo city (the 'secretary' demo
 * user's community); skipped when that is missing or app_meta has the key.
 */
export async function generateDemoRegistry(deps: { db: Db; pd: PersonalData }, progress?: Progress, now = new Date()): Promise<DemoRegistryResult> {
  const none: DemoRegistryResult = { skipped: true, households: 0, residents: 0, places: 0, things: 0, linkedCases: 0, ms: 0 };
  const has = async () => (await deps.db.query(`SELECT 1 FROM app_meta WHERE key = $1`, [DEMO_REGISTRY_META])).length > 0;
  if (await has()) return none;
  const r = await deps.db.withAdvisoryLock(LOCK_KEY, async () => {
    if (await has()) return none;
    const t0 = performance.now();
    const [secretary] = await deps.db.query<{ node_code: string }>(
      `SELECT ra.node_code FROM users u JOIN role_assignments ra ON ra.user_id = u.id WHERE u.username = 'secretary' ORDER BY ra.id LIMIT 1`,
    );
    if (!secretary) return none;
    const result = await deps.db.transaction(async (trx) => {
      if (deps.db.engine === 'postgres') await trx.query(`SET LOCAL jit = off`);
      const out = await build(trx, deps.pd, secretary.node_code, now);
      await trx.query(`INSERT INTO app_meta (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`, [
        DEMO_REGISTRY_META, JSON.stringify({ createdAt: now.toISOString(), ...out }),
      ]);
      return out;
    });
    return { skipped: false, ...result, ms: Math.round(performance.now() - t0) };
  });
  if (!r) return none;
  if (!r.skipped) progress?.log(`demo: registry of ${r.households} households, ${r.residents} residents, ${r.places} places, ${r.things} things (${(r.ms / 1000).toFixed(1)} s)`);
  return r;
}

async function build(trx: Transaction, pd: PersonalData, community: string, now: Date) {
  const street = community.slice(0, 9);
  const communities = await trx.query<{ code: string }>(
    `SELECT code FROM nodes WHERE parent_code = $1 AND level = 'community' AND status = 'active' ORDER BY code = $2 DESC, code LIMIT 3`,
    [street, community],
  );
  const grids = await trx.query<{ code: string; path: string; city_code: string; kind: string; community: string; name: string }>(
    `SELECT code, path::text AS path, city_code, kind, parent_code AS community, name FROM nodes
      WHERE parent_code = ANY($1::text[]) AND level = 'grid' AND status = 'active' AND boundary IS NOT NULL ORDER BY code`,
    [communities.map((c) => c.code)],
  );
  const random = rng(20_261_122);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const usedIds = new Set<string>();
  const counts = { households: 0, residents: 0, places: 0, things: 0, linkedCases: 0 };
  const thingKinds: [ThingKind, number, string][] = [
    ['street_light', 8, 'LD'], ['manhole', 5, 'JG'], ['hydrant', 2, 'XF'], ['fitness_equipment', 1, 'JS'], ['camera', 3, 'JK'], ['trash_bin', 3, 'LJ'],
  ];
  const specialOf = new Map<string, string>();
  for (const g of grids) if (g.kind === 'special' && !specialOf.has(g.community)) specialOf.set(g.community, g.code);

  for (const [gi, g] of grids.entries()) {
    if (g.kind !== 'comprehensive') continue;
    const nBuildings = 6 + (gi % 4);
    const nThings = thingKinds.reduce((n, [, k]) => n + k, 0);
    const nShops = 4;
    const points = await trx.query<{ lng: number; lat: number }>(
      `SELECT ST_X(p.geom) AS lng, ST_Y(p.geom) AS lat FROM nodes n, ST_Dump(ST_GeneratePoints(n.boundary, $2, $3)) AS p WHERE n.city_code = $4 AND n.code = $1`,
      [g.code, nBuildings + nThings + nShops + 2, 1000 + gi, g.city_code],
    );
    let pi = 0;
    const nextPoint = () => points[pi++ % Math.max(1, points.length)] ?? { lng: null as unknown as number, lat: null as unknown as number };
    const compound = `${COMPOUNDS[gi % COMPOUNDS.length]}`;
    const road = `${ROADS[gi % ROADS.length]}${10 + gi * 2}号`;
    const address = `${road} ${compound}`;

    // Places: the compound, its buildings, shops, one enterprise; a school and a clinic in the first grid of each community.
    const places: { kind: string; name: string; address: string | null; lng: number | null; lat: number | null; special: string | null; contact: string | null; phone: string | null }[] = [];
    const compoundPoint = nextPoint();
    places.push({ kind: 'compound', name: compound, address: road, lng: compoundPoint.lng, lat: compoundPoint.lat, special: null, contact: `${pick([...SURNAMES])}经理`, phone: phone(random) });
    const buildingPoints: { lng: number; lat: number }[] = [];
    for (let b = 1; b <= nBuildings; b++) {
      const p = nextPoint();
      buildingPoints.push(p);
      places.push({ kind: 'building', name: `${compound}${b}栋`, address, lng: p.lng, lat: p.lat, special: null, contact: null, phone: null });
    }
    for (let s = 0; s < nShops; s++) {
      const p = nextPoint();
      places.push({ kind: 'shop', name: SHOPS[(gi + s) % SHOPS.length]!, address: `${ROADS[(gi + s) % ROADS.length]}${100 + s}号`, lng: p.lng, lat: p.lat, special: null, contact: `${pick([...SURNAMES])}老板`, phone: phone(random) });
    }
    const first = grids.find((x) => x.community === g.community && x.kind === 'comprehensive')?.code === g.code;
    if (first) {
      const p1 = nextPoint();
      const p2 = nextPoint();
      const special = specialOf.get(g.community) ?? null;
      places.push({ kind: 'school', name: `${compound.slice(0, 2)}小学`, address: `${road}旁`, lng: p1.lng, lat: p1.lat, special, contact: '王校长', phone: phone(random) });
      places.push({ kind: 'hospital', name: `${compound.slice(0, 2)}社区卫生服务站`, address: road, lng: p2.lng, lat: p2.lat, special, contact: '陈医生', phone: phone(random) });
      places.push({ kind: 'enterprise', name: `惠州市${compound.slice(0, 2)}电子有限公司`, address: `${ROADS[(gi + 3) % ROADS.length]}88号`, lng: p2.lng, lat: p2.lat, special, contact: '刘主任', phone: phone(random) });
    }
    const placeRows = await trx.query<{ id: number; name: string }>(
      `INSERT INTO places (city_code, node_code, node_path, kind, name, address, match_key, location, special_node_code, contact_name, phone_enc, phone_hash, phone_masked, attributes)
       SELECT $1, $2, $3::ltree, x.kind, x.name, x.address, x.mk, CASE WHEN x.lng IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326) END, x.special, x.contact, x.pe, x.ph, x.pm, '{"demo": true}'::jsonb
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::float8[], $9::float8[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[]) AS x(kind, name, address, mk, lng, lat, special, contact, pe, ph, pm)
       ON CONFLICT (city_code, match_key) DO NOTHING
       RETURNING id, name`,
      [
        g.city_code, g.code, g.path, places.map((p) => p.kind), places.map((p) => p.name), places.map((p) => p.address), places.map((p) => placeKey(p.kind, p.name, p.address)),
        places.map((p) => p.lng), places.map((p) => p.lat), places.map((p) => p.special), places.map((p) => p.contact),
        places.map((p) => (p.phone ? pd.encrypt(p.phone) : null)), places.map((p) => (p.phone ? pd.hash(p.phone) : null)), places.map((p) => (p.phone ? maskPhone(p.phone) : null)),
      ],
    );
    counts.places += placeRows.length;
    const buildingIds = new Map(placeRows.map((p) => [p.name, p.id]));

    // Households: 2 units × 6 floors × 2 rooms per building, about four in five occupied.
    const hh: { building: string; unit: string; room: string; placeId: number | null; lng: number; lat: number }[] = [];
    for (let b = 1; b <= nBuildings; b++) {
      for (let u = 1; u <= 2; u++) for (let f = 1; f <= 6; f++) for (let r = 1; r <= 2; r++) {
        if (random() < 0.2) continue;
        const p = buildingPoints[b - 1]!;
        hh.push({ building: `${b}栋`, unit: `${u}单元`, room: `${f}0${r}`, placeId: buildingIds.get(`${compound}${b}栋`) ?? null, lng: p.lng, lat: p.lat });
      }
    }
    const hRows = await trx.query<{ id: number }>(
      `INSERT INTO households (city_code, node_code, node_path, address, building, unit, room, address_key, place_id, location, attributes)
       SELECT $1, $2, $3::ltree, $4, x.b, x.u, x.r, x.k, x.pl, ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326), '{"demo": true}'::jsonb
         FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::float8[], $11::float8[]) WITH ORDINALITY AS x(b, u, r, k, pl, lng, lat, n)
        ORDER BY x.n
       RETURNING id`,
      [
        g.city_code, g.code, g.path, address, hh.map((h) => h.building), hh.map((h) => h.unit), hh.map((h) => h.room), hh.map((h) => addressKey(address, h.building, h.unit, h.room)),
        hh.map((h) => h.placeId), hh.map((h) => h.lng), hh.map((h) => h.lat),
      ],
    );
    counts.households += hRows.length;

    // Residents, household by household.
    const rs: (Person & { household: number; tags: string[]; volunteer: boolean })[] = [];
    for (const h of hRows) {
      const members = family(random, pick, now);
      const alone = members.length === 1;
      const lowIncome = random() < 0.03;
      for (const m of members) {
        const age = ageOf(m.birth, now);
        const tags: string[] = [];
        if (age >= 60) tags.push(alone && age >= 70 ? 'elderly_alone' : 'elderly');
        if (lowIncome) tags.push('low_income');
        if (random() < 0.02) tags.push('disabled');
        if (m.gender === 'female' && age >= 22 && age <= 38 && random() < 0.04) tags.push('pregnant');
        if (age < 16 && random() < 0.05) tags.push('left_behind_child');
        if (m.gender === 'male' && age >= 40 && age <= 80 && random() < 0.04) tags.push('veteran');
        if (age >= 18 && age < 60) {
          const x = random();
          if (x < 0.003) tags.push('community_correction');
          else if (x < 0.006) tags.push('serious_mental_illness');
          else if (x < 0.009) tags.push('released_prisoner');
          else if (x < 0.01) tags.push('drug_rehabilitation');
        }
        rs.push({ ...m, household: h.id, tags, volunteer: age >= 18 && age <= 70 && random() < 0.12 });
      }
    }
    const sealed = rs.map((p, i) => {
      let id = '';
      for (let seq = Math.floor(random() * 500) * 2 + (p.gender === 'male' ? 1 : 0); !id || usedIds.has(id); seq += 2) {
        id = makeIdNumber(HUIZHOU_REGIONS[(i + gi) % HUIZHOU_REGIONS.length]!, p.birth.toISOString().slice(0, 10), seq % 1000);
      }
      usedIds.add(id);
      const ph = ageOf(p.birth, now) >= 16 ? phone(random) : null;
      return { id: { enc: pd.encrypt(id), hash: pd.hash(id), masked: maskId(id) }, phone: ph ? { enc: pd.encrypt(ph), hash: pd.hash(ph), masked: maskPhone(ph) } : null };
    });
    await trx.query(
      `INSERT INTO residents (city_code, household_id, node_code, node_path, name, gender, birth_date, id_number_enc, id_number_hash, id_number_masked,
          phone_enc, phone_hash, phone_masked, relation, registered_residence, actual_residence, tags, volunteer, attributes, created_at, updated_at)
       SELECT $1, x.hh, $2, $3::ltree, x.name, x.g, x.bd::date, x.ie, x.ih, x.im, x.pe, x.ph, x.pm, x.rel, '广东省惠州市', $4,
              CASE WHEN x.tags = '' THEN '{}'::text[] ELSE string_to_array(x.tags, ',') END, x.vol, '{"demo": true}'::jsonb, now() - interval '90 days', now() - interval '90 days'
         FROM unnest($5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::boolean[])
           AS x(hh, name, g, bd, ie, ih, im, pe, ph, pm, rel, tags, vol)`,
      [
        g.city_code, g.code, g.path, address, rs.map((r) => r.household), rs.map((r) => r.name), rs.map((r) => r.gender), rs.map((r) => r.birth.toISOString().slice(0, 10)),
        sealed.map((s) => s.id.enc), sealed.map((s) => s.id.hash), sealed.map((s) => s.id.masked),
        sealed.map((s) => s.phone?.enc ?? null), sealed.map((s) => s.phone?.hash ?? null), sealed.map((s) => s.phone?.masked ?? null),
        rs.map((r) => r.relation), rs.map((r) => r.tags.join(',')), rs.map((r) => r.volunteer),
      ],
    );
    counts.residents += rs.length;

    // Things: city components along the grid's streets, asset-tagged per grid; about one in twenty faulty.
    const things: { kind: ThingKind; name: string; code: string; lng: number; lat: number; state: string }[] = [];
    for (const [kind, n, prefix] of thingKinds) {
      for (let i = 1; i <= n; i++) {
        const p = nextPoint();
        things.push({ kind, name: `${ROADS[(gi + i) % ROADS.length]}${THING_KINDS[kind].zh}${i}号`, code: `${prefix}-${g.code.slice(-6)}-${String(i).padStart(3, '0')}`, lng: p.lng, lat: p.lat, state: random() < 0.05 ? 'faulty' : 'normal' });
      }
    }
    const tRows = await trx.query(
      `INSERT INTO things (city_code, node_code, node_path, kind, category_code, name, code, location, state, attributes)
       SELECT $1, $2, $3::ltree, x.kind, x.cat, x.name, x.code, ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326), x.state, '{"demo": true}'::jsonb
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::float8[], $9::float8[], $10::text[]) AS x(kind, cat, name, code, lng, lat, state)
       ON CONFLICT (city_code, code) WHERE code IS NOT NULL DO NOTHING
       RETURNING id`,
      [
        g.city_code, g.code, g.path, things.map((t) => t.kind), things.map((t) => THING_KINDS[t.kind].category), things.map((t) => t.name), things.map((t) => t.code),
        things.map((t) => t.lng), things.map((t) => t.lat), things.map((t) => t.state),
      ],
    );
    counts.things += tRows.length;
  }

  // Cases about components in these grids point at the nearest thing of the matching category.
  const gridCodes = grids.map((g) => g.code);
  const linked = await trx.query(
    `UPDATE cases c SET thing_id = (
        SELECT t.id FROM things t WHERE t.node_code = c.node_code AND t.category_code = c.category_code
         ORDER BY CASE WHEN c.location IS NULL OR t.location IS NULL THEN 0 ELSE ST_Distance(t.location, c.location) END, t.id LIMIT 1)
      WHERE c.node_code = ANY($1::text[]) AND c.thing_id IS NULL
        AND EXISTS (SELECT 1 FROM things t WHERE t.node_code = c.node_code AND t.category_code = c.category_code)
      RETURNING c.id`,
    [gridCodes],
  );
  counts.linkedCases = linked.length;
  return counts;
}

function ageOf(birth: Date, now: Date): number {
  return Math.floor((+now - +birth) / (365.25 * 86_400_000));
}

function phone(random: () => number): string {
  const prefix = ['139', '138', '135', '136', '137', '150', '158', '188', '189', '133'][Math.floor(random() * 10)]!;
  return prefix + String(Math.floor(random() * 1e8)).padStart(8, '0');
}

/** A household's members: single elders, elderly couples, young couples, families with children, three generations. */
function family(random: () => number, pick: <T>(xs: readonly T[]) => T, now: Date): Person[] {
  const surname = pick([...SURNAMES]);
  const other = pick([...SURNAMES]);
  const born = (minAge: number, maxAge: number) => {
    const age = minAge + random() * (maxAge - minAge);
    const d = new Date(+now - age * 365.25 * 86_400_000);
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  };
  const person = (sn: string, gender: 'male' | 'female', birth: Date, relation: string): Person => ({ name: sn + pick(gender === 'male' ? MALE : FEMALE), gender, birth, relation });
  const x = random();
  const headGender: 'male' | 'female' = random() < 0.7 ? 'male' : 'female';
  const spouseGender = headGender === 'male' ? 'female' : 'male';
  if (x < 0.1) return [person(surname, random() < 0.6 ? 'female' : 'male', born(68, 92), 'head')];
  if (x < 0.25) return [person(surname, headGender, born(62, 85), 'head'), person(other, spouseGender, born(60, 83), 'spouse')];
  if (x < 0.4) return [person(surname, headGender, born(24, 40), 'head'), person(other, spouseGender, born(23, 38), 'spouse')];
  const head = person(surname, headGender, born(30, 55), 'head');
  const members = [head, person(other, spouseGender, born(28, 52), 'spouse')];
  const kids = 1 + Math.floor(random() * 2.2);
  for (let k = 0; k < kids; k++) members.push(person(headGender === 'male' ? surname : other, random() < 0.5 ? 'male' : 'female', born(0.5, 22), 'child'));
  if (x > 0.85) members.push(person(headGender === 'male' ? surname : other, random() < 0.5 ? 'male' : 'female', born(70, 90), 'parent'));
  return members;
}
