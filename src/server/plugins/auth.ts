import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { permissionsOf, type Actor, type Permission, type RoleGrant } from '../../domain/permissions.js';
import type { AppDeps } from '../context.js';
import { AppError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission this route needs (checked before the handler; scope is checked per record). */
    permission?: Permission;
    /** The route needs no sign-in. Exactly one of `permission` and `public` must be set. */
    public?: boolean;
    /** The service writes the audit row inside its own transaction; the audit plugin logs only failures. */
    auditInline?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | null;
    session: SessionInfo | null;
  }
}

export interface SessionInfo {
  idHash: string;
  userId: string;
  csrfToken: string;
}

export const SESSION_COOKIE = 'wangge_session';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Our own routes live under /api, /open311 and the health checks, and each
 * declares itself. A route elsewhere that declares nothing comes from a
 * third-party plugin (the API docs, the web app's static files) and is public.
 */
function isPluginRoute(url: string): boolean {
  return !url.startsWith('/api') && !url.startsWith('/open311');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

interface SessionRow {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  display_name: string;
  status: string;
  idle_expired: boolean;
  expired: boolean;
  touch: boolean;
  grants: { role: RoleGrant['role']; node_code: string | null; node_path: string | null; department_id: number | null }[] | null;
}

type Loaded = { actor: Actor; session: SessionInfo };

/**
 * Checked sessions, reused for a few seconds (SESSION_CACHE_SECONDS) so that a
 * busy client does not cost a database round trip per request. Sign-out,
 * password changes and role or status changes clear it in this process; other
 * processes see such a change within the cache time.
 */
const sessionCache = new Map<string, { loaded: Loaded; until: number }>();

export function invalidateSessionCache(): void {
  sessionCache.clear();
}

/** Loads the session and the user's grants in one round trip. */
async function loadSession(deps: AppDeps, token: string): Promise<Loaded | 'expired' | null> {
  const idHash = hashToken(token);
  const ttl = deps.config.sessionCacheSeconds * 1000;
  if (ttl > 0) {
    const hit = sessionCache.get(idHash);
    if (hit && hit.until > Date.now()) return hit.loaded;
    if (hit) sessionCache.delete(idHash);
  }
  const rows = await deps.db.query<SessionRow>(
    `SELECT s.id_hash, s.user_id, s.csrf_token, u.display_name, u.status,
            s.last_seen_at < now() - make_interval(mins => $2) AS idle_expired,
            s.expires_at < now() AS expired,
            s.last_seen_at < now() - interval '30 seconds' AS touch,
            (SELECT json_agg(json_build_object('role', r.role, 'node_code', r.node_code,
                     'node_path', coalesce(n.path::text, ''), 'department_id', r.department_id))
               FROM role_assignments r LEFT JOIN nodes n ON n.code = r.node_code
              WHERE r.user_id = s.user_id) AS grants
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id_hash = $1`,
    [idHash, deps.config.sessionIdleMinutes],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.idle_expired || row.expired || row.status !== 'active') {
    await deps.db.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
    return 'expired';
  }
  if (row.touch) await deps.db.query('UPDATE sessions SET last_seen_at = now() WHERE id_hash = $1', [idHash]);
  const grants: RoleGrant[] = (row.grants ?? []).map((g) => ({
    role: g.role,
    nodeCode: g.node_code,
    nodePath: g.node_path ?? '',
    departmentId: g.department_id,
  }));
  const loaded = {
    actor: { userId: row.user_id, name: row.display_name, grants },
    session: { idHash, userId: row.user_id, csrfToken: row.csrf_token },
  };
  if (ttl > 0) {
    if (sessionCache.size > 50_000) sessionCache.clear();
    sessionCache.set(idHash, { loaded, until: Date.now() + ttl });
  }
  return loaded;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Authentication and route-level authorization. Every route must declare
 * `config.permission` or `config.public`; the server refuses to start
 * otherwise. Record-level scope (404 out of scope, 403 not allowed) is checked
 * by the services.
 */
export const authPlugin = fp(async (app: FastifyInstance, deps: AppDeps) => {
  app.decorateRequest('actor', null);
  app.decorateRequest('session', null);

  app.addHook('onRoute', (route) => {
    const cfg = (route.config ?? {}) as { permission?: Permission; public?: boolean };
    if (cfg.permission && cfg.public) throw new Error(`Route ${route.method} ${route.url} declares both a permission and public`);
    if (cfg.permission || cfg.public) return;
    if (isPluginRoute(route.url)) {
      route.config = { ...cfg, public: true };
      return;
    }
    throw new Error(`Route ${String(route.method)} ${route.url} declares neither a permission nor public: refusing to start`);
  });

  // Any write to users, roles or sessions may change who someone is: forget cached sessions.
  app.addHook('onResponse', async (req) => {
    if (UNSAFE.has(req.method) && /^\/api\/(auth|users)\//.test(req.url)) invalidateSessionCache();
  });

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    // No route matched: the not-found handler answers 404 and reveals nothing.
    if (req.routeOptions.url === undefined) return;
    const cfg = req.routeOptions.config as { permission?: Permission; public?: boolean } | undefined;
    const token = req.cookies?.[SESSION_COOKIE];
    let expired = false;
    if (token) {
      const loaded = await loadSession(deps, token);
      if (loaded === 'expired') {
        expired = true;
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
      } else if (loaded) {
        req.actor = loaded.actor;
        req.session = loaded.session;
      }
    }
    if (cfg?.public) return;
    if (!req.actor) {
      throw expired
        ? new AppError('SESSION_EXPIRED', 'Your session has ended; please sign in again.')
        : new AppError('UNAUTHENTICATED', 'Please sign in.');
    }
    if (req.session && UNSAFE.has(req.method)) {
      const sent = req.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !safeEqual(sent, req.session.csrfToken)) {
        throw new AppError('CSRF_TOKEN_INVALID', 'Missing or wrong X-CSRF-Token header.');
      }
    }
    if (cfg?.permission && !permissionsOf(req.actor).has(cfg.permission)) {
      throw new AppError('FORBIDDEN', `This needs the permission ${cfg.permission}.`);
    }
  });
});
