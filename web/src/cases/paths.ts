/**
 * The case screens' URLs, matched on the pathname (the app's router is the
 * History API and nothing more). Kept free of heavy imports: the app shell
 * imports it to decide which lazy bundle to load.
 */
export type CaseRoute =
  | { screen: 'queue' }
  | { screen: 'case'; id: number }
  | { screen: 'intake' }
  | { screen: 'inbox' }
  | { screen: 'categories' }
  | { screen: 'responsibility' }
  | { screen: 'h5-home' }
  | { screen: 'h5-report' }
  | { screen: 'h5-patrol' }
  | { screen: 'h5-cases' }
  | { screen: 'h5-case'; id: number }
  | { screen: 'h5-tasks' }
  | { screen: 'h5-inbox' };

export function matchCaseRoute(path: string): CaseRoute | undefined {
  const p = path.replace(/\/+$/, '') || '/';
  let m: RegExpExecArray | null;
  if (p === '/cases') return { screen: 'queue' };
  if ((m = /^\/cases\/(\d{1,15})$/.exec(p))) return { screen: 'case', id: Number(m[1]) };
  if (p === '/intake') return { screen: 'intake' };
  if (p === '/inbox') return { screen: 'inbox' };
  if (p === '/settings/categories') return { screen: 'categories' };
  if (p === '/settings/responsibility') return { screen: 'responsibility' };
  if (p === '/h5') return { screen: 'h5-home' };
  if (p === '/h5/report') return { screen: 'h5-report' };
  if (p === '/h5/patrol') return { screen: 'h5-patrol' };
  if (p === '/h5/cases') return { screen: 'h5-cases' };
  if ((m = /^\/h5\/cases\/(\d{1,15})$/.exec(p))) return { screen: 'h5-case', id: Number(m[1]) };
  if (p === '/h5/tasks') return { screen: 'h5-tasks' };
  if (p === '/h5/inbox') return { screen: 'h5-inbox' };
  return undefined;
}

/**
 * True when the case screens should draw this path: one of their URLs, or the
 * home page of someone the map console has nothing for (a resident).
 */
export function isCaseScreen(path: string, permissions: readonly string[]): boolean {
  if (matchCaseRoute(path)) return true;
  return path === '/' && !permissions.includes('node.read');
}

export const casePath = (id: number) => `/cases/${id}`;
export const h5CasePath = (id: number) => `/h5/cases/${id}`;
