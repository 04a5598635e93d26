/**
 * Type parsing shared by both engines, so that a row looks the same on PGlite
 * and PostgreSQL: int8 and numeric as JS numbers (ids and counts stay below
 * 2^53), timestamps as Date, json as objects.
 */
export const OID = { int8: 20, numeric: 1700, int8Array: 1016 } as const;

export function parseInt8(v: string): number {
  return Number(v);
}

export function parseNumeric(v: string): number {
  return Number(v);
}
