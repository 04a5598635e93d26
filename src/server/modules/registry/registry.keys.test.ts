import { beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { clientAs, buildSmallCity, TREE, useTestApp, type Client } from '../../../../test/harness.js';
import { makeIdNumber } from '../../../domain/id-number.js';
import { loadDataKeys, PersonalData } from '../../lib/personal-data.js';
import { rotateKeys } from '../../../cli/commands/keys.js';

const t = useTestApp();
let gw: Client;

beforeAll(async () => {
  await buildSmallCity(t.db);
  gw = await clientAs(t, 'grid_worker', TREE.gridA1);
});

describe('key rotation (wangge keys rotate)', () => {
  it('re-encrypts and re-hashes every sealed value under the new first key; lookups work afterwards', async () => {
    const h = (await gw.post('/api/registry/households', { nodeCode: TREE.gridA1, address: '东平路9号' })).json();
    const ids = [makeIdNumber('441302', '1960-01-01', 11), makeIdNumber('441302', '1961-02-02', 22), makeIdNumber('441302', '1962-03-03', 33)];
    for (const [i, id] of ids.entries()) {
      expect((await gw.post('/api/registry/residents', { householdId: h.id, name: `居民${i}`, idNumber: id, phone: `1390000000${i}` })).statusCode).toBe(201);
    }
    const demoKey = createHash('sha256').update('wangge-demo-key-not-for-production').digest('hex');
    const next = new PersonalData(loadDataKeys(`k2:${randomBytes(32).toString('hex')},demo:${demoKey}`));
    const r = await rotateKeys(t.db, next, undefined, 2);
    expect(r.byColumn['residents.id_number_enc']).toBe(3);
    expect(r.byColumn['residents.phone_enc']).toBe(3);
    const rows = await t.db.query<{ id_number_enc: string; id_number_hash: string; phone_enc: string }>(`SELECT id_number_enc, id_number_hash, phone_enc FROM residents ORDER BY id`);
    for (const [i, row] of rows.entries()) {
      expect(row.id_number_enc.startsWith('k2:')).toBe(true);
      expect(next.decrypt(row.id_number_enc)).toBe(ids[i]);
      expect(row.id_number_hash).toBe(next.hash(ids[i]!));
      expect(next.decrypt(row.phone_enc)).toBe(`1390000000${i}`);
    }
    // The old key alone can no longer read them; a second run has nothing left to do.
    expect(() => t.deps.pd.decrypt(rows[0]!.id_number_enc)).toThrow();
    expect((await rotateKeys(t.db, next)).rows).toBe(0);
  });
});
