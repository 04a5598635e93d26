/**
 * The registry screens' URLs (人、地、事、物): console lists and pages under
 * /registry, the grid worker's household lookup under /h5/households. Kept
 * free of heavy imports: the app shell imports it to pick the bundle.
 */
export type RegistryTab = 'households' | 'residents' | 'places' | 'things';

export type RegistryRoute =
  | { screen: 'list'; tab: RegistryTab }
  | { screen: 'household'; id: number }
  | { screen: 'resident'; id: number }
  | { screen: 'place'; id: number }
  | { screen: 'thing'; id: number }
  | { screen: 'h5-households' }
  | { screen: 'h5-household'; id: number };

export function matchRegistryRoute(path: string): RegistryRoute | undefined {
  const p = path.replace(/\/+$/, '') || '/';
  let m: RegExpExecArray | null;
  if (p === '/registry') return { screen: 'list', tab: 'households' };
  if ((m = /^\/registry\/(households|residents|places|things)$/.exec(p))) return { screen: 'list', tab: m[1] as RegistryTab };
  if ((m = /^\/registry\/(household|resident|place|thing)s\/(\d{1,15})$/.exec(p))) return { screen: m[1] as 'household', id: Number(m[2]) };
  if (p === '/h5/households') return { screen: 'h5-households' };
  if ((m = /^\/h5\/households\/(\d{1,15})$/.exec(p))) return { screen: 'h5-household', id: Number(m[1]) };
  return undefined;
}

export function isRegistryScreen(path: string): boolean {
  return matchRegistryRoute(path) !== undefined;
}
