import { describe, expect, it } from 'vitest';
import { mayOpen, navItems, sectionOf } from './navigation';

describe('navItems', () => {
  it('shows owners every section', () => {
    expect(navItems('owner').map((i) => i.testid)).toEqual([
      'nav-calendars',
      'nav-team',
      'nav-integrations',
      'nav-audit',
    ]);
  });

  it('hides Team from admins', () => {
    expect(navItems('admin').map((i) => i.label)).toEqual(['Calendars', 'Integrations', 'Audit log']);
  });

  it('shows support the calendars and the integrations, to read', () => {
    expect(navItems('support').map((i) => i.section)).toEqual(['calendars', 'integrations']);
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
});
