import { createReadStream, existsSync, mkdirSync, renameSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tar from 'tar';
import { ROOT } from '../paths.js';

/**
 * pglite-postgis ships a 20 MB bundle (raster, topology, tiger geocoder, every
 * upgrade script) that PGlite unpacks on every start: about 3 s. We keep only
 * what `CREATE EXTENSION postgis` and PostGIS itself need (the core library,
 * its control and install scripts, the PROJ data) in a cached bundle of about
 * 7 MB, which brings a start from an existing data folder from ~4.6 s to ~1.7 s.
 */
const KEEP = [
  /^lib\/postgresql\/postgis-3\.so$/,
  /^share\/postgresql\/extension\/postgis\.control$/,
  /^share\/postgresql\/extension\/postgis--\d+\.\d+\.\d+\.sql$/,
  /^share\/postgresql\/extension\/postgis--TEMPLATED--TO--ANY\.sql$/,
  /^share\/proj\//,
];

export async function slimPostgisBundle(): Promise<URL> {
  const require = createRequire(import.meta.url);
  const distDir = path.dirname(require.resolve('@electric-sql/pglite-postgis'));
  const pkgJson = path.join(distDir, '..', 'package.json');
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  const source = path.join(distDir, 'postgis.tar.gz');
  const cacheDir = path.join(ROOT, 'node_modules', '.cache', 'wangge');
  const target = path.join(cacheDir, `postgis-${version}-slim.tar.gz`);
  if (!existsSync(target)) {
    mkdirSync(cacheDir, { recursive: true });
    const entries: { path: string; body: Buffer; mode: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      const parser = new tar.Parser({
        onReadEntry: (entry) => {
          const name = entry.path.replace(/^\.\//, '');
          if (entry.type !== 'File' || !KEEP.some((re) => re.test(name))) {
            entry.resume();
            return;
          }
          const chunks: Buffer[] = [];
          entry.on('data', (c: Buffer) => chunks.push(c));
          entry.on('end', () => entries.push({ path: name, body: Buffer.concat(chunks), mode: entry.mode ?? 0o644 }));
        },
      });
      parser.on('end', resolve);
      parser.on('error', reject);
      createReadStream(source).on('error', reject).pipe(parser);
    });
    const staging = path.join(cacheDir, `staging-${process.pid}`);
    mkdirSync(staging, { recursive: true });
    const { writeFileSync } = await import('node:fs');
    for (const e of entries) {
      const file = path.join(staging, e.path);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, e.body, { mode: e.mode });
    }
    const tmp = `${target}.${process.pid}.tmp`;
    await tar.create({ gzip: true, file: tmp, cwd: staging, portable: true }, entries.map((e) => e.path));
    renameSync(tmp, target);
    const { rmSync } = await import('node:fs');
    rmSync(staging, { recursive: true, force: true });
  }
  return new URL(`file://${target}`);
}
