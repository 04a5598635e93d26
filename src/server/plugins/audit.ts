import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Executor } from '../db/db.js';
import type { AppDeps } from '../context.js';
import { cityCodeOf } from '../../domain/tree.js';

export interface AuditEntry {
  actorId?: string | null;
  actorName?: string | null;
  ip?: string | null;
  action: string;
  resource?: string | null;
  resourceId?: string | null;
  result: 'ok' | 'denied' | 'failed';
  statusCode?: number | null;
  detail?: Record<string, unknown> | null;
  cityCode?: string | null;
}

/** Appends one audit entry with the executor given (inside a transaction when the write is). */
export async function writeAudit(ex: Executor, e: AuditEntry): Promise<void> {
  await ex.query(
    `INSERT INTO audit_log (city_code, actor_id, actor_name, ip, action, resource, resource_id, result, status_code, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      e.cityCode ?? (e.resourceId && /^\d{2,}$/.test(e.resourceId) ? cityCodeOf(e.resourceId) : null),
      e.actorId ?? null,
      e.actorName ?? null,
      e.ip ?? null,
      e.action,
      e.resource ?? null,
      e.resourceId ?? null,
      e.result,
      e.statusCode ?? null,
      e.detail ? JSON.stringify(e.detail) : null,
    ],
  );
}

function actorCity(path: string | undefined): string | null {
  if (!path) return null;
  const labels = path.split('.');
  return labels[1] ?? cityCodeOf(labels[0]!);
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Personal data too: a refused registry write or an ID-number search must not leave the number in the log.
const SECRET_FIELDS = /password|token|secret|idnumber|phone/i;

/** Drops secrets from a request body before it goes into the audit log. */
function redact(body: unknown): unknown {
  if (!body || typeof body !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (SECRET_FIELDS.test(k)) out[k] = '[redacted]';
    else if (typeof v === 'string') out[k] = v.length > 200 ? v.slice(0, 200) + '…' : v;
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) out[k] = v;
    else out[k] = '[…]';
  }
  return out;
}

/**
 * Every write and every denied request goes into the audit log (who, when,
 * from where, what, result), after the response so it never slows or fails it.
 */
export const auditPlugin = fp(async (app: FastifyInstance, deps: AppDeps) => {
  app.addHook('onResponse', async (req, reply) => {
    const denied = reply.statusCode === 401 || reply.statusCode === 403 || reply.statusCode === 423;
    if (!UNSAFE.has(req.method) && !denied) return;
    if (reply.statusCode < 400 && (req.routeOptions.config as { auditInline?: boolean } | undefined)?.auditInline) return;
    const params = (req.params ?? {}) as Record<string, string>;
    try {
      await writeAudit(deps.db, {
        actorId: req.actor?.userId,
        actorName: req.actor?.name,
        ip: req.ip,
        action: `${req.method} ${(req.routeOptions.url ?? req.url.split('?')[0]!).replace(/(.)\/$/, '$1')}`,
        resource: req.routeOptions.url?.split('/')[2] ?? null,
        resourceId: params.code ?? params.id ?? null,
        result: reply.statusCode < 400 ? 'ok' : denied ? 'denied' : 'failed',
        statusCode: reply.statusCode,
        detail: { body: redact(req.body) },
        // Filed under the city of the node acted on, else the actor's own city.
        cityCode: params.code && /^\d{2,}$/.test(params.code) ? cityCodeOf(params.code) : actorCity(req.actor?.grants[0]?.nodePath),
      });
    } catch (err) {
      req.log.error({ err }, 'audit write failed');
    }
  });
});
