import type { Executor } from '../../db/db.js';

export interface PartnerRow {
  id: number;
  city_code: string;
  name: string;
  node_code: string;
  node_path: string;
  node_name: string | null;
  contact: string | null;
  request_ids: 'immediate' | 'after_acceptance';
  actor_id: string;
  active: boolean;
  created_at: Date;
}

export interface KeyRow {
  id: number;
  partner_id: number;
  key_prefix: string;
  label: string | null;
  node_code: string;
  node_path: string;
  node_name: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const PARTNER_SELECT = `SELECT p.id, p.city_code, p.name, p.node_code, p.node_path::text AS node_path, n.name AS node_name, p.contact,
  p.request_ids, p.actor_id, p.active, p.created_at
  FROM partners p LEFT JOIN nodes n ON n.code = p.node_code`;

const KEY_SELECT = `SELECT k.id, k.partner_id, k.key_prefix, k.label, k.node_code, k.node_path::text AS node_path, n.name AS node_name,
  k.created_at, k.last_used_at, k.revoked_at
  FROM partner_keys k LEFT JOIN nodes n ON n.code = k.node_code`;

/** Partners whose node satisfies `where` (a condition on p.node_path). */
export async function listPartners(ex: Executor, where: string, params: unknown[]): Promise<PartnerRow[]> {
  return ex.query<PartnerRow>(`${PARTNER_SELECT} WHERE ${where} ORDER BY p.name`, params);
}

export async function findPartner(ex: Executor, id: number): Promise<PartnerRow | undefined> {
  return (await ex.query<PartnerRow>(`${PARTNER_SELECT} WHERE p.id = $1`, [id]))[0];
}

export async function keysOf(ex: Executor, partnerIds: number[]): Promise<KeyRow[]> {
  if (!partnerIds.length) return [];
  return ex.query<KeyRow>(`${KEY_SELECT} WHERE k.partner_id = ANY($1::bigint[]) ORDER BY k.created_at DESC, k.id DESC`, [partnerIds]);
}

export async function findKey(ex: Executor, partnerId: number, keyId: number): Promise<KeyRow | undefined> {
  return (await ex.query<KeyRow>(`${KEY_SELECT} WHERE k.partner_id = $1 AND k.id = $2`, [partnerId, keyId]))[0];
}

export async function insertPartner(
  ex: Executor,
  p: { cityCode: string; name: string; nodeCode: string; nodePath: string; contact: string | null; requestIds: string; createdBy: string },
): Promise<number> {
  const rows = await ex.query<{ id: number }>(
    `INSERT INTO partners (city_code, name, node_code, node_path, contact, request_ids, actor_id, created_by)
     VALUES ($1, $2, $3, $4::ltree, $5, $6, gen_random_uuid(), $7) RETURNING id`,
    [p.cityCode, p.name, p.nodeCode, p.nodePath, p.contact, p.requestIds, p.createdBy],
  );
  return rows[0]!.id;
}

export async function updatePartner(ex: Executor, id: number, patch: { contact?: string; request_ids?: string; active?: boolean }): Promise<void> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  for (const [col, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    params.push(v);
    sets.push(`${col} = $${params.length}`);
  }
  if (sets.length) await ex.query(`UPDATE partners SET ${sets.join(', ')} WHERE id = $1`, params);
}

export async function insertKey(
  ex: Executor,
  k: { cityCode: string; partnerId: number; keyHash: string; keyPrefix: string; label: string | null; nodeCode: string; nodePath: string; createdBy: string },
): Promise<number> {
  const rows = await ex.query<{ id: number }>(
    `INSERT INTO partner_keys (city_code, partner_id, key_hash, key_prefix, label, node_code, node_path, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7::ltree, $8) RETURNING id`,
    [k.cityCode, k.partnerId, k.keyHash, k.keyPrefix, k.label, k.nodeCode, k.nodePath, k.createdBy],
  );
  return rows[0]!.id;
}

/** Revokes a key that is not yet revoked; false when it already was (someone else was first). */
export async function revokeKey(ex: Executor, keyId: number, by: string): Promise<boolean> {
  const rows = await ex.query(`UPDATE partner_keys SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id`, [keyId, by]);
  return rows.length > 0;
}

/** What an API key stands for: the live key of an active partner, by the key's SHA-256. */
export interface KeyIdentity {
  key_id: number;
  partner_id: number;
  partner_name: string;
  actor_id: string;
  request_ids: 'immediate' | 'after_acceptance';
  city_code: string;
  node_code: string;
  node_path: string;
  last_used_at: Date | null;
}

export async function findLiveKey(ex: Executor, keyHash: string): Promise<KeyIdentity | undefined> {
  const rows = await ex.query<KeyIdentity>(
    `SELECT k.id AS key_id, p.id AS partner_id, p.name AS partner_name, p.actor_id, p.request_ids, k.city_code,
            k.node_code, k.node_path::text AS node_path, k.last_used_at
       FROM partner_keys k JOIN partners p ON p.id = k.partner_id
      WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND p.active`,
    [keyHash],
  );
  return rows[0];
}

export async function touchKey(ex: Executor, keyId: number): Promise<void> {
  await ex.query(`UPDATE partner_keys SET last_used_at = now() WHERE id = $1`, [keyId]);
}
