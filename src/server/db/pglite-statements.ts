/**
 * Named prepared statements for PGlite. PGlite's own `query` sends Parse,
 * Describe, Bind, Describe, Execute and Sync as six calls into WebAssembly and
 * parses and plans the SQL every time; measured on the demo city that is
 * 5–10× the cost of the work itself. Here each distinct SQL text is parsed
 * once under a name (its parameter types learnt from the server), and every
 * later call sends Bind + Describe + Execute + Sync in ONE call. Results are
 * parsed with PGlite's own type parsers, so rows look exactly as before.
 */
import { protocol, types, type PGlite } from '@electric-sql/pglite';

const { serialize } = protocol;
/** Statements kept per connection; the least recently used is closed beyond this. */
const MAX_STATEMENTS = 400;

interface Prepared {
  name: string;
  paramOids: number[];
}

type Msg = { name: string } & Record<string, unknown>;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** PostgreSQL's "cached plan must not change result type" after DDL: prepare again. */
const STALE_PLAN = '0A000';

export class StatementCache {
  private readonly stmts = new Map<string, Prepared>();
  private seq = 0;

  constructor(private readonly pg: PGlite) {}

  /** Runs one statement; the caller holds PGlite's query lock. */
  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const stmt = await this.prepare(sql);
    try {
      return await this.execute<T>(stmt, params);
    } catch (err) {
      if ((err as { code?: string }).code !== STALE_PLAN) throw err;
      await this.forget(sql);
      return this.execute<T>(await this.prepare(sql), params);
    }
  }

  private async prepare(sql: string): Promise<Prepared> {
    const hit = this.stmts.get(sql);
    if (hit) {
      // Map order is insertion order: re-inserting keeps the most recently used last.
      this.stmts.delete(sql);
      this.stmts.set(sql, hit);
      return hit;
    }
    const name = `wg_${++this.seq}`;
    const res = await this.pg.execProtocol(concat([serialize.parse({ name, text: sql, types: [] }), serialize.describe({ type: 'S', name }), serialize.sync()]), { syncToFs: false });
    const pd = (res.messages as unknown as Msg[]).find((m) => m.name === 'parameterDescription') as { dataTypeIDs?: number[] } | undefined;
    const stmt = { name, paramOids: pd?.dataTypeIDs ?? [] };
    this.stmts.set(sql, stmt);
    if (this.stmts.size > MAX_STATEMENTS) await this.forget(this.stmts.keys().next().value!);
    return stmt;
  }

  private async forget(sql: string): Promise<void> {
    const stmt = this.stmts.get(sql);
    if (!stmt) return;
    this.stmts.delete(sql);
    await this.pg.execProtocol(concat([serialize.close({ type: 'S', name: stmt.name }), serialize.sync()]), { syncToFs: false });
  }

  private async execute<T>(stmt: Prepared, params: readonly unknown[]): Promise<T[]> {
    const serializers = this.pg.serializers as Record<number, (v: unknown) => string>;
    const values = params.map((v, i) => {
      if (v === null || v === undefined) return null;
      const s = serializers[stmt.paramOids[i]!];
      return s ? s(v) : String(v);
    });
    const res = await this.pg.execProtocol(
      concat([serialize.bind({ statement: stmt.name, values }), serialize.describe({ type: 'P', name: '' }), serialize.execute({}), serialize.sync()]),
      { syncToFs: false },
    );
    let fields: { name: string; dataTypeID: number }[] = [];
    const rows: T[] = [];
    const parsers = this.pg.parsers as Parameters<typeof types.parseType>[2];
    for (const m of res.messages as unknown as Msg[]) {
      if (m.name === 'rowDescription') fields = m.fields as typeof fields;
      else if (m.name === 'dataRow') {
        const vals = m.fields as (string | null)[];
        const row: Record<string, unknown> = {};
        for (let i = 0; i < fields.length; i++) row[fields[i]!.name] = types.parseType(vals[i] ?? null, fields[i]!.dataTypeID, parsers);
        rows.push(row as T);
      }
    }
    return rows;
  }
}
