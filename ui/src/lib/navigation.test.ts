import { describe, expect, it } from 'vitest';
import { mayOpen, navItems, sectionOf } from './navigation';

describe('navItems', () => {
  it('shows owners every section', () => {
    expect(navItems('owner').map((i) => i.testid)).toEqual([
      'nav-calendars',
      'nav-team',
      'nav-integrations',
      'nav-queue',
      'nav-sync-log',
      'nav-audit',
    ]);
  });

  it('hides Team from admins', () => {
    expect(navItems('admin').map((i) => i.label)).toEqual(['Calendars', 'Integrations', 'Queue', 'Sync log', 'Audit log']);
  });

  it('shows support the calendars, the integrations, the queue and the sync log', () => {
    expect(navItems('support').map((i) => i.section)).toEqual(['calendars', 'integrations', 'queue', 'sync-log']);
  });
});

describe('sectionOf and mayOpen', () => {
  it('files a calendar under Calendars', () => {
    expect(sectionOf({ page: 'calendar', id: 3 })).toBe('calendars');
    expect(sectionOf({ page: 'audit' })).toBe('audit');
  });

  it('follows the role', () => {
    expect(mayOpen('support', { page: 'calendar', id: 3 })).toBe(true);
    expect(mayOpen('support', { page: 'audit' })).toBe(false);
    expect(mayOpen('admin', { page: 'audit' })).toBe(true);
    expect(mayOpen('admin', { page: 'team' })).toBe(false);
    expect(mayOpen('owner', { page: 'team' })).toBe(true);
    expect(mayOpen('support', { page: 'integrations' })).toBe(true);
    expect(sectionOf({ page: 'integrations' })).toBe('integrations');
  });

  it('opens the queue and the sync log to every role', () => {
    for (const role of ['owner', 'admin', 'support'] as const) {
      expect(mayOpen(role, { page: 'queue' })).toBe(true);
      expect(mayOpen(role, { page: 'sync-log' })).toBe(true);
    }
    expect(sectionOf({ page: 'sync-log' })).toBe('sync-log');
  });
});
