/**
 * The screen areas loaded after sign-in, each its own lazy bundle: the app
 * shell hands a path to the first area that claims it, and to the map console
 * otherwise. An area's `claims` must come from a light module (its paths.ts),
 * so that deciding costs no download.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { isCaseScreen } from './cases/paths';
import { isDashboardScreen } from './dashboard/paths';
import { isLedgerScreen } from './ledgers/paths';
import { isCareScreen } from './care/paths';
import { isPartnerScreen } from './partners/paths';
import { isRegistryScreen } from './registry/paths';

export interface ScreenArea {
  name: string;
  claims(path: string, permissions: readonly string[]): boolean;
  Component: LazyExoticComponent<ComponentType<{ path: string }>>;
}

export const SCREEN_AREAS: readonly ScreenArea[] = [
  // Case screens: the console's case pages and the phone pages under /h5.
  { name: 'cases', claims: isCaseScreen, Component: lazy(() => import('./cases/CaseScreens')) },
  // The command-centre dashboard (/dashboard) and the monthly review (/analysis).
  { name: 'dashboard', claims: isDashboardScreen, Component: lazy(() => import('./dashboard/DashboardScreens')) },
  // Ledgers (台账): bulk case import, the monthly report and the measures export.
  { name: 'ledgers', claims: isLedgerScreen, Component: lazy(() => import('./ledgers/LedgerScreens')) },
  // Care and linkage: the linkage tree, notices and patrol tracks (console); visits, patrol, neighbours (H5).
  { name: 'care', claims: isCareScreen, Component: lazy(() => import('./care/CareScreens')) },
  // Partner systems and their Open311 keys; the categories' Open311 extra questions.
  { name: 'partners', claims: isPartnerScreen, Component: lazy(() => import('./partners/PartnersScreens')) },
  // The registry of people, places and things: lists and pages (console), household lookup (H5).
  { name: 'registry', claims: isRegistryScreen, Component: lazy(() => import('./registry/RegistryScreens')) },
];

export function areaFor(path: string, permissions: readonly string[]): ScreenArea | undefined {
  return SCREEN_AREAS.find((a) => a.claims(path, permissions));
}
