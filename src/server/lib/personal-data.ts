import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Personal data (ID numbers, phones): AES-256-GCM at rest, an HMAC-SHA256 keyed
 * hash for exact lookup (no plaintext index), a masked form for display.
 * Ciphertexts carry their key id, so keys can be rotated: new writes use the
 * first key, old rows still decrypt with the key named in them.
 */
export interface DataKeys {
  /** Key id → 32-byte key; the first entry encrypts. */
  keys: Map<string, Buffer>;
  /** Key for the lookup hash (never rotated without re-hashing). */
  hashKey: Buffer;
}

function decodeKey(s: string): Buffer {
  const b = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
  if (b.length !== 32) throw new Error('a data key must be 32 bytes (64 hex characters or base64)');
  return b;
}

/**
 * Parses `WANGGE_DATA_KEY`: one key, or `id1:key1,id2:key2` for rotation. In
 * demo and test mode without a key, a fixed demo key is derived: never use it
 * for real data.
 */
export function loadDataKeys(spec: string | undefined): DataKeys {
  const keys = new Map<string, Buffer>();
  if (!spec) {
    keys.set('demo', createHash('sha256').update('wangge-demo-key-not-for-production').digest());
  } else {
    for (const part of spec.split(',')) {
      const i = part.indexOf(':');
      const [id, key] = i > 0 && i < 12 ? [part.slice(0, i), part.slice(i + 1)] : ['k1', part];
      keys.set(id, decodeKey(key.trim()));
    }
  }
  const first = [...keys.values()][0]!;
  const hashKey = createHmac('sha256', first).update('wangge-lookup-hash').digest();
  return { keys, hashKey };
}

export class PersonalData {
  constructor(private readonly k: DataKeys) {}

  encrypt(plain: string): string {
    const [id, key] = [...this.k.keys.entries()][0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${id}:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
  }

  decrypt(stored: string): string {
    const i = stored.indexOf(':');
    const key = this.k.keys.get(stored.slice(0, i));
    if (!key) throw new Error(`unknown data key id ${stored.slice(0, i)}`);
    const raw = Buffer.from(stored.slice(i + 1), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** Keyed hash of a normalised value, for exact lookup. */
  hash(value: string): string {
    return createHmac('sha256', this.k.hashKey).update(value.trim().toUpperCase()).digest('hex');
  }

  /** The id of the key new writes use (the first in WANGGE_DATA_KEY). */
  get currentKeyId(): string {
    return [...this.k.keys.keys()][0]!;
  }

  /** True when a stored ciphertext was written under another key than the current one (key rotation). */
  isStale(stored: string): boolean {
    return !stored.startsWith(`${this.currentKeyId}:`);
  }
}

/** 138****5678 */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4) : '*'.repeat(phone.length);
}

/** 110***********1234 */
export function maskIdNumber(id: string): string {
  return id.length > 7 ? id.slice(0, 3) + '*'.repeat(id.length - 7) + id.slice(-4) : '*'.repeat(id.length);
}

/** Mainland mobile numbers: 11 digits starting with 1. */
export function isMobilePhone(s: string): boolean {
  return /^1[3-9]\d{9}$/.test(s);
}
