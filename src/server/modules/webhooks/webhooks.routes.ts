import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ctxOf, type AppDeps } from '../../context.js';
import { CreatedWebhook, CreateWebhookBody, DeliveriesQuery, DeliveryPage, PingResult, UpdateWebhookBody, Webhook, WebhookParams } from './webhooks.schemas.js';
import * as svc from './webhooks.service.js';

/**
 * Outbox subscriptions: partner webhooks, SMS and WeChat gateways. Every
 * message is a signed POST: X-Wangge-Signature `t=<unix>,v1=<hex HMAC-SHA256
 * of "<t>.<body>">` with the subscription's secret.
 */
export async function webhooksRoutes(app: FastifyInstance, { deps }: { deps: AppDeps }) {
  const tags = ['webhooks'];
  const permission = 'webhook.manage';
  const id = (req: { params: unknown }) => (req.params as { id: number }).id;
  app.get('/', { config: { permission }, schema: { tags, summary: 'Subscriptions in your part of the tree', response: { 200: Type.Object({ items: Type.Array(Webhook) }) } } }, (req) =>
    svc.listWebhooks(ctxOf(req, deps)),
  );
  app.post(
    '/',
    { config: { permission }, schema: { tags, summary: 'Subscribe a URL to topics; the signing secret is returned once', body: CreateWebhookBody, response: { 201: CreatedWebhook } } },
    async (req, reply) => reply.status(201).send(await svc.createWebhook(ctxOf(req, deps), req.body as CreateWebhookBody)),
  );
  app.patch('/:id', { config: { permission }, schema: { tags, summary: 'Pause, resume, rename, change URL or topics', params: WebhookParams, body: UpdateWebhookBody, response: { 200: Webhook } } }, (req) =>
    svc.updateWebhook(ctxOf(req, deps), id(req), req.body as UpdateWebhookBody),
  );
  app.delete('/:id', { config: { permission }, schema: { tags, summary: 'Remove a subscription and its delivery log', params: WebhookParams } }, async (req, reply) => {
    await svc.deleteWebhook(ctxOf(req, deps), id(req));
    return reply.status(204).send();
  });
  app.get(
    '/:id/deliveries',
    { config: { permission }, schema: { tags, summary: 'Delivery attempts, newest first', params: WebhookParams, querystring: DeliveriesQuery, response: { 200: DeliveryPage } } },
    (req) => svc.listDeliveries(ctxOf(req, deps), id(req), req.query as DeliveriesQuery),
  );
  app.post('/:id/test', { config: { permission }, schema: { tags, summary: 'Send a signed ping now and show the result', params: WebhookParams, response: { 200: PingResult } } }, (req) =>
    svc.pingWebhook(ctxOf(req, deps), id(req)),
  );
}
