/**
 * The care and linkage screens' URLs (走访、巡查、四级联户). Kept free of heavy
 * imports: the app shell imports it to pick the bundle.
 */
export type CareRoute =
  | { screen: 'linkage' }
  | { screen: 'patrols' }
  | { screen: 'h5-visits' }
  | { screen: 'h5-visit'; residentId: number }
  | { screen: 'h5-patrol' }
  | { screen: 'h5-neighbours' };

export function matchCareRoute(path: string): CareRoute | undefined {
  const p = path.replace(/\/+$/, '') || '/';
  let m: RegExpExecArray | null;
  if (p === '/care/linkage' || p === '/care') return { screen: 'linkage' };
  if (p === '/care/patrols') return { screen: 'patrols' };
  if (p === '/h5/visits') return { screen: 'h5-visits' };
  if ((m = /^\/h5\/visits\/(\d{1,15})$/.exec(p))) return { screen: 'h5-visit', residentId: Number(m[1]) };
  if (p === '/h5/track') return { screen: 'h5-patrol' };
  if (p === '/h5/neighbours') return { screen: 'h5-neighbours' };
  return undefined;
}

export function isCareScreen(path: string): boolean {
  return matchCareRoute(path) !== undefined;
}
