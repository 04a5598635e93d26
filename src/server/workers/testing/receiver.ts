/**
 * A real local HTTP server that receives webhooks in tests: records every
 * request and answers with the statuses queued (default 200); 'hang' never answers.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Answers for the next requests, in order. */
  respond(...statuses: (number | 'hang')[]): void;
  /** Answers for the next requests to one path, in order (before the general queue). */
  respondOn(path: string, ...statuses: (number | 'hang')[]): void;
  /** Waits until `n` requests have arrived (or fails after `ms`). */
  waitFor(n: number, ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const queue: (number | 'hang')[] = [];
  const byPath = new Map<string, (number | 'hang')[]>();
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      try {
        body = JSON.parse(raw);
      } catch {
        /* recorded raw */
      }
      received.push({ path: req.url ?? '/', headers: req.headers, raw, body });
      const next = byPath.get(req.url ?? '/')?.shift() ?? queue.shift() ?? 200;
      if (next === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(next, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respond: (...s) => queue.push(...s),
    respondOn: (path, ...s) => byPath.set(path, [...(byPath.get(path) ?? []), ...s]),
    async waitFor(n, ms = 5000) {
      const until = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} requests, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Checks X-Wangge-Signature the way a partner would, independently of the server's code. */
export function signatureValid(secret: string, header: string | string[] | undefined, raw: string): boolean {
  if (typeof header !== 'string') return false;
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  if (Math.abs(Date.now() / 1000 - Number(m[1])) > 300) return false;
  const want = createHmac('sha256', secret).update(`${m[1]}.${raw}`).digest();
  return timingSafeEqual(want, Buffer.from(m[2]!, 'hex'));
}
