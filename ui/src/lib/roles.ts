import type { Role } from '../gen/Role';

/**
 * What a role may do beyond reading calendars and questions, which every member may. The core
 * decides (`crate::actor`); the UI mirrors it only to hide what would be refused.
 */
export type Permission = 'edit_calendars' | 'manage_members' | 'read_audit';

const ALLOWED: Readonly<Record<Permission, readonly Role[]>> = {
  edit_calendars: ['owner', 'admin'],
  manage_members: ['owner'],
  read_audit: ['owner', 'admin'],
};

export function can(role: Role, permission: Permission): boolean {
  return ALLOWED[permission].includes(role);
}

/** Every role, most powerful first: what a member's role can be changed to. */
export const ROLES: readonly Role[] = ['owner', 'admin', 'support'];

/** What a new member can be added as; owners are made by changing an existing member's role. */
export const NEW_MEMBER_ROLES: readonly Role[] = ['admin', 'support'];

/** One line per role, for the explanation on the Team page. */
export const ROLE_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  owner: 'Everything, including adding and removing members and changing their roles.',
  admin: 'Everything except managing members: calendars, questions and the audit log.',
  support: 'Reads calendars and their questions; changes nothing.',
};

/** The note shown where a read-only member would otherwise see editing controls. */
export function readOnlyNote(role: Role): string {
  return `Your role (${role}) can read calendars; ask an owner or admin to change them.`;
}
