import type { Role } from '../gen/Role';
import { can, type Permission } from './roles';

/** Which page is showing. The app has a handful, so a plain value stands in for a router. */
export type Route =
  | { page: 'calendars' }
  | { page: 'calendar'; id: number }
  | { page: 'team' }
  | { page: 'integrations' }
  | { page: 'queue' }
  | { page: 'sync-log' }
  | { page: 'audit' };

/** A message a page hands to the next one, e.g. why the calendar page closed. */
export type Notice = { kind: 'error' | 'status'; message: string };

/** The top-level sections the header links to. */
export type Section = 'calendars' | 'team' | 'integrations' | 'queue' | 'sync-log' | 'audit';

export interface NavItem {
  section: Section;
  label: string;
  testid: string;
  /** What the acting member's role must allow to see the section; `null`: everyone. */
  needs: Permission | null;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { section: 'calendars', label: 'Calendars', testid: 'nav-calendars', needs: null },
  { section: 'team', label: 'Team', testid: 'nav-team', needs: 'manage_members' },
  // Every member sees the connection (support read-only) so anyone can tell when a reconnect is due.
  { section: 'integrations', label: 'Integrations', testid: 'nav-integrations', needs: null },
  // Every member: support's work is the sync log (retry, skip), and everyone may watch the queue.
  { section: 'queue', label: 'Queue', testid: 'nav-queue', needs: null },
  { section: 'sync-log', label: 'Sync log', testid: 'nav-sync-log', needs: null },
  { section: 'audit', label: 'Audit log', testid: 'nav-audit', needs: 'read_audit' },
];

/** The header links a role sees, in order. */
export function navItems(role: Role): NavItem[] {
  return NAV_ITEMS.filter((item) => item.needs === null || can(role, item.needs));
}

/** The section a route belongs to: a calendar's page is part of Calendars. */
export function sectionOf(route: Route): Section {
  return route.page === 'calendar' ? 'calendars' : route.page;
}

/** Whether a role may be on a route; a page it may not see is replaced by the calendar list. */
export function mayOpen(role: Role, route: Route): boolean {
  const section = sectionOf(route);
  return navItems(role).some((item) => item.section === section);
}
