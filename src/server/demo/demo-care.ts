/**
 * Demo care and linkage (走访、巡查、四级联户): visit plans from the demo
 * residents' tags with some visits done, a patrol with its track yesterday, a
 * full linkage tree in the demo community and two neighbours, a storm warning
 * partly read, and a help request waiting for the neighbour service team.
 * Uses the registry the demo already has; a community without households
 * gets synthetic ones first. Runs once (app_meta 'demo_care').
 */
import { proposeTree } from '../../domain/linkage.js';
import type { Db } from '../db/db.js';
import { insertHouseholds } from '../modules/linkage/care-fixtures.js';
import { communityInput, insertTree } from '../modules/linkage/linkage.repository.js';
import { fanOutBroadcast } from '../modules/linkage/linkage.broadcasts.js';

interface Progress {
  log(message: string): void;
}

async function userOf(db: Db, username: string) {
  return (await db.query<{ id: string; node_code: string }>(
    `SELECT u.id::text AS id, ra.node_code FROM users u JOIN role_assignments ra ON ra.user_id = u.id WHERE u.username = $1 ORDER BY ra.id LIMIT 1`,
    [username],
  ))[0];
}

export async function generateDemoCare(db: Db, progress?: Progress): Promise<{ skipped: boolean }> {
  if ((await db.query(`SELECT 1 FROM app_meta WHERE key = 'demo_care'`)).length) return { skipped: true };
  const worker = await userOf(db, 'gridworker');
  const secretary = await userOf(db, 'secretary');
  const resident = await userOf(db, 'resident');
  if (!worker || !secretary) return { skipped: true };
  const t0 = performance.now();
  const community = secretary.node_code;
  const street = community.slice(0, 9);
  const communities = (await db.query<{ code: string; path: string; name: string }>(
    `SELECT code, path::text AS path, name FROM nodes WHERE parent_code = $1 AND level = 'community' AND status = 'active' ORDER BY code = $2 DESC, code LIMIT 3`,
    [street, community],
  ));
  for (const c of communities) {
    const grids = await db.query<{ code: string; lng: number | null; lat: number | null }>(
      `SELECT code, ST_X(ST_PointOnSurface(boundary)) AS lng, ST_Y(ST_PointOnSurface(boundary)) AS lat FROM nodes WHERE parent_code = $1 AND level = 'grid' AND status = 'active' ORDER BY code`,
      [c.code],
    );
    for (const [i, g] of grids.entries()) {
      const has = await db.query(`SELECT 1 FROM households WHERE node_code = $1 LIMIT 1`, [g.code]);
      if (has.length) continue;
      await insertHouseholds(db, {
        gridCode: g.code, count: 60 + (i % 3) * 20, compound: ['幸福花园', '锦绣小区', '东江新村'][i % 3], key: `demo-care:${g.code}`,
        tagEvery: { elderly_alone: 7, disabled: 13, low_income: 11, left_behind_child: 17, community_correction: 29 }, volunteerEvery: 10,
        registeredDaysAgo: 60, lng: g.lng ?? undefined, lat: g.lat ?? undefined,
      });
    }
    const tree = proposeTree(await communityInput(db, c));
    const nodePaths = new Map((await db.query<{ code: string; path: string }>('SELECT code, path::text AS path FROM nodes WHERE path <@ $1::ltree', [c.path])).map((r) => [r.code, r.path]));
    await db.transaction(async (trx) => {
      if ((await trx.query('SELECT 1 FROM linkage_groups WHERE community_code = $1 LIMIT 1', [c.code])).length) return;
      await insertTree(trx, { code: c.code, path: c.path, cityCode: c.code.slice(0, 4) }, tree, nodePaths);
    });
  }

  // Visits: about half of the worker's tagged residents were visited in the last days (the rest are due or overdue).
  await db.query(
    `INSERT INTO visits (city_code, resident_id, household_id, node_code, node_path, visitor_id, visited_at, kind, location, findings)
     SELECT r.city_code, r.id, r.household_id, r.node_code, r.node_path, $1::uuid, now() - make_interval(days => (r.id % 5)::int, hours => 3),
            CASE WHEN r.id % 3 = 0 THEN 'phone' ELSE 'home' END, h.location,
            (ARRAY['身体状况良好，生活能自理', '家中整洁，已提醒按时服药', '反映楼道灯不亮，已记录', '子女每周探望，情绪稳定'])[1 + (r.id % 4)::int]
       FROM residents r LEFT JOIN households h ON h.id = r.household_id
      WHERE r.node_code = $2 AND r.status = 'active' AND r.tags && ARRAY['elderly_alone','disabled','low_income','left_behind_child','community_correction'] AND r.id % 2 = 0`,
    [worker.id, worker.node_code],
  );

  // A patrol yesterday: a loop round the grid's middle, a point every 30 s.
  const [p] = await db.query<{ id: number }>(
    `INSERT INTO patrols (city_code, node_code, node_path, worker_id, status, started_at, ended_at, note)
     SELECT city_code, code, path, $1::uuid, 'ended', date_trunc('day', now()) - interval '15 hours', date_trunc('day', now()) - interval '14 hours', '日常巡查：楼栋消防通道、路灯'
       FROM nodes WHERE code = $2 RETURNING id`,
    [worker.id, worker.node_code],
  );
  if (p) {
    await db.query(
      `INSERT INTO patrol_points (patrol_id, client_id, city_code, seq, recorded_at, geom)
       SELECT $1, 'demo-' || i, n.city_code, i, date_trunc('day', now()) - interval '15 hours' + make_interval(secs => i * 30),
              ST_SetSRID(ST_MakePoint(ST_X(c) + 0.002 * cos(i * pi() / 60), ST_Y(c) + 0.0015 * sin(i * pi() / 60)), 4326)
         FROM nodes n CROSS JOIN LATERAL (SELECT ST_PointOnSurface(n.boundary) AS c) pt CROSS JOIN generate_series(0, 119) i
        WHERE n.code = $2 AND n.boundary IS NOT NULL`,
      [p.id, worker.node_code],
    );
  }

  // The demo resident is a registered resident of the worker's grid (not a volunteer): their notices and help requests.
  if (resident) {
    await db.query(
      `UPDATE residents SET user_id = $1::uuid WHERE id = (SELECT r.id FROM residents r WHERE r.node_code = $2 AND r.relation = 'head' AND NOT r.volunteer AND r.user_id IS NULL ORDER BY r.id LIMIT 1)
         AND NOT EXISTS (SELECT 1 FROM residents WHERE user_id = $1::uuid)`,
      [resident.id, resident.node_code],
    );
  }

  // A storm warning from the community, read by about two thirds.
  const [top] = await db.query<{ id: number; path: string; node_path: string }>(`SELECT id, path::text AS path, node_path::text AS node_path FROM linkage_groups WHERE community_code = $1 AND level = 4`, [community]);
  if (top) {
    const [b] = await db.query<{ id: number }>(
      `INSERT INTO broadcasts (city_code, group_id, group_path, node_code, node_path, sender_id, title, body, urgent, created_at)
       VALUES ($1, $2, $3::ltree, $4, $5::ltree, $6::uuid, '台风橙色预警', '今夜至明日有强风暴雨，请关好门窗、收好阳台物品，非必要不外出。', true, now() - interval '3 hours') RETURNING id`,
      [community.slice(0, 4), top.id, top.path, community, top.node_path, secretary.id],
    );
    await fanOutBroadcast(db, Number(b!.id));
    await db.query(`UPDATE broadcast_receipts SET read_at = now() - interval '2 hours' WHERE broadcast_id = $1 AND household_id % 3 <> 0`, [b!.id]);
  }

  // A help request in the resident's level-1 group, not yet claimed.
  await db.query(
    `INSERT INTO help_requests (city_code, resident_id, requester_id, origin_group_id, group_id, group_path, level, node_code, node_path, title, body, escalate_at)
     SELECT r.city_code, r.id, r.user_id, g.id, g.id, g.path, 1, r.node_code, r.node_path, '腿脚不便，想请邻居帮忙取快递', '快递在小区门口驿站', now() + interval '30 minutes'
       FROM residents r JOIN linkage_members m ON m.household_id = r.household_id JOIN linkage_groups g ON g.id = m.group_id AND g.level = 1
      WHERE r.user_id = $1::uuid LIMIT 1`,
    [resident?.id ?? null],
  );
  await db.query(`INSERT INTO app_meta (key, value) VALUES ('demo_care', $1) ON CONFLICT (key) DO NOTHING`, [JSON.stringify({ createdAt: new Date().toISOString(), communities: communities.map((c) => c.code) })]);
  progress?.log(`demo care: visits, a patrol and linkage trees in ${communities.length} communities (${Math.round(performance.now() - t0)} ms)`);
  return { skipped: false };
}
