import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCity, clientAs, TREE, useTestApp, type Client } from '../../../../test/harness.js';

const t = useTestApp();
let admin: Client;
let districtAdminA: Client;
let dispatcher: Client;

beforeAll(async () => {
  await buildSmallCity(t.db);
  admin = await clientAs(t, 'administrator', null);
  districtAdminA = await clientAs(t, 'administrator', TREE.districtA);
  dispatcher = await clientAs(t, 'dispatcher', TREE.city);
});

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('partners and keys', () => {
  let partnerId: number;

  it('401 without a session; 403 without partner.manage', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/partners' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/partners', payload: { name: 'x', nodeCode: TREE.city } })).statusCode).toBe(401);
    expect((await dispatcher.get('/api/partners')).statusCode).toBe(403);
    expect((await dispatcher.post('/api/partners', { name: 'x', nodeCode: TREE.city })).statusCode).toBe(403);
  });

  it('400 naming the field', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ nodeCode: TREE.city }, 'name'],
      [{ name: '', nodeCode: TREE.city }, 'name'],
      [{ name: '   ', nodeCode: TREE.city }, 'name'],
      [{ name: 'a', nodeCode: 'x' }, 'nodeCode'],
      [{ name: 'a', nodeCode: TREE.city, requestIds: 'later' }, 'requestIds'],
      [{ name: 'a', nodeCode: TREE.city, surprise: 1 }, 'surprise'],
    ];
    for (const [body, field] of bad) {
      const res = await admin.post('/api/partners', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    expect(await t.db.query('SELECT 1 FROM partners')).toHaveLength(0);
  });

  it('404 for a node outside your part of the tree; 403 at a node where you may not manage partners', async () => {
    const out = await districtAdminA.post('/api/partners', { name: '惠阳 App', nodeCode: TREE.districtB });
    expect(out.statusCode).toBe(404);
    expect(out.json().fields[0].field).toBe('nodeCode');
  });

  it('creates a partner, issues a key shown once (only its hash stored), lists, revokes', async () => {
    const res = await admin.post('/api/partners', { name: '12345 热线', nodeCode: TREE.districtA, contact: '王工 0752-1234567', requestIds: 'after_acceptance' });
    expect(res.statusCode).toBe(201);
    partnerId = res.json().id;
    expect(res.json()).toMatchObject({ name: '12345 热线', nodeCode: TREE.districtA, requestIds: 'after_acceptance', active: true, keys: [] });
    const dup = await admin.post('/api/partners', { name: '12345 热线', nodeCode: TREE.city });
    expect(dup.statusCode).toBe(409);

    const issued = await admin.post(`/api/partners/${partnerId}/keys`, { label: 'prod', nodeCode: TREE.streetA });
    expect(issued.statusCode).toBe(201);
    const { key, id: keyId, prefix } = issued.json();
    expect(key).toMatch(/^wg_[A-Za-z0-9_-]{32}$/);
    expect(key.startsWith(prefix)).toBe(true);
    const rows = await t.db.query<{ key_hash: string; node_code: string; partner_id: number }>('SELECT key_hash, node_code, partner_id FROM partner_keys WHERE id = $1', [keyId]);
    expect(rows).toEqual([{ key_hash: sha(key), node_code: TREE.streetA, partner_id: partnerId }]);
    const stored = JSON.stringify(await t.db.query('SELECT * FROM partner_keys'));
    expect(stored).not.toContain(key);

    const list = await admin.get('/api/partners');
    expect(list.statusCode).toBe(200);
    const p = list.json().items.find((x: { id: number }) => x.id === partnerId);
    expect(p.keys).toHaveLength(1);
    expect(JSON.stringify(list.json())).not.toContain(key);
    expect(p.keys[0]).toMatchObject({ id: keyId, prefix, label: 'prod', nodeCode: TREE.streetA, revokedAt: null });

    // A key acting outside the partner's node is refused, naming the field.
    const outside = await admin.post(`/api/partners/${partnerId}/keys`, { nodeCode: TREE.districtB });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().fields[0].field).toBe('nodeCode');

    const revoked = await admin.post(`/api/partners/${partnerId}/keys/${keyId}/revoke`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();
    expect((await admin.post(`/api/partners/${partnerId}/keys/${keyId}/revoke`)).statusCode).toBe(409);
    expect((await admin.post(`/api/partners/${partnerId}/keys/999999/revoke`)).statusCode).toBe(404);

    const audit = await t.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE action LIKE 'partner.%' ORDER BY id`);
    expect(audit.map((a) => a.action)).toEqual(['partner.create', 'partner.key.issue', 'partner.key.revoke']);
  });

  it('scope: a district administrator sees and manages only partners in its district', async () => {
    const b = await admin.post('/api/partners', { name: '惠阳 App', nodeCode: TREE.districtB });
    const bId = b.json().id;
    const seen = (await districtAdminA.get('/api/partners')).json().items.map((x: { id: number }) => x.id);
    expect(seen).toContain(partnerId);
    expect(seen).not.toContain(bId);
    expect((await districtAdminA.post(`/api/partners/${bId}/keys`, {})).statusCode).toBe(404);
    expect((await districtAdminA.patch(`/api/partners/${bId}`, { active: false })).statusCode).toBe(404);
    const off = await districtAdminA.patch(`/api/partners/${partnerId}`, { active: false, requestIds: 'immediate' });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ active: false, requestIds: 'immediate' });
    expect((await t.db.query<{ active: boolean }>('SELECT active FROM partners WHERE id = $1', [partnerId]))[0]!.active).toBe(false);
    expect((await districtAdminA.post(`/api/partners/${partnerId}/keys`, {})).statusCode).toBe(409);
    expect((await districtAdminA.patch(`/api/partners/${partnerId}`, {})).statusCode).toBe(400);
  });
});
