/**
 * Notification channels behind one interface. Each subscription names its
 * channel (`kind`): a partner's webhook, an SMS gateway, a WeChat message
 * gateway. All three send the same way, a signed JSON POST to the
 * subscription's URL; they differ in which outbox messages concern them and
 * in the body they build. A provider with its own API (Aliyun SMS, the WeChat
 * official-account API) is one more implementation of `NotificationChannel`.
 *
 * Adding a provider directly, e.g. Aliyun SMS (阿里云短信, Dysmsapi SendSms):
 * add its kind to CHANNEL_KINDS and the CHECK in a migration; keep `accepts`
 * of smsChannel; `render` maps the topic to the approved TemplateCode and
 * TemplateParam (`{"number": …}`) with the SignName; `send` signs the request
 * with the AccessKey (ACS3-HMAC-SHA256) instead of our X-Wangge-Signature,
 * posts to dysmsapi.aliyuncs.com and reads `Code == "OK"` as delivered (a
 * throttling code as a failure to retry). The AccessKey belongs in the
 * subscription's encrypted secret, so nothing else changes: scheduling,
 * retries and the delivery log stay as they are.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Executor } from '../db/db.js';
import type { PersonalData } from '../lib/personal-data.js';
import { isWithin } from '../../domain/tree.js';

export const CHANNEL_KINDS = ['webhook', 'sms', 'wechat'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** One outbox row as the channels see it. */
export interface OutboxMessage {
  id: number;
  cityCode: string;
  topic: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/** The case an outbox message is about, as far as scheduling needs it. */
export interface CaseFacts {
  nodePath: string | null;
  hasReporterPhone: boolean;
}

export interface Subscription {
  id: number;
  name: string;
  kind: ChannelKind;
  url: string;
  /** Decrypted signing secret. */
  secret: string;
  nodePath: string | null;
}

/** What a channel sends: one signed POST. */
export interface ChannelMessage {
  url: string;
  secret: string;
  /** X-Wangge-Event */
  event: string;
  /** X-Wangge-Delivery: the outbox id, stable across retries so receivers can drop repeats. */
  deliveryId: string;
  attempt: number;
  body: unknown;
}

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface RenderContext {
  db: Executor;
  pd: PersonalData;
  ratingDays: number;
}

export interface NotificationChannel {
  readonly name: ChannelKind;
  /** Does this outbox message concern the channel at all? Decided when deliveries are scheduled. */
  accepts(m: OutboxMessage, c: CaseFacts | null): boolean;
  /** The message to send, built at send time (personal data is decrypted only then); null = nothing to send. */
  render(m: OutboxMessage, sub: Subscription, attempt: number, ctx: RenderContext): Promise<ChannelMessage | null>;
  send(message: ChannelMessage, timeoutMs?: number): Promise<SendResult>;
}

export const DEFAULT_TIMEOUT_MS = 5_000;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` */
export function signatureHeader(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does with X-Wangge-Signature: recompute and compare in
 * constant time, and refuse old timestamps (replays). Exported for partners'
 * reference and for our tests.
 */
export function verifySignature(secret: string, header: string, body: string, toleranceSec = 300, nowSec = Math.floor(Date.now() / 1000)): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSec - t) > toleranceSec) return false;
  const want = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const got = Buffer.from(parts.v1);
  return want.length === got.length && timingSafeEqual(want, got);
}

/**
 * The one HTTP sender: JSON body, signature, 5 s timeout. 2xx is delivered;
 * anything else (a redirect included: it is not followed) is a failure.
 */
export async function postSigned(m: ChannelMessage, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<SendResult> {
  const body = JSON.stringify(m.body);
  const t0 = performance.now();
  const done = (r: Omit<SendResult, 'durationMs'>): SendResult => ({ ...r, durationMs: Math.round(performance.now() - t0) });
  try {
    const res = await fetch(m.url, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Wangge-Notifier/1',
        'x-wangge-event': m.event,
        'x-wangge-delivery': m.deliveryId,
        'x-wangge-attempt': String(m.attempt),
        'x-wangge-signature': signatureHeader(m.secret, body),
      },
    });
    await res.body?.cancel().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return done({ ok, statusCode: res.status, error: ok ? null : `HTTP ${res.status}` });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    const error = timedOut ? `timeout after ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message ?? 'request failed');
    return done({ ok: false, statusCode: null, error: String(error).slice(0, 500) });
  }
}

type Notify = { userIds?: string[]; kind?: string; title?: string; body?: string };

/** The message's data for outsiders: no notify list (user ids are internal routing). */
function publicData(m: OutboxMessage, sub: Subscription): Record<string, unknown> {
  const { notify: _notify, ...data } = m.payload;
  if (m.topic === 'case.clock' && sub.nodePath && Array.isArray(data.changes)) {
    // A subscription for part of the tree sees only its own cases' clocks.
    data.changes = (data.changes as { nodePath?: string | null }[]).filter((c) => c.nodePath && isWithin(c.nodePath, sub.nodePath!));
  }
  return data;
}

function message(m: OutboxMessage, sub: Subscription, attempt: number, body: unknown): ChannelMessage {
  return { url: sub.url, secret: sub.secret, event: m.topic, deliveryId: String(m.id), attempt, body };
}

/** Partners' webhooks: every message of the subscribed topics, in the subscription's part of the tree. */
export const webhookChannel: NotificationChannel = {
  name: 'webhook',
  accepts: () => true,
  async render(m, sub, attempt) {
    return message(m, sub, attempt, { id: m.id, topic: m.topic, occurredAt: m.createdAt.toISOString(), data: publicData(m, sub) });
  },
  send: postSigned,
};

/** Topics a resident hears about by SMS: accepted, resolved (checked on site), closed. */
export const SMS_TOPICS: Record<string, { template: string; text: (number: string, ratingDays: number) => string }> = {
  'case.accepted': { template: 'case_accepted', text: (n) => `您反映的问题已受理，编号${n}。我们会尽快处理。` },
  'case.checked': { template: 'case_resolved', text: (n, d) => `您反映的问题（编号${n}）已办结，请在${d}天内评价。` },
  'case.closed': { template: 'case_closed', text: (n) => `您反映的问题（编号${n}）已结案，感谢您的参与。` },
};

/**
 * SMS through a gateway: the subscription's URL receives
 * `{ to, template, params, text }` signed like a webhook; the gateway holds the
 * carrier account and the approved templates (短信模板) and sends the text.
 * Only cases with a reporter phone, only the topics above.
 */
export const smsChannel: NotificationChannel = {
  name: 'sms',
  accepts: (m, c) => m.topic in SMS_TOPICS && !!c?.hasReporterPhone,
  async render(m, sub, attempt, ctx) {
    const tpl = SMS_TOPICS[m.topic];
    const caseId = m.payload.caseId;
    if (!tpl || typeof caseId !== 'number') return null;
    const [c] = await ctx.db.query<{ number: string; reporter_phone_enc: string | null }>(
      'SELECT number, reporter_phone_enc FROM cases WHERE city_code = $1 AND id = $2',
      [m.cityCode, caseId],
    );
    if (!c?.reporter_phone_enc) return null;
    const to = ctx.pd.decrypt(c.reporter_phone_enc);
    return message(m, sub, attempt, {
      id: m.id,
      to,
      template: tpl.template,
      params: { number: c.number, ratingDays: ctx.ratingDays },
      text: tpl.text(c.number, ctx.ratingDays),
    });
  },
  send: postSigned,
};

/**
 * WeChat messages (微信订阅消息) through a gateway: every in-app notice goes
 * out as `{ notices: [{ userIds, kind, title, body }] }`; the gateway holds
 * the user ↔ openid bindings and the template ids.
 */
export const wechatChannel: NotificationChannel = {
  name: 'wechat',
  accepts: (m) => Array.isArray(m.payload.notify) && (m.payload.notify as Notify[]).some((n) => n.userIds?.length),
  async render(m, sub, attempt) {
    const notices = ((m.payload.notify as Notify[] | undefined) ?? [])
      .filter((n) => n.userIds?.length)
      .map((n) => ({ userIds: n.userIds, kind: n.kind, title: n.title, body: n.body ?? null }));
    if (!notices.length) return null;
    return message(m, sub, attempt, { id: m.id, topic: m.topic, caseId: m.payload.caseId ?? null, number: m.payload.number ?? null, notices });
  },
  send: postSigned,
};

export const CHANNELS: Record<ChannelKind, NotificationChannel> = { webhook: webhookChannel, sms: smsChannel, wechat: wechatChannel };

/** Does the subscription's part of the tree cover the message? */
export function coversMessage(subPath: string | null, m: OutboxMessage, c: CaseFacts | null): boolean {
  if (!subPath) return true;
  if (c?.nodePath) return isWithin(c.nodePath, subPath);
  if (m.topic === 'case.clock' && Array.isArray(m.payload.changes)) {
    return (m.payload.changes as { nodePath?: string | null }[]).some((x) => x.nodePath && isWithin(x.nodePath, subPath));
  }
  return false;
}
