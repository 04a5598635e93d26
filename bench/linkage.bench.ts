/**
 * Four-level linkage benchmark:
 *   tree    — propose and store the tree of one community of 5,000 households
 *             (registry read + proposeTree + three INSERTs); target ≤ 2 s
 *   fan-out — a notice from the district to every household (default 400,000 in
 *             80 communities of 5,000), chunk by chunk; target ≤ 30 s, with the
 *             p50/p99 of a light query issued every 20 ms meanwhile (it must
 *             not be blocked for the duration)
 *
 *   npm run bench -- linkage --engine both [--households 400000]
 */
import { proposeTree } from '../src/domain/linkage.js';
import { communityInput, insertTree } from '../src/server/modules/linkage/linkage.repository.js';
import { fanOutBroadcast } from '../src/server/modules/linkage/linkage.broadcasts.js';
import { insertHouseholds } from '../src/server/modules/linkage/care-fixtures.js';
import type { Db } from '../src/server/db/db.js';
import { enginesFromArgs, openBenchDb, percentile, report } from './util.js';

const PER_COMMUNITY = 5_000;
const GRIDS_PER_COMMUNITY = 10;
const COMMUNITIES_PER_STREET = 10;

function argNumber(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < PER_COMMUNITY) throw new Error(`${name} must be an integer of at least ${PER_COMMUNITY}`);
  return v;
}

async function insertNode(db: Db, code: string, parent: string | null, level: string, path: string, depth: number) {
  await db.query(
    `INSERT INTO nodes (city_code, code, parent_code, name, level, kind, path, depth, status, source) VALUES ('4413', $1, $2, $1, $3, $4, $5::ltree, $6, 'active', 'manual')`,
    [code, parent, level, level === 'grid' ? 'comprehensive' : 'admin', path, depth],
  );
}

async function buildTree(db: Db, code: string, path: string): Promise<number> {
  const input = await communityInput(db, { code, path, name: code });
  const groups = proposeTree(input);
  const nodePaths = new Map((await db.query<{ code: string; path: string }>('SELECT code, path::text AS path FROM nodes WHERE path <@ $1::ltree', [path])).map((r) => [r.code, r.path]));
  await db.transaction((trx) => insertTree(trx, { code, path, cityCode: '4413' }, groups, nodePaths));
  return groups.length;
}

export default async function (args: string[]) {
  const households = argNumber(args, '--households', 400_000);
  const communities = Math.ceil(households / PER_COMMUNITY);
  for (const engine of enginesFromArgs(args)) {
    const b = await openBenchDb(engine);
    const db = b.db;
    try {
      const user = (await db.query<{ id: string }>(`INSERT INTO users (city_code, username, display_name, password_hash) VALUES ('4413', 'bench', 'bench', 'x') RETURNING id`))[0]!.id;
      await insertNode(db, '44', null, 'province', '44', 1);
      await insertNode(db, '4413', '44', 'city', '44.4413', 2);
      await insertNode(db, '441302', '4413', 'district', '44.4413.441302', 3);
      const list: { code: string; path: string }[] = [];
      const t0 = performance.now();
      for (let c = 0; c < communities; c++) {
        const street = `441302${String(Math.floor(c / COMMUNITIES_PER_STREET) + 1).padStart(3, '0')}`;
        const streetPath = `44.4413.441302.${street}`;
        if (c % COMMUNITIES_PER_STREET === 0) await insertNode(db, street, '441302', 'street', streetPath, 4);
        const community = `${street}${String((c % COMMUNITIES_PER_STREET) + 1).padStart(3, '0')}`;
        const cpath = `${streetPath}.${community}`;
        await insertNode(db, community, street, 'community', cpath, 5);
        for (let g = 1; g <= GRIDS_PER_COMMUNITY; g++) {
          const grid = `${community}${String(g).padStart(3, '0')}`;
          await insertNode(db, grid, community, 'grid', `${cpath}.${grid}`, 6);
          await insertHouseholds(db, { gridCode: grid, count: PER_COMMUNITY / GRIDS_PER_COMMUNITY, compound: `小区${g % 3}`, key: grid });
          await db.query(`INSERT INTO role_assignments (city_code, user_id, role, node_code) VALUES ('4413', $1, 'grid_worker', $2)`, [user, grid]);
        }
        list.push({ code: community, path: cpath });
      }
      await db.exec('ANALYZE');
      const loadS = (performance.now() - t0) / 1000;
      console.log(`${engine}: registry of ${households.toLocaleString()} households in ${communities} communities loaded in ${loadS.toFixed(1)} s`);

      // The tree of one community, timed (the first, cold; then the second).
      const times: number[] = [];
      let groupsOne = 0;
      for (const c of list.slice(0, 2)) {
        const s = performance.now();
        groupsOne = await buildTree(db, c.code, c.path);
        times.push(performance.now() - s);
      }
      report('linkage-tree', engine, { households: PER_COMMUNITY, groups: groupsOne, cold_ms: times[0]!, warm_ms: times[1]! });
      const tb = performance.now();
      for (const c of list.slice(2)) await buildTree(db, c.code, c.path);
      console.log(`${engine}: trees for the other ${list.length - 2} communities in ${((performance.now() - tb) / 1000).toFixed(1)} s`);
      await db.exec('ANALYZE');

      // Fan-out from the district, with a light query every 20 ms meanwhile.
      const [bc] = await db.query<{ id: number }>(
        `INSERT INTO broadcasts (city_code, node_code, node_path, sender_id, title, body, urgent) VALUES ('4413', '441302', '44.4413.441302', $1, '台风预警', '请关好门窗', true) RETURNING id`,
        [user],
      );
      const lat: number[] = [];
      let stop = false;
      const probe = (async () => {
        while (!stop) {
          const s = performance.now();
          await db.query(`SELECT code, name, path::text FROM nodes WHERE code = $1`, ['441302001001001']);
          lat.push(performance.now() - s);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const f0 = performance.now();
      const n = await fanOutBroadcast(db, Number(bc!.id));
      const fanS = (performance.now() - f0) / 1000;
      stop = true;
      await probe;
      lat.sort((a, b) => a - b);
      report('linkage-fanout', engine, {
        households: n, seconds: fanS, households_per_s: n / fanS, probes: lat.length, probe_p50_ms: percentile(lat, 50), probe_p99_ms: percentile(lat, 99), probe_max_ms: lat.at(-1) ?? NaN,
      });
    } finally {
      await b.close();
    }
  }
}
