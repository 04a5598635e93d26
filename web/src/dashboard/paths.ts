/**
 * The dashboard area's URLs: the command centre (/dashboard, /dashboard/<node>)
 * and the monthly review (/analysis, /analysis/<node>?month=YYYY-MM&item=<id>).
 * Kept free of heavy imports: the app shell imports it to pick the bundle.
 */
export type DashboardRoute = { screen: 'dashboard'; node?: string } | { screen: 'analysis'; node?: string };

export function matchDashboardRoute(path: string): DashboardRoute | undefined {
  const p = path.replace(/\/+$/, '') || '/';
  let m: RegExpExecArray | null;
  if (p === '/dashboard') return { screen: 'dashboard' };
  if ((m = /^\/dashboard\/(\d{2,19})$/.exec(p))) return { screen: 'dashboard', node: m[1] };
  if (p === '/analysis') return { screen: 'analysis' };
  if ((m = /^\/analysis\/(\d{2,19})$/.exec(p))) return { screen: 'analysis', node: m[1] };
  return undefined;
}

export function isDashboardScreen(path: string): boolean {
  return matchDashboardRoute(path) !== undefined;
}

export const dashboardPath = (node?: string) => (node ? `/dashboard/${node}` : '/dashboard');
export const analysisPath = (node?: string, month?: string, item?: number) => {
  const q = new URLSearchParams();
  if (month) q.set('month', month);
  if (item) q.set('item', String(item));
  const s = q.toString();
  return `${node ? `/analysis/${node}` : '/analysis'}${s ? `?${s}` : ''}`;
};
