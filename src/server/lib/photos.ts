import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fieldError } from '../errors.js';

export type PhotoMime = 'image/jpeg' | 'image/png' | 'image/webp';

/** The type from the file's first bytes; the declared content type is not trusted. */
export function sniffImage(buf: Buffer): PhotoMime | undefined {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'image/jpeg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (buf.length >= 12 && buf.toString('ascii', 0, 4) === 'RIFF' && buf.toString('ascii', 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

export interface StoredPhoto {
  sha256: string;
  mime: PhotoMime;
  bytes: number;
}

export const MAX_PHOTOS_PER_ACTION = 9;

/** Where a photo lives: <dir>/ab/cd/<sha256>. */
export function photoPath(dir: string, sha256: string): string {
  return path.join(dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

/**
 * Stores an image under its content hash (the same photo twice is stored once).
 * Throws 400 naming `field` for a file that is not a JPEG, PNG or WebP image or is too large.
 */
export function storePhoto(dir: string, buf: Buffer, maxBytes: number, field = 'photos'): StoredPhoto {
  if (buf.length === 0) throw fieldError(field, 'the file is empty');
  if (buf.length > maxBytes) throw fieldError(field, `the file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`, 'PAYLOAD_TOO_LARGE');
  const mime = sniffImage(buf);
  if (!mime) throw fieldError(field, 'must be a JPEG, PNG or WebP image', 'UNSUPPORTED_MEDIA_TYPE');
  const sha256 = createHash('sha256').update(buf).digest('hex');
  const file = photoPath(dir, sha256);
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, buf);
    renameSync(tmp, file);
  }
  return { sha256, mime, bytes: buf.length };
}

export function isStoredPhoto(dir: string, sha256: string): boolean {
  return /^[0-9a-f]{64}$/.test(sha256) && existsSync(photoPath(dir, sha256));
}
