// The only module that talks to the desktop shell. Each wrapper names one Tauri command of the
// IPC contract, passes its arguments with snake_case keys, and turns any rejection into an
// `IpcError`.
import { invoke } from '@tauri-apps/api/core';
import type { AppInfo } from '../gen/AppInfo';
import type { AuditFilter } from '../gen/AuditFilter';
import type { AuditPage } from '../gen/AuditPage';
import type { Calendar } from '../gen/Calendar';
import type { CalendarDetail } from '../gen/CalendarDetail';
import type { Check } from '../gen/Check';
import type { ConnectionStatus } from '../gen/ConnectionStatus';
import type { ConnectRequest } from '../gen/ConnectRequest';
import type { Disconnected } from '../gen/Disconnected';
import type { JobDetail } from '../gen/JobDetail';
import type { JobFilter } from '../gen/JobFilter';
import type { JobPage } from '../gen/JobPage';
import type { JobSelection } from '../gen/JobSelection';
import type { DoctorReport } from '../gen/DoctorReport';
import type { ExportedFile } from '../gen/ExportedFile';
import type { ImportReport } from '../gen/ImportReport';
import type { IntegrationDetail } from '../gen/IntegrationDetail';
import type { IntegrationSettings } from '../gen/IntegrationSettings';
import type { MappingRow } from '../gen/MappingRow';
import type { Member } from '../gen/Member';
import type { NewMember } from '../gen/NewMember';
import type { Preview } from '../gen/Preview';
import type { PreviewInput } from '../gen/PreviewInput';
import type { PushReport } from '../gen/PushReport';
import type { Question } from '../gen/Question';
import type { QuestionInput } from '../gen/QuestionInput';
import type { QueueCounts } from '../gen/QueueCounts';
import type { Role } from '../gen/Role';
import type { SalesforceConnection } from '../gen/SalesforceConnection';
import type { SignInRequest } from '../gen/SignInRequest';
import type { SyncLogFilter } from '../gen/SyncLogFilter';
import type { SyncLogPage } from '../gen/SyncLogPage';
import type { SyncSettings } from '../gen/SyncSettings';
import type { TeamSettings } from '../gen/TeamSettings';
import type { WebhookStatus } from '../gen/WebhookStatus';
import { IpcError } from './error';

export { ERROR_CODES, IpcError, isErrorCode, isErrorPayload } from './error';

/** Told when a command found nobody signed in (the session ended: idle timeout, sign-out elsewhere). */
export type SessionEndedListener = (error: IpcError) => void;

const sessionEndedListeners = new Set<SessionEndedListener>();

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (rejection) {
    const error = IpcError.from(rejection);
    if (error.code === 'not_signed_in') {
      for (const listener of [...sessionEndedListeners]) listener(error);
    }
    throw error;
  }
}

export const app = {
  info: (): Promise<AppInfo> => call('app_info'),
};

export const session = {
  /**
   * Runs the system-browser sign-in with a provider and resolves with the member signed in. It
   * settles only when the browser flow does, which may take minutes; `cancelSignIn` ends it early
   * (it then rejects with `sign_in_cancelled`).
   */
  signIn: (request: SignInRequest): Promise<Member> => call('sign_in', { request }),
  cancelSignIn: (): Promise<null> => call('sign_in_cancel'),
  signOut: (): Promise<null> => call('sign_out'),
  /**
   * Calls `listener` whenever any command rejects with `not_signed_in` (the command still rejects
   * as usual). Returns the function that stops it.
   */
  onEnded(listener: SessionEndedListener): () => void {
    sessionEndedListeners.add(listener);
    return () => {
      sessionEndedListeners.delete(listener);
    };
  },
};

export const calendars = {
  list: (): Promise<Calendar[]> => call('calendars_list'),
  get: (id: number): Promise<CalendarDetail> => call('calendar_get', { id }),
  create: (name: string): Promise<CalendarDetail> => call('calendar_create', { name }),
  rename: (id: number, name: string): Promise<Calendar> => call('calendar_rename', { id, name }),
  delete: (id: number): Promise<null> => call('calendar_delete', { id }),
};

export const questions = {
  add: (calendarId: number, input: QuestionInput): Promise<Question> =>
    call('question_add', { calendar_id: calendarId, input }),
  edit: (calendarId: number, questionId: number, input: QuestionInput): Promise<Question> =>
    call('question_edit', { calendar_id: calendarId, question_id: questionId, input }),
  move: (calendarId: number, questionId: number, position: number): Promise<Question[]> =>
    call('question_move', { calendar_id: calendarId, question_id: questionId, position }),
  delete: (calendarId: number, questionId: number): Promise<null> =>
    call('question_delete', { calendar_id: calendarId, question_id: questionId }),
};

export const members = {
  list: (): Promise<Member[]> => call('members_list'),
  add: (input: NewMember): Promise<Member> => call('member_add', { input }),
  setRole: (memberId: number, role: Role): Promise<Member> =>
    call('member_role', { member_id: memberId, role }),
  remove: (memberId: number): Promise<null> => call('member_remove', { member_id: memberId }),
};

export const audit = {
  /** One page of matching entries, newest first; `limit` is 1..500. */
  list: (filter: AuditFilter, limit: number, offset: number): Promise<AuditPage> =>
    call('audit_list', { filter, limit, offset }),
  /** Writes the matching entries as CSV into the data directory's `exports/` folder. */
  export: (filter: AuditFilter): Promise<ExportedFile> => call('audit_export', { filter }),
};

export const settings = {
  /** The team's settings; any signed-in member may read them. */
  get: (): Promise<TeamSettings> => call('settings_get'),
  /** Owners and admins only; `minutes` is 5..43,200, else it rejects with `invalid_input`. */
  setIdleTimeout: (minutes: number): Promise<TeamSettings> =>
    call('settings_set_idle_timeout', { minutes }),
};

export const salesforce = {
  /** The open connection (if any) and the Connect form's defaults; any member may read them. */
  status: (): Promise<ConnectionStatus> => call('salesforce_status'),
  /**
   * Owners and admins: runs the system-browser authorization and resolves with the proven
   * connection. It settles only when the browser flow does; `cancelConnect` ends it early (it
   * then rejects with `connect_cancelled`). A failure the core recognises rejects with
   * `connect_failed`, its message saying cause and fix.
   */
  connect: (request: ConnectRequest): Promise<SalesforceConnection> =>
    call('salesforce_connect', { request }),
  cancelConnect: (): Promise<null> => call('salesforce_connect_cancel'),
  /** Owners and admins: checks the connection at Salesforce and explains what it finds. */
  doctor: (): Promise<DoctorReport> => call('salesforce_doctor'),
  /** Owners and admins: revokes the token at Salesforce (when reachable) and forgets it. */
  disconnect: (): Promise<Disconnected> => call('salesforce_disconnect'),
};

export const integrations = {
  /** The calendar's Salesforce integration, or `null` when it has none; any member may read it. */
  get: (calendarId: number): Promise<IntegrationDetail | null> =>
    call('integration_get', { calendar_id: calendarId }),
  /**
   * Owners and admins: adds the integration with a row for every field Salesforce requires, each
   * with a best-guess source. It starts enabled only when its checks pass; then the calendar's
   * held bookings are queued, or left out (marked skipped) with `skipHeld`.
   */
  add: (calendarId: number, skipHeld?: boolean): Promise<IntegrationDetail> =>
    call(
      'integration_add',
      skipHeld === undefined ? { calendar_id: calendarId } : { calendar_id: calendarId, skip_held: skipHeld },
    ),
  /** The checks `rows` would fail, without saving anything; any member may ask. */
  check: (calendarId: number, rows: MappingRow[]): Promise<Check[]> =>
    call('integration_check', { calendar_id: calendarId, rows }),
  /** Owners and admins: saves `rows`; rejects with `mapping_invalid` (every error listed) while any check is an error. */
  save: (calendarId: number, rows: MappingRow[]): Promise<IntegrationDetail> =>
    call('integration_save', { calendar_id: calendarId, rows }),
  /** Owners and admins: enabling is refused with `mapping_invalid` while the stored mapping has errors. */
  set: (calendarId: number, settings: IntegrationSettings): Promise<IntegrationDetail> =>
    call('integration_set', { calendar_id: calendarId, settings }),
  remove: (calendarId: number): Promise<null> => call('integration_remove', { calendar_id: calendarId }),
  /** Reads the org's fields again (owners and admins). */
  refreshSchema: (calendarId: number): Promise<IntegrationDetail> =>
    call('integration_refresh_schema', { calendar_id: calendarId }),
  /**
   * The exact record `input` would post, without calling Salesforce; `rows` previews unsaved rows
   * (`null`: the stored ones). Any member may preview.
   */
  preview: (calendarId: number, input: PreviewInput, rows: MappingRow[] | null): Promise<Preview> =>
    call('integration_preview', { calendar_id: calendarId, input, rows }),
  /** Writes the integration as a mapping file into the data directory's `exports/` folder. */
  exportMapping: (calendarId: number): Promise<ExportedFile> => call('mapping_export', { calendar_id: calendarId }),
  /** Replaces the integration with a mapping file's text; the window reads the file itself. */
  importMapping: (calendarId: number, text: string): Promise<IntegrationDetail> =>
    call('mapping_import', { calendar_id: calendarId, text }),
};

export const queue = {
  /** How many jobs are in each state and why pushing is paused; any member may read them. */
  counts: (): Promise<QueueCounts> => call('queue_counts'),
  /** One page of matching jobs, newest first, with how many match in all. */
  list: (filter: JobFilter): Promise<JobPage> => call('jobs_list', { filter }),
  /** A job with the exact record of every attempt, Salesforce's answers and the booking's payload. */
  get: (id: number): Promise<JobDetail> => call('job_get', { id }),
  /**
   * Queues failed jobs again (support too); resolves with how many were queued: jobs that are
   * done, queued or in flight are left as they are.
   */
  retry: (selection: JobSelection): Promise<number> => call('jobs_retry', { selection }),
  /** Marks jobs skipped so they are never pushed (support too); resolves with how many. */
  skip: (selection: JobSelection): Promise<number> => call('jobs_skip', { selection }),
  /** Owners and admins: pauses or resumes the push; resolves with the counts after. */
  pause: (paused: boolean): Promise<QueueCounts> => call('queue_pause', { paused }),
  /** Owners and admins: pushes what is due now and resolves with what happened. */
  pushNow: (): Promise<PushReport> => call('push_now'),
};

export const syncLog = {
  /** One page of failures (explained), newest first, with the codes present for the menu. */
  list: (filter: SyncLogFilter): Promise<SyncLogPage> => call('sync_log_list', { filter }),
  /** Writes the success and the error file (Data Loader style) into the data folder's `exports/`. */
  export: (): Promise<ExportedFile[]> => call('sync_log_export'),
};

export const bookings = {
  /**
   * Owners and admins: imports the text of a file of payloads (a JSON array or JSON lines); the
   * window reads the file itself. A file with any malformed payload is refused whole
   * (`invalid_input`, every bad payload named by position).
   */
  import: (text: string): Promise<ImportReport> => call('bookings_import', { text }),
};

export const syncSettings = {
  get: (): Promise<SyncSettings> => call('sync_settings_get'),
  /** Owners and admins; the webhook receiver restarts to match. */
  set: (settings: SyncSettings): Promise<SyncSettings> => call('sync_settings_set', { settings }),
};

export const webhook = {
  /** Whether the receiver listens, where (the URL to give TimeRex), and whether a token is kept. */
  status: (): Promise<WebhookStatus> => call('webhook_status'),
  /** Keeps TimeRex's token in the keyring (it is never read back) and restarts the receiver. */
  setToken: (token: string): Promise<WebhookStatus> => call('webhook_token_set', { token }),
};
