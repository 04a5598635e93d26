/**
 * A very small client router: the console has two screens (sign-in and the
 * console with an optional selected node), so the History API is enough.
 * The server answers index.html for any non-API path without an extension.
 */
import { useEffect, useState } from 'react';

const EVENT = 'wangge:navigate';

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (path === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event(EVENT));
}

export function usePathname(): string {
  const [path, setPath] = useState(() => location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return path;
}

/** `/nodes/441302` → '441302'; anything else → undefined. */
export function nodeCodeFromPath(path: string): string | undefined {
  const m = /^\/nodes\/(\d{2,19})\/?$/.exec(path);
  return m?.[1];
}

export const nodePath = (code: string) => `/nodes/${code}`;
