/**
 * Resident identity numbers (居民身份证号码, GB 11643-1999): 18 characters —
 * a 6-digit administrative region code (GB/T 2260), the birth date YYYYMMDD,
 * a 3-digit sequence (odd for men, even for women) and a check character
 * (ISO 7064 MOD 11-2: 0–9 or X). Pure: the API, the ledger import and the demo
 * generator share it.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/** Province-level codes of GB/T 2260 (the first two digits of every region code). */
const PROVINCES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82',
]);

export type IdNumberProblem = 'format' | 'region' | 'birth_date' | 'check_digit';

/** Why a number was refused, for the ledger import report and the API. */
export const ID_NUMBER_PROBLEM_TEXT: Record<IdNumberProblem, { zh: string; en: string }> = {
  format: { zh: '格式错误（应为18位数字，末位可为X）', en: 'must be 18 characters: 17 digits and a digit or X' },
  region: { zh: '地区码无效', en: 'the region code is not a valid GB/T 2260 code' },
  birth_date: { zh: '出生日期无效', en: 'the birth date is not a real date in the past' },
  check_digit: { zh: '校验位错误', en: 'the check digit is wrong' },
};

export interface IdNumberInfo {
  /** Upper-cased, spaces removed. */
  normalised: string;
  regionCode: string;
  /** YYYY-MM-DD */
  birthDate: string;
  gender: 'male' | 'female';
}

export type IdNumberResult = { ok: true; info: IdNumberInfo } | { ok: false; problem: IdNumberProblem };

/** The check character for the first 17 digits. */
export function checkCharOf(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** Trims, removes inner spaces and upper-cases a trailing x. */
export function normaliseIdNumber(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase();
}

/**
 * Validates an 18-character ID number: format, province of the region code,
 * a real birth date not in the future and not before 1900, and the check digit.
 * `today` makes the future check testable.
 */
export function parseIdNumber(raw: string, today: Date = new Date()): IdNumberResult {
  const s = normaliseIdNumber(raw);
  if (!/^\d{17}[\dX]$/.test(s)) return { ok: false, problem: 'format' };
  const region = s.slice(0, 6);
  if (!PROVINCES.has(region.slice(0, 2))) return { ok: false, problem: 'region' };
  const [y, m, d] = [Number(s.slice(6, 10)), Number(s.slice(10, 12)), Number(s.slice(12, 14))];
  const date = new Date(Date.UTC(y, m - 1, d));
  const valid = y >= 1900 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d && date.getTime() <= today.getTime();
  if (!valid) return { ok: false, problem: 'birth_date' };
  if (checkCharOf(s.slice(0, 17)) !== s[17]) return { ok: false, problem: 'check_digit' };
  return {
    ok: true,
    info: {
      normalised: s,
      regionCode: region,
      birthDate: `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`,
      gender: Number(s[16]) % 2 === 1 ? 'male' : 'female',
    },
  };
}

export function isValidIdNumber(raw: string, today?: Date): boolean {
  return parseIdNumber(raw, today).ok;
}

/**
 * Builds a valid-format number from its parts (demo data and tests: the result
 * is fictitious, it only satisfies the format and the check digit).
 */
export function makeIdNumber(regionCode: string, birthDate: string, sequence: number): string {
  const seq = String(sequence % 1000).padStart(3, '0');
  const first17 = `${regionCode}${birthDate.replace(/-/g, '')}${seq}`;
  if (!/^\d{17}$/.test(first17)) throw new Error(`cannot build an ID number from ${regionCode} ${birthDate} ${sequence}`);
  return first17 + checkCharOf(first17);
}

/** 110***********1234: the first three and last four characters. */
export function maskId(id: string): string {
  return id.length > 7 ? id.slice(0, 3) + '*'.repeat(id.length - 7) + id.slice(-4) : '*'.repeat(id.length);
}
