/** The signed-in session and the installation facts, shared by every page. */
import { createContext, useContext } from 'react';
import type { Me, Meta } from './api';

export interface Session {
  meta: Meta;
  me: Me;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}
