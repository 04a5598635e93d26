import { Type, type Static } from '@sinclair/typebox';
import { CHANNEL_KINDS } from '../../workers/channels.js';

const Topic = Type.String({
  pattern: '^(\\*|[a-z_]+\\.\\*|[a-z_]+(\\.[a-z_]+)+)$',
  maxLength: 80,
  description:
    "An outbox topic ('case.accepted', 'case.dispatched', 'case.supervised', 'case.escalated', 'case.resolved', 'case.checked', 'case.closed', 'case.clock', …), a family ('case.*') or '*'",
});
const Url = Type.String({ minLength: 8, maxLength: 2000, pattern: '^[hH][tT][tT][pP][sS]?://', description: 'Where messages are POSTed: http or https' });
const Kind = Type.Union(CHANNEL_KINDS.map((k) => Type.Literal(k)), {
  description: "Channel: 'webhook' (a partner system), 'sms' (an SMS gateway: residents with a phone hear of accepted/resolved/closed), 'wechat' (a WeChat message gateway: every in-app notice)",
});

export const CreateWebhookBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 60, description: 'Who receives it, for people' }),
    url: Url,
    kind: Type.Optional(Kind),
    topics: Type.Array(Topic, { minItems: 1, maxItems: 50, uniqueItems: true, description: 'Topics to receive' }),
    nodeCode: Type.Optional(Type.String({ pattern: '^\\d{2,19}$', description: 'Only cases in this node\'s subtree; omitted = your whole city' })),
  },
  { additionalProperties: false },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const UpdateWebhookBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    url: Type.Optional(Url),
    topics: Type.Optional(Type.Array(Topic, { minItems: 1, maxItems: 50, uniqueItems: true })),
    active: Type.Optional(Type.Boolean({ description: 'False pauses deliveries (retries already scheduled stop too)' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateWebhookBody = Static<typeof UpdateWebhookBody>;

export const WebhookParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'Subscription id' }) });

export const DeliveriesQuery = Type.Object(
  {
    page: Type.Integer({ minimum: 1, default: 1 }),
    pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);
export type DeliveriesQuery = Static<typeof DeliveriesQuery>;

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer> | ReturnType<typeof Type.Boolean>>(t: T) => Type.Union([t, Type.Null()]);

export const Webhook = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  kind: Kind,
  url: Type.String(),
  topics: Type.Array(Type.String()),
  nodeCode: Nullable(Type.String()),
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  lastDelivery: Type.Union([
    Type.Object({ at: Type.String({ format: 'date-time' }), statusCode: Nullable(Type.Integer()), delivered: Type.Boolean(), error: Nullable(Type.String()) }),
    Type.Null(),
  ]),
});

export const CreatedWebhook = Type.Intersect([
  Webhook,
  Type.Object({ secret: Type.String({ description: 'The signing secret, shown only in this response: keep it to verify X-Wangge-Signature' }) }),
]);

export const Delivery = Type.Object({
  id: Type.Integer(),
  outboxId: Type.Integer({ description: 'Also sent as X-Wangge-Delivery' }),
  topic: Nullable(Type.String()),
  attempt: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  state: Type.Union(['scheduled', 'delivered', 'retry_scheduled', 'failed'].map((s) => Type.Literal(s))),
  statusCode: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  durationMs: Nullable(Type.Integer()),
  nextRetryAt: Nullable(Type.String({ format: 'date-time' })),
  delivered: Type.Boolean(),
});

export const DeliveryPage = Type.Object({ items: Type.Array(Delivery), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() });

export const PingResult = Type.Object({
  deliveryId: Type.Integer(),
  delivered: Type.Boolean(),
  statusCode: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  durationMs: Type.Integer(),
});
