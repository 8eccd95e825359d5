// Pure helpers of the Queue and Sync log pages: what each job state is called and how it looks,
// the counts summed up, the filter forms turned into the core's queries, paging, the push
// settings form, and the sentences the pages say after an import, a push, a retry or a skip.
import type { ExportedFile } from '../gen/ExportedFile';
import type { ImportReport } from '../gen/ImportReport';
import type { JobFilter } from '../gen/JobFilter';
import type { JobState } from '../gen/JobState';
import type { PushReport } from '../gen/PushReport';
import type { QueueCounts } from '../gen/QueueCounts';
import type { Role } from '../gen/Role';
import type { SyncLogFilter } from '../gen/SyncLogFilter';
import type { SyncSettings } from '../gen/SyncSettings';
import { dateInputToRfc3339 } from './audit';
import { countLabel } from './format';

/** Rows per page on both pages; the core pages with LIMIT/OFFSET so 100,000 jobs stay fast. */
export const QUEUE_PAGE_SIZE = 50;

/** How often the Queue page re-reads the counts while it is visible: the push runs by itself. */
export const COUNTS_POLL_MS = 2000;

/** Calls `tick` every `COUNTS_POLL_MS` while the window is visible; returns what stops it. */
export function pollWhileVisible(tick: () => void, ms = COUNTS_POLL_MS): () => void {
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') tick();
  }, ms);
  return () => clearInterval(timer);
}

/** Every state, in the order a booking moves through them (held first: it waits before all). */
export const JOB_STATES: readonly JobState[] = [
  'held',
  'queued',
  'in_flight',
  'retry',
  'done',
  'needs_attention',
  'skipped',
  'cancelled',
];

export const STATE_LABELS: Readonly<Record<JobState, string>> = {
  held: 'Held',
  queued: 'Queued',
  in_flight: 'In flight',
  retry: 'Waiting to retry',
  done: 'Done',
  needs_attention: 'Needs attention',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
};

/** What a state asks of people, which is what its colour says. */
export type Tone = 'waiting' | 'moving' | 'good' | 'bad' | 'quiet';

export const STATE_TONES: Readonly<Record<JobState, Tone>> = {
  held: 'waiting',
  queued: 'moving',
  in_flight: 'moving',
  retry: 'waiting',
  done: 'good',
  needs_attention: 'bad',
  skipped: 'quiet',
  cancelled: 'quiet',
};

/** One line under each count card: what the state means for the booking. */
export const STATE_HINTS: Readonly<Record<JobState, string>> = {
  held: 'Its calendar has no enabled integration yet',
  queued: 'Waiting for the next push',
  in_flight: 'Being sent to Salesforce now',
  retry: 'Failed for now; retried automatically',
  done: 'A Lead exists in Salesforce',
  needs_attention: 'Failed; needs a fix, then Retry',
  skipped: 'Left out on purpose',
  cancelled: 'Cancelled by the guest before the push',
};

export function stateLabel(state: JobState): string {
  return STATE_LABELS[state];
}

/** `tone--…`: the class a state's badge and count card take (colours live in the pages' styles). */
export function stateClass(state: JobState): string {
  return `tone--${STATE_TONES[state]}`;
}

export function isJobState(value: string): value is JobState {
  return (JOB_STATES as readonly string[]).includes(value);
}

/** A state's count, for the cards. */
export function countOf(counts: QueueCounts, state: JobState): number {
  return counts[state];
}

/** Jobs the push still has to do something about. */
export function pending(counts: QueueCounts): number {
  return counts.queued + counts.in_flight + counts.retry;
}

/**
 * The count cards in order. Quiet states with nothing in them (skipped, cancelled) are left
 * out so the cards show what matters; the states that say how the push goes always show.
 */
export function countCards(counts: QueueCounts): { state: JobState; label: string; count: number }[] {
  return JOB_STATES.filter((s) => STATE_TONES[s] !== 'quiet' || counts[s] > 0).map((state) => ({
    state,
    label: STATE_LABELS[state],
    count: counts[state],
  }));
}

/**
 * The queue in a sentence, for the live progress line: "Pushing: 3 to send · 5 done · 1 needs
 * attention", or what is true when nothing is left to send.
 */
export function countsSummary(counts: QueueCounts): string {
  const total = JOB_STATES.reduce((sum, s) => sum + counts[s], 0);
  if (total === 0) return 'Nothing in the queue yet: import bookings or turn on the webhook.';
  const parts: string[] = [];
  const toSend = pending(counts);
  if (toSend > 0) parts.push(`${toSend} to send`);
  parts.push(`${counts.done} done`);
  if (counts.needs_attention > 0) parts.push(`${counts.needs_attention} ${counts.needs_attention === 1 ? 'needs' : 'need'} attention`);
  if (counts.held > 0) parts.push(`${counts.held} held`);
  const lead = counts.paused !== null ? 'Paused' : toSend > 0 ? 'Pushing' : 'Up to date';
  return `${lead}: ${parts.join(' · ')}`;
}

/** The share of what was ever sent that has settled (done or given up on), in whole percent. */
export function progressPercent(counts: QueueCounts): number {
  const settled = counts.done + counts.needs_attention;
  const all = settled + pending(counts);
  return all === 0 ? 100 : Math.floor((settled * 100) / all);
}

/** The paused banner's text; the core's reason says who paused it or why it paused itself. */
export function pausedBanner(reason: string): string {
  const why = reason.trim();
  return why === '' ? 'Pushing is paused.' : `Pushing is paused — ${why}`;
}

/** Who may push, pause, import and change the push's settings; support retries and skips. */
export function mayRunQueue(role: Role): boolean {
  return role === 'owner' || role === 'admin';
}

/** The core queues again only jobs that failed or were skipped. */
export function canRetry(state: JobState): boolean {
  return state === 'needs_attention' || state === 'retry' || state === 'skipped';
}

/** The core skips only jobs not yet settled. */
export function canSkip(state: JobState): boolean {
  return state === 'needs_attention' || state === 'retry' || state === 'held' || state === 'queued';
}

// ---- Filters

/** The Queue page's filters as typed: '' for "any". */
export interface JobFilterForm {
  state: JobState | '';
  calendarId: string;
  search: string;
}

export function emptyJobFilterForm(): JobFilterForm {
  return { state: '', calendarId: '', search: '' };
}

function idOrNull(value: string): number | null {
  const n = Number(value);
  return value.trim() !== '' && Number.isInteger(n) && n > 0 ? n : null;
}

export function buildJobFilter(form: JobFilterForm, offset: number, limit = QUEUE_PAGE_SIZE): JobFilter {
  const search = form.search.trim();
  return {
    state: form.state === '' ? null : form.state,
    calendar_id: idOrNull(form.calendarId),
    search: search === '' ? null : search,
    limit,
    offset: Math.max(0, offset),
  };
}

/** The Sync log's filters as typed; dates are `YYYY-MM-DD` from date inputs, or ''. */
export interface LogFilterForm {
  calendarId: string;
  code: string;
  state: JobState | '';
  since: string;
  until: string;
  unresolvedOnly: boolean;
}

export function emptyLogFilterForm(): LogFilterForm {
  return { calendarId: '', code: '', state: '', since: '', until: '', unresolvedOnly: false };
}

/** The core's query for a Sync log form; "to" includes its whole day (UTC), as the audit log's does. */
export function buildLogFilter(form: LogFilterForm, offset: number, limit = QUEUE_PAGE_SIZE): SyncLogFilter {
  const code = form.code.trim();
  return {
    calendar_id: idOrNull(form.calendarId),
    error_code: code === '' ? null : code,
    job_state: form.state === '' ? null : form.state,
    since: dateInputToRfc3339(form.since),
    until: dateInputToRfc3339(form.until, true),
    unresolved_only: form.unresolvedOnly,
    limit,
    offset: Math.max(0, offset),
  };
}

/** Whether any filter narrows the Sync log (the empty state then offers to clear them). */
export function logFiltered(form: LogFilterForm): boolean {
  return JSON.stringify(buildLogFilter(form, 0)) !== JSON.stringify(buildLogFilter(emptyLogFilterForm(), 0));
}

/** Whether any filter narrows the job list. */
export function jobsFiltered(form: JobFilterForm): boolean {
  return JSON.stringify(buildJobFilter(form, 0)) !== JSON.stringify(buildJobFilter(emptyJobFilterForm(), 0));
}

// ---- Paging (newest first, like the audit log)

/** "51–100 of 230". */
export function pageRange(offset: number, shown: number, total: number): string {
  if (shown <= 0) return `0 of ${total}`;
  const first = offset + 1;
  const last = offset + shown;
  return first === last ? `${first} of ${total}` : `${first}–${last} of ${total}`;
}

export function hasNewer(offset: number): boolean {
  return offset > 0;
}

export function hasOlder(offset: number, shown: number, total: number): boolean {
  return offset + shown < total;
}

export function stepOffset(offset: number, step: -1 | 1, size = QUEUE_PAGE_SIZE): number {
  return Math.max(0, offset + step * size);
}

/** Where the last page starts; for when rows went away (retried, pushed) and a page came back empty. */
export function lastPageOffset(total: number, size = QUEUE_PAGE_SIZE): number {
  return total <= 0 ? 0 : Math.floor((total - 1) / size) * size;
}

/**
 * Reads the page at `offset` with `read`; when it comes back empty though items match (fewer
 * match than when it was asked for), reads the last page instead. Returns the page and its
 * offset, or null once `current()` says a later read took over meanwhile.
 */
export async function readPage<P extends { total: number }>(
  read: (offset: number) => Promise<P>,
  offset: number,
  shown: (page: P) => number,
  current: () => boolean,
): Promise<{ page: P; offset: number } | null> {
  let page = await read(offset);
  if (!current()) return null;
  if (shown(page) === 0 && offset > 0 && page.total > 0) {
    offset = lastPageOffset(page.total);
    page = await read(offset);
    if (!current()) return null;
  }
  return { page, offset };
}

// ---- Selection

/** The selection with `id` added or removed. */
export function toggled(selected: readonly number[], id: number, on: boolean): number[] {
  const rest = selected.filter((x) => x !== id);
  return on ? [...rest, id] : rest;
}

/** Keeps only the selected ids still on the page: a refreshed page may have lost some. */
export function keepShown(selected: readonly number[], shown: readonly number[]): number[] {
  return selected.filter((id) => shown.includes(id));
}

// ---- Sentences

/** "Imported 5 payloads: 5 held (their calendar has no enabled integration), 1 calendar registered." */
export function importSummary(report: ImportReport): string {
  const parts: string[] = [];
  if (report.queued > 0) parts.push(`${report.queued} queued`);
  if (report.held > 0) parts.push(`${report.held} held until their calendar's integration is enabled`);
  if (report.duplicates > 0) parts.push(`${countLabel(report.duplicates, 'duplicate')} (already received; nothing new)`);
  if (report.cancellations > 0) parts.push(countLabel(report.cancellations, 'cancellation'));
  if (report.calendars_registered > 0) parts.push(`${countLabel(report.calendars_registered, 'calendar')} registered`);
  const head = `Imported ${countLabel(report.payloads, 'payload')}`;
  return parts.length === 0 ? `${head}.` : `${head}: ${parts.join(', ')}.`;
}

/** What one "Push now" did. */
export function pushSummary(report: PushReport): string {
  if (report.paused !== null && report.sent === 0 && report.done === 0) return pausedBanner(report.paused);
  if (report.sent === 0 && report.done === 0 && report.needs_attention === 0 && report.retry === 0) {
    return 'Nothing was due: the queue is up to date.';
  }
  const parts = [`${report.done} done`];
  if (report.retry > 0) parts.push(`${report.retry} to retry later`);
  if (report.needs_attention > 0) parts.push(`${report.needs_attention} ${report.needs_attention === 1 ? 'needs' : 'need'} attention`);
  const requests = countLabel(report.requests, 'request');
  return `Sent ${countLabel(report.sent, 'record')} in ${requests}: ${parts.join(', ')}.`;
}

export function retryMessage(queued: number, asked: number): string {
  if (queued === 0) return 'Nothing to retry: those bookings are done, queued or already being sent.';
  const left = asked > queued ? ` (${asked - queued} left as they were)` : '';
  return `Queued ${countLabel(queued, 'booking')} again${left}; the push sends them shortly.`;
}

export function skipMessage(skipped: number): string {
  return skipped === 0
    ? 'Nothing to skip: those bookings are already settled.'
    : `Skipped ${countLabel(skipped, 'booking')}: they will not be sent to Salesforce.`;
}

/** "Wrote 5 successes to …/success.csv and 1 error to …/error.csv." */
export function exportSummary(files: readonly ExportedFile[]): string {
  const [ok, bad] = files;
  if (ok === undefined || bad === undefined) return 'Exported.';
  return `Wrote ${countLabel(ok.rows, 'success', 'successes')} to ${ok.path} and ${countLabel(bad.rows, 'error')} to ${bad.path}.`;
}

/** A record, answer or payload as people read it: indented JSON; `null` for nothing recorded. */
export function prettyJson(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'string') {
    // Some answers arrive as JSON text: indent them too.
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}

/** Outcome words of an attempt (done, retry, throttled, auth, permanent, unknown) for people. */
export function outcomeLabel(outcome: string): string {
  switch (outcome) {
    case 'done':
      return 'Saved';
    case 'retry':
      return 'Temporary failure — retried';
    case 'throttled':
      return 'Throttled — retried';
    case 'auth':
      return 'Authorization failed';
    case 'permanent':
      return 'Refused — needs a fix';
    case 'unknown':
      return 'Outcome unknown — checked before resending';
    default:
      return outcome;
  }
}

/** Who the booking is for: the guest's name, else e-mail, else the booking id. */
export function guestLabel(name: string | null, email: string | null, fallback: string): string {
  const n = name?.trim() ?? '';
  const e = email?.trim() ?? '';
  if (n !== '' && e !== '') return `${n} <${e}>`;
  return n || e || fallback;
}

// ---- Push settings form

/** The push settings as typed: the share as a percentage people know, numbers as input text. */
export interface SettingsForm {
  concurrency: string;
  pausePercent: string;
  externalIdField: string;
  webhookEnabled: boolean;
  webhookBind: string;
  webhookPort: string;
}

export function settingsForm(s: SyncSettings): SettingsForm {
  return {
    concurrency: String(s.concurrency),
    pausePercent: String(Math.round(s.pause_share * 100)),
    externalIdField: s.external_id_field ?? '',
    webhookEnabled: s.webhook_enabled,
    webhookBind: s.webhook_bind,
    webhookPort: String(s.webhook_port),
  };
}

function wholeIn(text: string, min: number, max: number): number | null {
  // String(): a number input bound to the form would hand over a number, not text.
  const t = String(text).trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= min && n <= max ? n : null;
}

/** The settings a form stands for, or every problem with it, each naming its field. */
export function buildSettings(form: SettingsForm): { ok: true; settings: SyncSettings } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const concurrency = wholeIn(form.concurrency, 1, 16);
  if (concurrency === null) problems.push('Requests at once: a whole number from 1 to 16.');
  const percent = wholeIn(form.pausePercent, 10, 100);
  if (percent === null) problems.push('Pause at: a whole percentage from 10 to 100.');
  // Below 1024 needs root on most systems: the core refuses it too.
  const port = wholeIn(form.webhookPort, 1024, 65535);
  if (port === null) problems.push('Port: a whole number from 1024 to 65535.');
  const bind = form.webhookBind.trim();
  if (bind === '') problems.push('Listen on: an address such as 127.0.0.1.');
  const ext = form.externalIdField.trim();
  if (ext !== '' && !/^[A-Za-z][A-Za-z0-9_]*$/.test(ext)) {
    problems.push('External ID field: an API name such as Booking_Id__c.');
  }
  if (concurrency === null || percent === null || port === null || problems.length > 0) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    settings: {
      concurrency,
      pause_share: percent / 100,
      external_id_field: ext === '' ? null : ext,
      webhook_enabled: form.webhookEnabled,
      webhook_bind: bind,
      webhook_port: port,
    },
  };
}
