import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import path from 'node:path';

/**
 * All configuration, read and validated once at start. Nothing else in the
 * code base reads `process.env`.
 */
export const ConfigSchema = Type.Object({
  /** PostgreSQL connection string; when absent the embedded PGlite engine is used. */
  databaseUrl: Type.Optional(Type.String({ minLength: 1 })),
  /** Folder holding the PGlite data (only without databaseUrl). */
  dataDir: Type.String({ minLength: 1 }),
  host: Type.String(),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  /** 'demo' creates a demo city with known passwords; 'production' never does. */
  mode: Type.Union([Type.Literal('demo'), Type.Literal('production'), Type.Literal('test')]),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  /** Minutes of inactivity after which a session ends. */
  sessionIdleMinutes: Type.Integer({ minimum: 1 }),
  /** Hours after which a session ends regardless of activity. */
  sessionMaxHours: Type.Integer({ minimum: 1 }),
  /** 32-byte key (hex or base64) for encrypting personal data; a demo key is derived in demo/test mode. */
  dataKey: Type.Optional(Type.String({ minLength: 32 })),
  /** Map tile URL template for the console map; empty = polygons on a plain background. */
  tileUrl: Type.String(),
  /** Pool size for PostgreSQL. */
  poolSize: Type.Integer({ minimum: 1, maximum: 500 }),
  /** Set the Secure flag on cookies (behind HTTPS). */
  secureCookies: Type.Boolean(),
  /** Trust X-Forwarded-* headers from a reverse proxy. */
  trustProxy: Type.Boolean(),
  /** Folder for uploaded photos (content-addressed by SHA-256). */
  uploadDir: Type.String({ minLength: 1 }),
  /** Largest accepted photo, in bytes. */
  maxPhotoBytes: Type.Integer({ minimum: 1024 }),
  /** Days a resolved case waits for the resident's rating before closing as "not rated". */
  ratingDays: Type.Integer({ minimum: 1, maximum: 90 }),
  /** Share of the allowed time after which a clock turns yellow. */
  yellowShare: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  /** Hours overdue after which a case is escalated one level up automatically. */
  autoEscalateHours: Type.Integer({ minimum: 1 }),
  /** Seconds a process may reuse a checked session without asking the database (0 = always ask). */
  sessionCacheSeconds: Type.Integer({ minimum: 0, maximum: 60 }),
  /** Run the clock sweep and the outbox worker in this process. */
  workers: Type.Boolean(),
  /** Run the clock sweep with the workers (WANGGE_SWEEP=off keeps only outbox delivery). */
  sweep: Type.Boolean(),
  /** Anonymous reports (and public photo uploads) one address may send per hour, per process. */
  publicReportsPerHour: Type.Integer({ minimum: 1 }),
  /** Anonymous reports one phone number may send per day (counted in the database, across processes). */
  publicReportsPerPhoneDay: Type.Integer({ minimum: 1 }),
  /** Days a delivered outbox message and its delivery log are kept before the outbox worker purges them. */
  outboxRetentionDays: Type.Integer({ minimum: 1, maximum: 3650 }),
});
export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {}

function bool(v: string | undefined, fallback: boolean): boolean {
  if (v === undefined || v === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(v.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(v.toLowerCase())) return false;
  return v as unknown as boolean; // fails validation with the variable named
}

function int(v: string | undefined, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  return /^-?\d+$/.test(v) ? Number(v) : (v as unknown as number);
}

/** Builds the configuration from an environment (default: process.env) plus overrides. */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  const raw = {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.WANGGE_DATA_DIR || './data'),
    host: env.HOST || '127.0.0.1',
    port: int(env.PORT, 3000),
    mode: env.WANGGE_MODE || (env.NODE_ENV === 'production' ? 'production' : 'demo'),
    logLevel: env.LOG_LEVEL || 'info',
    sessionIdleMinutes: int(env.SESSION_IDLE_MINUTES, 30),
    sessionMaxHours: int(env.SESSION_MAX_HOURS, 12),
    dataKey: env.WANGGE_DATA_KEY || undefined,
    tileUrl: env.WANGGE_TILE_URL || '',
    poolSize: int(env.DB_POOL_SIZE, 20),
    secureCookies: bool(env.SECURE_COOKIES, env.NODE_ENV === 'production'),
    trustProxy: bool(env.TRUST_PROXY, false),
    uploadDir: path.resolve(env.WANGGE_UPLOAD_DIR || path.join(env.WANGGE_DATA_DIR || './data', 'uploads')),
    maxPhotoBytes: int(env.WANGGE_MAX_PHOTO_BYTES, 10 * 1024 * 1024),
    ratingDays: int(env.WANGGE_RATING_DAYS, 7),
    yellowShare: env.WANGGE_YELLOW_SHARE ? Number(env.WANGGE_YELLOW_SHARE) : 0.8,
    autoEscalateHours: int(env.WANGGE_AUTO_ESCALATE_HOURS, 24),
    workers: bool(env.WANGGE_WORKERS, true),
    sweep: bool(env.WANGGE_SWEEP, true),
    publicReportsPerHour: int(env.WANGGE_PUBLIC_REPORTS_PER_HOUR, 20),
    publicReportsPerPhoneDay: int(env.WANGGE_PUBLIC_REPORTS_PER_PHONE_DAY, 5),
    outboxRetentionDays: int(env.WANGGE_OUTBOX_RETENTION_DAYS, 30),
    sessionCacheSeconds: int(env.SESSION_CACHE_SECONDS, env.WANGGE_MODE === 'test' ? 0 : 5),
    ...overrides,
  };
  const names: Record<string, string> = {
    databaseUrl: 'DATABASE_URL', dataDir: 'WANGGE_DATA_DIR', host: 'HOST', port: 'PORT', mode: 'WANGGE_MODE',
    logLevel: 'LOG_LEVEL', sessionIdleMinutes: 'SESSION_IDLE_MINUTES', sessionMaxHours: 'SESSION_MAX_HOURS',
    dataKey: 'WANGGE_DATA_KEY', tileUrl: 'WANGGE_TILE_URL', poolSize: 'DB_POOL_SIZE', secureCookies: 'SECURE_COOKIES',
    trustProxy: 'TRUST_PROXY', uploadDir: 'WANGGE_UPLOAD_DIR', maxPhotoBytes: 'WANGGE_MAX_PHOTO_BYTES', ratingDays: 'WANGGE_RATING_DAYS',
    yellowShare: 'WANGGE_YELLOW_SHARE', autoEscalateHours: 'WANGGE_AUTO_ESCALATE_HOURS', workers: 'WANGGE_WORKERS', sweep: 'WANGGE_SWEEP',
    sessionCacheSeconds: 'SESSION_CACHE_SECONDS', publicReportsPerHour: 'WANGGE_PUBLIC_REPORTS_PER_HOUR',
    publicReportsPerPhoneDay: 'WANGGE_PUBLIC_REPORTS_PER_PHONE_DAY', outboxRetentionDays: 'WANGGE_OUTBOX_RETENTION_DAYS',
  };
  const errors = [...Value.Errors(ConfigSchema, raw)];
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const key = e.path.replace(/^\//, '');
      return `${names[key] ?? key}: ${e.message} (got ${JSON.stringify((raw as Record<string, unknown>)[key])})`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${[...new Set(lines)].join('\n  ')}`);
  }
  if (raw.mode === 'production' && !raw.dataKey) {
    throw new ConfigError('Invalid configuration:\n  WANGGE_DATA_KEY: required in production mode (32 bytes, hex or base64)');
  }
  return raw as Config;
}
