/**
 * Start-up and memory: first start on an empty PGlite data folder (demo city
 * created), a second start from that folder, and the resident memory of the
 * server process on PGlite and on PostgreSQL (DATABASE_URL), idle after start
 * and after a burst of requests.
 *
 *   npm run bench -- startup [--engine pglite|postgres|both]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { enginesFromArgs, report } from './util.js';
import { ROOT } from '../src/server/paths.js';

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function startServer(env: Record<string, string>, port: number): Promise<{ child: ChildProcess; readyMs: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'serve', '--port', String(port)], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    process.stderr.write(d);
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (r.ok) return { child, readyMs: performance.now() - t0 };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

async function burst(port: number, n: number): Promise<void> {
  const meta = await fetch(`http://127.0.0.1:${port}/api/meta`).then((r) => r.json() as Promise<{ demoLogins: { username: string; password: string }[] }>);
  const admin = meta.demoLogins[0];
  if (!admin) return;
  const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: admin.username, password: admin.password }),
  });
  const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
  for (let i = 0; i < n; i++) await fetch(`http://127.0.0.1:${port}/api/auth/me`, { headers: { cookie } });
}

export default async function (args: string[]) {
  const port = 3950 + Math.floor(Math.random() * 40);
  for (const engine of enginesFromArgs(args)) {
    if (engine === 'pglite') {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'wangge-start-'));
      try {
        // DATABASE_URL emptied: a PostgreSQL URL in the bench's own environment would otherwise win over the data folder.
        const first = await startServer({ WANGGE_DATA_DIR: dir, WANGGE_MODE: 'demo', DATABASE_URL: '' }, port);
        const firstRss = rssMb(first.child.pid!);
        await stop(first.child);
        const second = await startServer({ WANGGE_DATA_DIR: dir, WANGGE_MODE: 'demo', DATABASE_URL: '' }, port);
        const idle = rssMb(second.child.pid!);
        await burst(port, 200);
        const busy = rssMb(second.child.pid!);
        await stop(second.child);
        report('startup', 'pglite', {
          first_start_with_demo_s: first.readyMs / 1000,
          restart_ready_s: second.readyMs / 1000,
          rss_after_first_start_mb: firstRss,
          rss_idle_mb: idle,
          rss_after_200_requests_mb: busy,
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } else {
      const admin = process.env.DATABASE_URL!;
      const name = `wangge_bench_${randomBytes(4).toString('hex')}`;
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      const u = new URL(admin);
      u.pathname = '/' + name;
      try {
        const first = await startServer({ DATABASE_URL: u.toString(), WANGGE_MODE: 'demo' }, port);
        await stop(first.child);
        const second = await startServer({ DATABASE_URL: u.toString(), WANGGE_MODE: 'demo' }, port);
        const idle = rssMb(second.child.pid!);
        await burst(port, 200);
        const busy = rssMb(second.child.pid!);
        await stop(second.child);
        report('startup', 'postgres', {
          first_start_with_demo_s: first.readyMs / 1000,
          restart_ready_s: second.readyMs / 1000,
          rss_idle_mb: idle,
          rss_after_200_requests_mb: busy,
        });
      } finally {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      }
    }
  }
}
