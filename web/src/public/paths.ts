/** Pages anyone may open without signing in: the anonymous report and following a case with its token. */
export type PublicRoute = { screen: 'report' } | { screen: 'follow'; number: string };

export function matchPublicRoute(path: string): PublicRoute | undefined {
  const p = path.replace(/\/+$/, '');
  if (p === '/h5/anonymous') return { screen: 'report' };
  const m = /^\/h5\/follow\/(\d{4,30})$/.exec(p);
  return m ? { screen: 'follow', number: m[1]! } : undefined;
}

export const isPublicScreen = (path: string) => matchPublicRoute(path) !== undefined;
