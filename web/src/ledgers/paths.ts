/**
 * The ledger screens' URLs (/ledgers/import, /ledgers/reports). Kept free of
 * heavy imports: the app shell imports it to pick the bundle.
 */
export type LedgerRoute = { screen: 'import' } | { screen: 'reports' };

export function matchLedgerRoute(path: string): LedgerRoute | undefined {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/ledgers/import') return { screen: 'import' };
  if (p === '/ledgers/reports' || p === '/ledgers') return { screen: 'reports' };
  return undefined;
}

export function isLedgerScreen(path: string): boolean {
  return matchLedgerRoute(path) !== undefined;
}

/** The case export's URL for the queue's filters (paging and sort are dropped by the server). */
export function caseExportUrl(format: 'xlsx' | 'csv', query: object): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query) as [string, unknown][]) if (v !== undefined && v !== null && v !== '' && k !== 'page' && k !== 'pageSize' && k !== 'sort') p.set(k, String(v));
  const s = p.toString();
  return `/api/ledgers/cases.${format}${s ? `?${s}` : ''}`;
}
