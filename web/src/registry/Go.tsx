/** A real link (href, opens in a new tab with a modifier key) that navigates inside the app on a plain click. */
import type { ReactNode } from 'react';
import { navigate } from '../router';

export function Go({ to, children }: { to: string; children: ReactNode }) {
  return (
    <a
      href={to}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
