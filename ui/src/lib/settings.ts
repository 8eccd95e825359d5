import { countLabel } from './format';

/** The fewest minutes without activity a session may last; the core refuses fewer. */
export const IDLE_TIMEOUT_MIN = 5;
/** The most minutes without activity a session may last (30 days); the core refuses more. */
export const IDLE_TIMEOUT_MAX = 43_200;

export type ParsedMinutes = { ok: true; minutes: number } | { ok: false; message: string };

/** The range the core accepts, for the hint next to the field. */
export const IDLE_TIMEOUT_RANGE_HINT = 'From 5 minutes to 30 days (43,200 minutes).';

/** The message for a value outside the range, naming it as the core does. */
export const IDLE_TIMEOUT_RANGE_MESSAGE = 'Enter a whole number of minutes from 5 to 43,200 (30 days).';

/**
 * What was typed into the idle-timeout field as a whole number of minutes within the range the
 * core accepts, or the message saying why it is not one.
 */
export function parseIdleTimeout(text: string): ParsedMinutes {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return { ok: false, message: IDLE_TIMEOUT_RANGE_MESSAGE };
  const minutes = Number(trimmed);
  if (minutes < IDLE_TIMEOUT_MIN || minutes > IDLE_TIMEOUT_MAX) {
    return { ok: false, message: IDLE_TIMEOUT_RANGE_MESSAGE };
  }
  return { ok: true, minutes };
}

/** A number of minutes for people: "45 minutes", "8 hours", "1 day, 2 hours and 5 minutes". */
export function describeMinutes(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts: string[] = [];
  if (days > 0) parts.push(countLabel(days, 'day'));
  if (hours > 0) parts.push(countLabel(hours, 'hour'));
  if (rest > 0 || parts.length === 0) parts.push(countLabel(rest, 'minute'));
  const last = parts.pop() ?? '';
  return parts.length === 0 ? last : `${parts.join(', ')} and ${last}`;
}
