import type { AuditFilter } from '../gen/AuditFilter';
import type { ExportedFile } from '../gen/ExportedFile';
import type { QuestionKind } from '../gen/QuestionKind';
import type { Role } from '../gen/Role';
import { countLabel, ROLE_LABELS } from './format';
import { KIND_LABELS } from './questions';

/** How many entries the audit page shows at a time. */
export const AUDIT_PAGE_SIZE = 50;

/** What people read for each action the core records. */
export const ACTION_LABELS: Readonly<Record<string, string>> = {
  'calendar.create': 'Created calendar',
  'calendar.rename': 'Renamed calendar',
  'calendar.delete': 'Deleted calendar',
  'question.add': 'Added question',
  'question.edit': 'Edited question',
  'question.move': 'Moved question',
  'question.delete': 'Deleted question',
  'member.add': 'Added member',
  'member.role': 'Changed member role',
  'member.remove': 'Removed member',
  'member.sign_in': 'Signed in',
  'member.sign_out': 'Signed out',
};

/** A known action's label; an action this UI does not know yet is shown as it came. */
export function actionLabel(action: string): string {
  return Object.hasOwn(ACTION_LABELS, action) ? (ACTION_LABELS[action] ?? action) : action;
}

/** The action areas the filter offers; the core matches `calendar` to every `calendar.*`. */
export const ACTION_AREAS: readonly { area: string; label: string; any: string }[] = [
  { area: 'calendar', label: 'Calendars', any: 'Any calendar action' },
  { area: 'question', label: 'Questions', any: 'Any question action' },
  { area: 'member', label: 'Team members', any: 'Any member action' },
];

/** The known actions of one area, as filter options. */
export function actionsOf(area: string): { action: string; label: string }[] {
  return Object.entries(ACTION_LABELS)
    .filter(([action]) => action.startsWith(`${area}.`))
    .map(([action, label]) => ({ action, label }));
}

/** The audit filters as the person types them: date inputs give `YYYY-MM-DD` or ''. */
export interface AuditFilterForm {
  action: string;
  actor: string;
  since: string;
  until: string;
}

export function emptyFilterForm(): AuditFilterForm {
  return { action: '', actor: '', since: '', until: '' };
}

/**
 * A date input's value (`YYYY-MM-DD`) as the RFC 3339 instant starting that day in UTC, or the
 * next day with `nextDay` (an "until" is exclusive, so a day typed as the last one to include
 * becomes the start of the day after). Empty or unreadable values give `null`: no bound.
 */
export function dateInputToRfc3339(value: string, nextDay = false): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (match === null) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 31 April over into May: such a day does not exist.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return null;
  }
  if (nextDay) date.setUTCDate(date.getUTCDate() + 1);
  const y = date.getUTCFullYear();
  if (y > 9999) return null;
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${pad(y, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T00:00:00Z`;
}

/** The `AuditFilter` a filter form stands for; blank parts filter nothing. */
export function buildAuditFilter(form: AuditFilterForm): AuditFilter {
  const action = form.action.trim();
  const actor = form.actor.trim();
  return {
    actor_email: actor === '' ? null : actor,
    action: action === '' ? null : action,
    since: dateInputToRfc3339(form.since),
    until: dateInputToRfc3339(form.until, true),
  };
}

/** Why a date range cannot match anything, or `null` when it can. */
export function dateRangeProblem(form: AuditFilterForm): string | null {
  const since = dateInputToRfc3339(form.since);
  const until = dateInputToRfc3339(form.until);
  if (since !== null && until !== null && until < since) {
    return 'The “to” date is before the “from” date.';
  }
  return null;
}

/** "51–100 of 230": which entries of how many a page shows. */
export function pageRange(offset: number, shown: number, total: number): string {
  if (shown <= 0) return `0 of ${total}`;
  const first = offset + 1;
  const last = offset + shown;
  return first === last ? `${first} of ${total}` : `${first}–${last} of ${total}`;
}

/** Whether there are newer entries before this page (the list is newest first). */
export function hasNewer(offset: number): boolean {
  return offset > 0;
}

/** Whether there are older entries after this page. */
export function hasOlder(offset: number, shown: number, total: number): boolean {
  return offset + shown < total;
}

export function newerOffset(offset: number, size = AUDIT_PAGE_SIZE): number {
  return Math.max(0, offset - size);
}

export function olderOffset(offset: number, size = AUDIT_PAGE_SIZE): number {
  return offset + size;
}

/** Where the last page starts; for when entries went away and a page came back empty. */
export function lastPageOffset(total: number, size = AUDIT_PAGE_SIZE): number {
  return total <= 0 ? 0 : Math.floor((total - 1) / size) * size;
}

const TARGET_KINDS: Readonly<Record<string, string>> = {
  calendar: 'Calendar',
  question: 'Question',
  member: 'Member',
};

/** "calendar:3" → "Calendar 3"; any other shape as it came. */
export function targetLabel(target: string): string {
  const match = /^([a-z_]+):(\d+)$/.exec(target);
  const kind = match?.[1];
  if (match === null || kind === undefined || !Object.hasOwn(TARGET_KINDS, kind)) return target;
  return `${TARGET_KINDS[kind] ?? kind} ${match[2]}`;
}

/** "Saved 12 rows to /path/audit.csv". */
export function exportMessage(file: ExportedFile): string {
  return `Saved ${countLabel(file.rows, 'row')} to ${file.path}`;
}

const SUMMARY_LIMIT = 200;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(record: Json, key: string): string | null {
  const value = record[key];
  return typeof value === 'string' ? value : null;
}

function count(record: Json, key: string): number | null {
  const value = record[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function quoted(value: string): string {
  return `“${value}”`;
}

function role(value: string): string {
  return Object.hasOwn(ROLE_LABELS, value) ? ROLE_LABELS[value as Role] : value;
}

function kind(value: string): string {
  return Object.hasOwn(KIND_LABELS, value) ? KIND_LABELS[value as QuestionKind] : value;
}

function inCalendar(record: Json): string {
  const id = count(record, 'calendar_id');
  return id === null ? '' : ` in calendar ${id}`;
}

function describeQuestion(record: Json): string | null {
  const question = record['question'];
  if (!isObject(question)) return null;
  const label = text(question, 'label');
  if (label === null) return null;
  const facts: string[] = [];
  const k = text(question, 'kind');
  if (k !== null) facts.push(kind(k));
  if (typeof question['required'] === 'boolean') facts.push(question['required'] ? 'required' : 'optional');
  const choices = question['choices'];
  if (Array.isArray(choices) && choices.length > 0) facts.push(countLabel(choices.length, 'choice'));
  const about = facts.length > 0 ? ` (${facts.join(', ')})` : '';
  return `${quoted(label)}${about}${inCalendar(record)}`;
}

/** The summary a known action's detail gets, or `null` when the detail lacks what it needs. */
function describe(action: string, record: Json): string | null {
  const name = text(record, 'name');
  const from = text(record, 'from');
  const to = text(record, 'to');
  const email = text(record, 'email');
  const roleName = text(record, 'role');
  switch (action) {
    case 'calendar.create':
    case 'calendar.delete':
      return name === null ? null : quoted(name);
    case 'calendar.rename':
      return from === null || to === null ? null : `${quoted(from)} → ${quoted(to)}`;
    case 'question.add':
    case 'question.edit':
      return describeQuestion(record);
    case 'question.move': {
      const position = count(record, 'position');
      return position === null ? null : `To position ${position}${inCalendar(record)}`;
    }
    case 'question.delete': {
      const label = text(record, 'label');
      if (label === null) return null;
      const id = count(record, 'calendar_id');
      return id === null ? quoted(label) : `${quoted(label)} from calendar ${id}`;
    }
    case 'member.add':
      return email === null ? null : roleName === null ? email : `${email} as ${role(roleName)}`;
    case 'member.role':
      return email === null || from === null || to === null ? null : `${email}: ${role(from)} → ${role(to)}`;
    case 'member.remove':
      return email === null ? null : roleName === null ? email : `${email} (was ${role(roleName)})`;
    case 'member.sign_in':
      return '';
    default:
      return null;
  }
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return '—';
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) {
    return value.map(scalar).join(', ');
  }
  return JSON.stringify(value);
}

/** Every field as "key: value", for actions this UI does not know. */
function generic(record: Json): string {
  return Object.entries(record)
    .map(([key, value]) => `${key}: ${scalar(value)}`)
    .join(' · ');
}

function shorten(summary: string): string {
  return summary.length > SUMMARY_LIMIT ? `${summary.slice(0, SUMMARY_LIMIT - 1).trimEnd()}…` : summary;
}

/**
 * An entry's detail (JSON text) in a line for people: the particulars of known actions ("“Demo” →
 * “Sales demo”"), every field of others, and text that is not a JSON object as it came.
 */
export function summariseDetail(action: string, detail: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(detail);
  } catch {
    return shorten(detail.trim());
  }
  if (!isObject(parsed)) return shorten(detail.trim());
  return shorten(describe(action, parsed) ?? generic(parsed));
}
