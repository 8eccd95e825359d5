import type { Role } from '../gen/Role';

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  owner: 'Owner',
  admin: 'Admin',
  support: 'Support',
};

export function roleLabel(role: Role): string {
  return ROLE_LABELS[role];
}

/**
 * An RFC 3339 timestamp as a calendar date for people ("24 Nov 2025" in en-GB). A value that
 * does not parse is shown as it came rather than as "Invalid Date".
 */
export function formatDate(iso: string, locale?: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric' };
  if (timeZone !== undefined) options.timeZone = timeZone;
  return new Intl.DateTimeFormat(locale, options).format(date);
}

/**
 * An RFC 3339 timestamp as a date and time of day for people, in the viewer's time zone unless
 * one is given ("24 Nov 2025, 23:48:05" in en-GB). A value that does not parse is shown as it came.
 */
export function formatDateTime(iso: string, locale?: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  };
  if (timeZone !== undefined) options.timeZone = timeZone;
  return new Intl.DateTimeFormat(locale, options).format(date);
}

/** "1 question", "4 questions". */
export function countLabel(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
