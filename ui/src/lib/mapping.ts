// Pure helpers of the calendar's Service integration → Salesforce editor: editing the rows
// (add, remove, move, one-click fixes), naming sources and transforms for people, filtering the
// field and source pickers, building the preview's typed booking, and summarising checks. The
// core decides what is valid; nothing here second-guesses its checks.
import type { BookingAttribute } from '../gen/BookingAttribute';
import type { Check } from '../gen/Check';
import type { CheckFix } from '../gen/CheckFix';
import type { FieldOption } from '../gen/FieldOption';
import type { MappingRow } from '../gen/MappingRow';
import type { Question } from '../gen/Question';
import type { QueryParam } from '../gen/QueryParam';
import type { SampleBooking } from '../gen/SampleBooking';
import type { Source } from '../gen/Source';
import type { Transform } from '../gen/Transform';

// ---- Rows

export function emptyTransform(): Transform {
  return { trim: false, half_width: false, name_part: null, truncate: false, picklist: [] };
}

/** A deep copy, so the draft never shares objects with the stored rows it is compared with. */
export function cloneRows(rows: readonly MappingRow[]): MappingRow[] {
  return rows.map((row) => structuredCloneRow(row));
}

function structuredCloneRow(row: MappingRow): MappingRow {
  return {
    field: row.field,
    source: { ...row.source },
    transform: { ...row.transform, picklist: row.transform.picklist.map((e) => ({ ...e })) },
  };
}

/** Whether two row lists say the same thing (order included): the editor's "unsaved changes". */
export function sameRows(a: readonly MappingRow[], b: readonly MappingRow[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((row, i) => canonical(row) === canonical(b[i] as MappingRow));
}

// Key order of objects built in the UI and of those from the core may differ: compare canonically.
function canonical(row: MappingRow): string {
  const s = row.source;
  const source =
    s.kind === 'question'
      ? ['q', s.question_id]
      : s.kind === 'attribute'
        ? ['a', s.attribute, s.attribute === 'query_param' ? (s.param ?? '') : '']
        : ['f', s.value];
  const t = row.transform;
  return JSON.stringify([
    row.field,
    source,
    t.trim,
    t.half_width,
    t.name_part,
    t.truncate,
    t.picklist.map((e) => [e.answer, e.value]),
  ]);
}

/**
 * The source a newly added row starts with: the question labelled like the field, if any (as the
 * core's own best guess does for custom fields), else an empty fixed value for the person to fill.
 */
export function guessSource(field: FieldOption, questions: readonly Question[]): Source {
  const wanted = [field.label.trim().toLowerCase(), field.name.replace(/__c$/, '').toLowerCase()];
  const question = questions.find((q) => wanted.includes(q.label.trim().toLowerCase()));
  return question ? { kind: 'question', question_id: question.id } : { kind: 'fixed', value: '' };
}

/** The rows with a new row for `field` at the end. */
export function addRow(rows: readonly MappingRow[], field: string, source: Source): MappingRow[] {
  return [...rows, { field, source, transform: emptyTransform() }];
}

export function removeRow(rows: readonly MappingRow[], index: number): MappingRow[] {
  return rows.filter((_, i) => i !== index);
}

/** The rows with row `index` one step up (`-1`) or down (`+1`); unchanged at either end. */
export function moveRow(rows: readonly MappingRow[], index: number, step: -1 | 1): MappingRow[] {
  const target = index + step;
  if (index < 0 || index >= rows.length || target < 0 || target >= rows.length) return [...rows];
  const next = [...rows];
  const [row] = next.splice(index, 1);
  next.splice(target, 0, row as MappingRow);
  return next;
}

/** What clicking a check's fix does: change the rows, or make a question required. */
export type FixOutcome = { kind: 'rows'; rows: MappingRow[] } | { kind: 'question'; questionId: number };

/**
 * Applies a one-click fix. Row fixes act on every row of the field (a duplicated field is itself
 * a check, and the fix should not leave a twin behind); making a question required is not a row
 * change, so it is handed back for the caller to do through `question_edit`.
 */
export function applyFix(rows: readonly MappingRow[], fix: CheckFix): FixOutcome {
  switch (fix.kind) {
    case 'make_question_required':
      return { kind: 'question', questionId: fix.question_id };
    case 'remove_row':
      return { kind: 'rows', rows: rows.filter((r) => r.field !== fix.field) };
    case 'enable_truncate':
      return {
        kind: 'rows',
        rows: rows.map((r) =>
          r.field === fix.field ? { ...r, transform: { ...r.transform, truncate: true } } : r,
        ),
      };
    case 'map_field': {
      if (!rows.some((r) => r.field === fix.field)) {
        return { kind: 'rows', rows: addRow(rows, fix.field, { ...fix.source }) };
      }
      return {
        kind: 'rows',
        rows: rows.map((r) => (r.field === fix.field ? { ...r, source: { ...fix.source } } : r)),
      };
    }
  }
}

// ---- Words for people

export const ATTRIBUTE_LABELS: Readonly<Record<BookingAttribute, string>> = {
  booking_id: 'Booking ID',
  calendar_name: 'Calendar name',
  start_utc: 'Start (UTC)',
  end_utc: 'End (UTC)',
  start_local: 'Start (local time)',
  end_local: 'End (local time)',
  guest_timezone: 'Guest time zone',
  meeting_url: 'Meeting URL',
  cancel_url: 'Cancel URL',
  reschedule_url: 'Reschedule URL',
  created_at: 'Booked at',
  query_param: 'Query parameter of the booking URL',
};

/** Every attribute, in the order the source picker offers them. */
export const BOOKING_ATTRIBUTES = Object.keys(ATTRIBUTE_LABELS) as BookingAttribute[];

export function attributeLabel(attribute: BookingAttribute): string {
  return ATTRIBUTE_LABELS[attribute];
}

/** A source in words, e.g. `Question “Name”`, `Query parameter “utm_source”`, `Fixed “Web”`. */
export function sourceLabel(source: Source, questions: readonly Question[]): string {
  switch (source.kind) {
    case 'question': {
      const question = questions.find((q) => q.id === source.question_id);
      return question ? `Question “${question.label}”` : `Deleted question #${source.question_id}`;
    }
    case 'attribute':
      if (source.attribute === 'query_param') {
        const name = source.param?.trim() ?? '';
        return name === '' ? 'Query parameter (unnamed)' : `Query parameter “${name}”`;
      }
      return attributeLabel(source.attribute);
    case 'fixed':
      return `Fixed “${source.value}”`;
  }
}

/** A transform in a few words for a collapsed row; empty when the value is posted as-is. */
export function transformSummary(transform: Transform): string {
  const parts: string[] = [];
  if (transform.trim) parts.push('trim');
  if (transform.half_width) parts.push('half-width');
  if (transform.name_part === 'last_name') parts.push('last name part');
  if (transform.name_part === 'first_name') parts.push('first name part');
  if (transform.truncate) parts.push('truncate');
  const n = transform.picklist.length;
  if (n > 0) parts.push(`${n} picklist ${n === 1 ? 'translation' : 'translations'}`);
  return parts.join(' · ');
}

/** The label of a check's fix button. */
export function fixLabel(fix: CheckFix, questions: readonly Question[]): string {
  switch (fix.kind) {
    case 'make_question_required': {
      const question = questions.find((q) => q.id === fix.question_id);
      return question ? `Make “${question.label}” required` : 'Make the question required';
    }
    case 'remove_row':
      return `Remove the ${fix.field} row`;
    case 'enable_truncate':
      return `Truncate ${fix.field} to its length`;
    case 'map_field':
      return `Map ${fix.field} to ${lowerFirst(sourceLabel(fix.source, questions))}`;
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

// ---- Pickers

function tokens(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter((t) => t !== '');
}

/**
 * The fields matching a search: every word typed must appear in the label, the API name or the
 * type, or be "required" for a required field. Keeps the core's order (required fields first).
 */
export function filterFields(fields: readonly FieldOption[], query: string): FieldOption[] {
  const words = tokens(query);
  if (words.length === 0) return [...fields];
  return fields.filter((f) => {
    const haystack = `${f.label} ${f.name} ${f.field_type} ${fieldTypeLabel(f)}${f.required ? ' required' : ''}`.toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

/** One choice of the source picker. `key` identifies it in the listbox (see `sourceKey`). */
export interface SourceOption {
  key: string;
  group: 'Questions' | 'Booking' | 'Fixed value';
  label: string;
  /** Extra words shown beside the label, e.g. `optional`, `short text`. */
  detail: string;
}

/** A source's listbox key: the question, the attribute, or `fixed` (a value is typed after). */
export function sourceKey(source: Source): string {
  switch (source.kind) {
    case 'question':
      return `question:${source.question_id}`;
    case 'attribute':
      return `attribute:${source.attribute}`;
    case 'fixed':
      return 'fixed';
  }
}

/**
 * The source a picked key stands for. Switching to a query parameter or a fixed value keeps what
 * the current source already had of those (so flipping back and forth loses no typing).
 */
export function sourceFromKey(key: string, current: Source): Source | null {
  if (key === 'fixed') return current.kind === 'fixed' ? current : { kind: 'fixed', value: '' };
  const [kind, rest] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  if (kind === 'question') {
    const id = Number(rest);
    return Number.isInteger(id) && rest !== '' ? { kind: 'question', question_id: id } : null;
  }
  if (kind === 'attribute' && (BOOKING_ATTRIBUTES as string[]).includes(rest)) {
    const attribute = rest as BookingAttribute;
    const param =
      attribute === 'query_param'
        ? current.kind === 'attribute' && current.attribute === 'query_param'
          ? current.param
          : ''
        : null;
    return { kind: 'attribute', attribute, param };
  }
  return null;
}

/** Every source the picker offers for this calendar: its questions, the booking, a fixed value. */
export function sourceOptions(questions: readonly Question[]): SourceOption[] {
  return [
    ...questions.map(
      (q): SourceOption => ({
        key: `question:${q.id}`,
        group: 'Questions',
        label: q.label,
        detail: q.required ? 'required' : 'optional',
      }),
    ),
    ...BOOKING_ATTRIBUTES.map(
      (a): SourceOption => ({ key: `attribute:${a}`, group: 'Booking', label: attributeLabel(a), detail: '' }),
    ),
    { key: 'fixed', group: 'Fixed value', label: 'Fixed value', detail: 'the same text for every booking' },
  ];
}

/** The source options matching a search; every word typed must appear in label, detail or group. */
export function filterSourceOptions(options: readonly SourceOption[], query: string): SourceOption[] {
  const words = tokens(query);
  if (words.length === 0) return [...options];
  return options.filter((o) => {
    const haystack = `${o.label} ${o.detail} ${o.group}`.toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

/**
 * The next highlighted option of a listbox after an arrow key, wrapping around; `-1` (nothing
 * highlighted) when there are no options.
 */
export function stepActive(active: number, count: number, step: -1 | 1): number {
  if (count <= 0) return -1;
  if (active < 0 || active >= count) return step > 0 ? 0 : count - 1;
  return (active + step + count) % count;
}

// ---- Checks

export interface CheckSummary {
  errors: number;
  warnings: number;
  /** "No problems found", "1 error", "2 errors · 1 warning". */
  text: string;
}

export function summariseChecks(checks: readonly Check[]): CheckSummary {
  const errors = checks.filter((c) => c.severity === 'error').length;
  const warnings = checks.length - errors;
  const parts: string[] = [];
  if (errors > 0) parts.push(`${errors} ${errors === 1 ? 'error' : 'errors'}`);
  if (warnings > 0) parts.push(`${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`);
  return { errors, warnings, text: parts.length === 0 ? 'No problems found' : parts.join(' · ') };
}

export function hasErrors(checks: readonly Check[]): boolean {
  return checks.some((c) => c.severity === 'error');
}

/**
 * Splits checks between the rows they are about (shown inline under the row) and the rest
 * (about the mapping as a whole, or a field that has no row, e.g. an unmapped required field),
 * shown above the rows. Errors come before warnings in each list.
 */
export function groupChecks(
  checks: readonly Check[],
  rows: readonly MappingRow[],
): { byField: Map<string, Check[]>; general: Check[] } {
  const fields = new Set(rows.map((r) => r.field));
  const byField = new Map<string, Check[]>();
  const general: Check[] = [];
  const ordered = [...checks].sort((a, b) => rank(a) - rank(b));
  for (const check of ordered) {
    if (check.field !== null && fields.has(check.field)) {
      const list = byField.get(check.field) ?? [];
      list.push(check);
      byField.set(check.field, list);
    } else {
      general.push(check);
    }
  }
  return { byField, general };
}

function rank(check: Check): number {
  return check.severity === 'error' ? 0 : 1;
}

// ---- Preview

/** The preview's typed-answers form as the person fills it. */
export interface SampleForm {
  /** Answers by question id; blank ones are left out, as if the guest skipped the question. */
  answers: Record<number, string>;
  /** `<input type="datetime-local">`'s value, read as UTC; blank for the core's default. */
  start: string;
  timezone: string;
  /** `ja` puts the family name first when a full name is split. */
  locale: string;
  /** `utm_source=ads&utm_medium=cpc`, a whole booking URL, or one `name=value` per line. */
  query: string;
}

export function emptySampleForm(): SampleForm {
  return { answers: {}, start: '', timezone: '', locale: '', query: '' };
}

/**
 * The query parameters typed in the form: a pasted booking URL's query string, `a=1&b=2`, or one
 * `name=value` per line. Names and values are URL-decoded; a parameter without a name is dropped.
 */
export function parseQuery(text: string): QueryParam[] {
  let rest = text.trim();
  const question = rest.indexOf('?');
  if (question >= 0) rest = rest.slice(question + 1);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const params: QueryParam[] = [];
  for (const part of rest.split(/[&\r\n]+/)) {
    const piece = part.trim();
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = decode(eq >= 0 ? piece.slice(0, eq) : piece).trim();
    const value = eq >= 0 ? decode(piece.slice(eq + 1)) : '';
    if (name !== '') params.push({ name, value });
  }
  return params;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    // A lone `%` is not an escape: keep the text as typed rather than refuse the whole form.
    return text;
  }
}

/**
 * `2025-06-06T10:00` (a datetime-local value) as RFC 3339 UTC, or `null` for blank or unreadable
 * input so the core uses its default start.
 */
export function startToUtc(value: string): string | null {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(value.trim());
  if (match === null) return null;
  return `${match[1]}T${match[2]}${match[3] ?? ':00'}Z`;
}

/** The `SampleBooking` the form stands for, with answers in the calendar's question order. */
export function buildSample(form: SampleForm, questions: readonly Question[]): SampleBooking {
  const blankToNull = (text: string): string | null => (text.trim() === '' ? null : text.trim());
  return {
    answers: questions
      .filter((q) => (form.answers[q.id] ?? '').trim() !== '')
      .map((q) => ({ question_id: q.id, value: form.answers[q.id] ?? '' })),
    start_utc: startToUtc(form.start),
    guest_timezone: blankToNull(form.timezone),
    guest_locale: blankToNull(form.locale),
    query: parseQuery(form.query),
  };
}

/** The record exactly as it would be posted, pretty-printed for reading. */
export function formatRecord(record: unknown): string {
  return JSON.stringify(record, null, 2) ?? 'null';
}

/** A previewed field's value as shown in the table: strings as they are, anything else as JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? 'null';
}

// ---- Fields

const TYPE_LABELS: Readonly<Record<string, string>> = {
  string: 'Text',
  textarea: 'Long text',
  email: 'Email',
  phone: 'Phone',
  url: 'URL',
  picklist: 'Picklist',
  multipicklist: 'Multi-select picklist',
  boolean: 'Checkbox',
  int: 'Number',
  double: 'Number',
  currency: 'Currency',
  percent: 'Percent',
  date: 'Date',
  datetime: 'Date/time',
  reference: 'Lookup',
};

/**
 * `Text(80)`, `Picklist (restricted)`, `Checkbox`: a field's type as the picker shows it. The
 * length matters only where a value can overflow it (text-like fields, not picklists).
 */
export function fieldTypeLabel(field: FieldOption): string {
  const type = TYPE_LABELS[field.field_type] ?? field.field_type;
  if (isPicklist(field)) return field.restricted ? `${type} (restricted)` : type;
  if (field.length !== null && field.length > 0) return `${type}(${field.length})`;
  return type;
}

/** Whether a field takes a picklist translation table. */
export function isPicklist(field: FieldOption | undefined): boolean {
  return field !== undefined && (field.field_type === 'picklist' || field.field_type === 'multipicklist');
}
