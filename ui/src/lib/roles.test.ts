import { describe, expect, it } from 'vitest';
import { can, NEW_MEMBER_ROLES, readOnlyNote, ROLE_DESCRIPTIONS, ROLES } from './roles';

describe('can', () => {
  it('lets owners do everything', () => {
    expect(can('owner', 'edit_calendars')).toBe(true);
    expect(can('owner', 'manage_members')).toBe(true);
    expect(can('owner', 'read_audit')).toBe(true);
  });

  it('lets admins do everything but manage members', () => {
    expect(can('admin', 'edit_calendars')).toBe(true);
    expect(can('admin', 'manage_members')).toBe(false);
    expect(can('admin', 'read_audit')).toBe(true);
  });

  it('lets support only read', () => {
    expect(can('support', 'edit_calendars')).toBe(false);
    expect(can('support', 'manage_members')).toBe(false);
    expect(can('support', 'read_audit')).toBe(false);
  });
});

describe('role lists', () => {
  it('offers every role for changes and only admin and support for new members', () => {
    expect(ROLES).toEqual(['owner', 'admin', 'support']);
    expect(NEW_MEMBER_ROLES).toEqual(['admin', 'support']);
  });

  it('describes every role', () => {
    for (const role of ROLES) expect(ROLE_DESCRIPTIONS[role]).not.toBe('');
  });
});

describe('readOnlyNote', () => {
  it('names the role as the contract words it', () => {
    expect(readOnlyNote('support')).toBe(
      'Your role (support) can read calendars; ask an owner or admin to change them.',
    );
  });
});
