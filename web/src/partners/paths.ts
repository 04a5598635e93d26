/**
 * The partner screens' URLs: partner systems and their API keys
 * (/settings/partners) and the categories' extra questions for Open311
 * (/settings/open311). Kept free of heavy imports: the app shell imports it.
 */
export type PartnerRoute = { screen: 'partners' } | { screen: 'questions' };

export function matchPartnerRoute(path: string): PartnerRoute | undefined {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/settings/partners') return { screen: 'partners' };
  if (p === '/settings/open311') return { screen: 'questions' };
  return undefined;
}

export function isPartnerScreen(path: string): boolean {
  return matchPartnerRoute(path) !== undefined;
}
