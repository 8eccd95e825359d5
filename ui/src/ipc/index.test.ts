import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.hoisted(() => vi.fn());
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

import {
  app,
  audit,
  bookings,
  calendars,
  integrations,
  IpcError,
  members,
  questions,
  queue,
  salesforce,
  session,
  settings,
  syncLog,
  syncSettings,
  webhook,
} from './index';

const input = { label: 'Plan', kind: 'single_choice', required: true, choices: ['Basic'] } as const;

beforeEach(() => {
  invoke.mockReset();
  invoke.mockResolvedValue(null);
});

describe('command wrappers', () => {
  it('call the contract commands with snake_case arguments', async () => {
    await app.info();
    await calendars.list();
    await calendars.get(3);
    await calendars.create('Demo');
    await calendars.rename(3, 'Sales demo');
    await calendars.delete(3);
    await questions.add(3, { ...input, choices: [...input.choices] });
    await questions.edit(3, 9, { ...input, choices: [...input.choices] });
    await questions.move(3, 9, 2);
    await questions.delete(3, 9);

    expect(invoke.mock.calls).toEqual([
      ['app_info', undefined],
      ['calendars_list', undefined],
      ['calendar_get', { id: 3 }],
      ['calendar_create', { name: 'Demo' }],
      ['calendar_rename', { id: 3, name: 'Sales demo' }],
      ['calendar_delete', { id: 3 }],
      ['question_add', { calendar_id: 3, input }],
      ['question_edit', { calendar_id: 3, question_id: 9, input }],
      ['question_move', { calendar_id: 3, question_id: 9, position: 2 }],
      ['question_delete', { calendar_id: 3, question_id: 9 }],
    ]);
  });

  it('call the team and audit commands with snake_case arguments', async () => {
    const filter = {
      actor_email: 'ana@example.com',
      action: 'calendar',
      since: '2026-11-01T00:00:00Z',
      until: '2026-11-25T00:00:00Z',
    };
    await members.list();
    await members.add({ email: 'bo@example.com', name: '', role: 'support' });
    await members.setRole(5, 'admin');
    await members.remove(5);
    await audit.list(filter, 50, 100);
    await audit.export(filter);

    expect(invoke.mock.calls).toEqual([
      ['members_list', undefined],
      ['member_add', { input: { email: 'bo@example.com', name: '', role: 'support' } }],
      ['member_role', { member_id: 5, role: 'admin' }],
      ['member_remove', { member_id: 5 }],
      ['audit_list', { filter, limit: 50, offset: 100 }],
      ['audit_export', { filter }],
    ]);
  });

  it('call the settings commands with snake_case arguments', async () => {
    invoke.mockResolvedValueOnce({ idle_timeout_minutes: 480 });
    await expect(settings.get()).resolves.toEqual({ idle_timeout_minutes: 480 });
    invoke.mockResolvedValueOnce({ idle_timeout_minutes: 45 });
    await expect(settings.setIdleTimeout(45)).resolves.toEqual({ idle_timeout_minutes: 45 });

    expect(invoke.mock.calls).toEqual([
      ['settings_get', undefined],
      ['settings_set_idle_timeout', { minutes: 45 }],
    ]);
  });

  it('reject a setting out of range with its code and message', async () => {
    const payload = { code: 'invalid_input', message: 'minutes must be between 5 and 43200' };
    invoke.mockRejectedValueOnce(payload);
    const error = await settings.setIdleTimeout(4).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpcError);
    expect(error).toMatchObject(payload);
  });

  it('reject team commands with the payload code too', async () => {
    invoke.mockRejectedValueOnce({ code: 'conflict', message: 'The last owner cannot be removed.' });
    await expect(members.remove(1)).rejects.toMatchObject({
      code: 'conflict',
      message: 'The last owner cannot be removed.',
    });
  });

  it('resolve with what the command returned', async () => {
    invoke.mockResolvedValueOnce([{ id: 1, name: 'Demo' }]);
    await expect(calendars.list()).resolves.toEqual([{ id: 1, name: 'Demo' }]);
  });

  it('reject with an IpcError carrying the payload code', async () => {
    invoke.mockRejectedValueOnce({ code: 'not_found', message: 'No calendar 3.' });
    const error = await calendars.get(3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpcError);
    expect(error).toMatchObject({ code: 'not_found', message: 'No calendar 3.' });
  });

  it('reject with a storage IpcError for anything else', async () => {
    invoke.mockRejectedValueOnce('invalid args `id` for command `calendar_get`');
    await expect(calendars.get(3)).rejects.toMatchObject({
      code: 'storage',
      message: 'invalid args `id` for command `calendar_get`',
    });
  });

  it('call the sign-in commands with snake_case arguments', async () => {
    const request = { kind: 'oidc', issuer: 'https://idp.example', client_id: 'leadline' } as const;
    invoke.mockResolvedValueOnce({ id: 1, email: 'ana@example.com', name: 'Ana', role: 'owner' });
    await expect(session.signIn({ ...request })).resolves.toEqual({
      id: 1,
      email: 'ana@example.com',
      name: 'Ana',
      role: 'owner',
    });
    await session.cancelSignIn();
    await session.signOut();

    expect(invoke.mock.calls).toEqual([
      ['sign_in', { request }],
      ['sign_in_cancel', undefined],
      ['sign_out', undefined],
    ]);
  });

  it('reject a sign-in with its code', async () => {
    invoke.mockRejectedValueOnce({ code: 'sign_in_cancelled', message: 'the sign-in was cancelled' });
    await expect(
      session.signIn({ kind: 'practice', issuer: null, client_id: null }),
    ).rejects.toMatchObject({ code: 'sign_in_cancelled', message: 'the sign-in was cancelled' });
  });
});

describe('session.onEnded', () => {
  const ended = { code: 'not_signed_in', message: 'nobody is signed in' };

  it('tells listeners when any command finds nobody signed in, and still rejects', async () => {
    const listener = vi.fn();
    const stop = session.onEnded(listener);
    try {
      invoke.mockRejectedValueOnce(ended);
      await expect(calendars.list()).rejects.toMatchObject(ended);
      invoke.mockRejectedValueOnce(ended);
      await expect(members.remove(2)).rejects.toMatchObject(ended);
      expect(listener).toHaveBeenCalledTimes(2);
      const [error] = listener.mock.calls[0] ?? [];
      expect(error).toBeInstanceOf(IpcError);
      expect(error).toMatchObject(ended);
    } finally {
      stop();
    }
  });

  it('stays quiet for other failures and successes', async () => {
    const listener = vi.fn();
    const stop = session.onEnded(listener);
    try {
      invoke.mockRejectedValueOnce({ code: 'forbidden', message: 'owners only' });
      await expect(members.list()).rejects.toMatchObject({ code: 'forbidden' });
      await app.info();
      expect(listener).not.toHaveBeenCalled();
    } finally {
      stop();
    }
  });

  it('stops telling a listener once it is stopped', async () => {
    const listener = vi.fn();
    const other = vi.fn();
    const stop = session.onEnded(listener);
    const stopOther = session.onEnded(other);
    stop();
    invoke.mockRejectedValueOnce(ended);
    await expect(audit.list({ actor_email: null, action: null, since: null, until: null }, 50, 0)).rejects.toMatchObject(ended);
    expect(listener).not.toHaveBeenCalled();
    expect(other).toHaveBeenCalledTimes(1);
    stopOther();
  });

  it('call the Salesforce commands with snake_case arguments', async () => {
    const request = {
      login_host: 'custom',
      my_domain: null,
      login_url: 'http://127.0.0.1:4040',
      client_id: 'leadline-practice',
      callback_port: null,
    } as const;
    await salesforce.status();
    await salesforce.connect({ ...request });
    await salesforce.cancelConnect();
    await salesforce.doctor();
    await salesforce.disconnect();

    expect(invoke.mock.calls).toEqual([
      ['salesforce_status', undefined],
      ['salesforce_connect', { request }],
      ['salesforce_connect_cancel', undefined],
      ['salesforce_doctor', undefined],
      ['salesforce_disconnect', undefined],
    ]);
  });

  it('reject a cancelled connect with its code, telling no session listener', async () => {
    const ended = vi.fn();
    const stop = session.onEnded(ended);
    invoke.mockRejectedValueOnce({ code: 'connect_cancelled', message: 'connecting was cancelled' });
    await expect(
      salesforce.connect({
        login_host: 'production',
        my_domain: null,
        login_url: null,
        client_id: 'abc',
        callback_port: null,
      }),
    ).rejects.toMatchObject({ code: 'connect_cancelled', message: 'connecting was cancelled' });
    stop();
    expect(ended).not.toHaveBeenCalled();
  });
});

describe('integration commands', () => {
  const rows = [
    {
      field: 'LastName',
      source: { kind: 'question', question_id: 12 },
      transform: { trim: true, half_width: false, name_part: 'last_name', truncate: false, picklist: [] },
    },
  ] as const;
  const copy = () => rows.map((r) => ({ ...r, source: { ...r.source }, transform: { ...r.transform, picklist: [] } }));

  it('call the ten contract commands with snake_case arguments', async () => {
    const input = {
      kind: 'sample',
      sample: {
        answers: [{ question_id: 12, value: '山田 太郎' }],
        start_utc: null,
        guest_timezone: null,
        guest_locale: 'ja',
        query: [{ name: 'utm_source', value: 'ads' }],
      },
    } as const;
    await integrations.get(3);
    await integrations.add(3);
    await integrations.check(3, copy());
    await integrations.save(3, copy());
    await integrations.set(3, { enabled: true, auto_assign: false });
    await integrations.remove(3);
    await integrations.refreshSchema(3);
    await integrations.preview(3, { kind: 'booking', booking_id: 41 }, null);
    await integrations.preview(3, structuredClone(input) as never, copy());
    await integrations.exportMapping(3);
    await integrations.importMapping(3, '{"version":1}');

    expect(invoke.mock.calls).toEqual([
      ['integration_get', { calendar_id: 3 }],
      ['integration_add', { calendar_id: 3 }],
      ['integration_check', { calendar_id: 3, rows }],
      ['integration_save', { calendar_id: 3, rows }],
      ['integration_set', { calendar_id: 3, settings: { enabled: true, auto_assign: false } }],
      ['integration_remove', { calendar_id: 3 }],
      ['integration_refresh_schema', { calendar_id: 3 }],
      ['integration_preview', { calendar_id: 3, input: { kind: 'booking', booking_id: 41 }, rows: null }],
      ['integration_preview', { calendar_id: 3, input, rows }],
      ['mapping_export', { calendar_id: 3 }],
      ['mapping_import', { calendar_id: 3, text: '{"version":1}' }],
    ]);
  });

  it('resolve with no integration as null', async () => {
    invoke.mockResolvedValueOnce(null);
    await expect(integrations.get(3)).resolves.toBeNull();
  });

  it('reject a refused save with mapping_invalid and the message listing every error', async () => {
    const payload = {
      code: 'mapping_invalid',
      message: 'LastName: required field fed by optional question "Family name"\nCompany: no source',
    };
    invoke.mockRejectedValueOnce(payload);
    const error = await integrations.save(3, copy()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpcError);
    expect(error).toMatchObject(payload);
  });
});

describe('queue and sync-log commands', () => {
  it('call the fourteen contract commands with snake_case arguments', async () => {
    const jobFilter = { state: 'needs_attention', calendar_id: 4, search: 'yamada', limit: 50, offset: 100 } as const;
    const logFilter = {
      calendar_id: null,
      error_code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      job_state: null,
      since: '2026-01-01T00:00:00Z',
      until: null,
      unresolved_only: true,
      limit: 50,
      offset: 0,
    } as const;
    const sync = {
      concurrency: 4,
      pause_share: 0.9,
      external_id_field: null,
      webhook_enabled: true,
      webhook_bind: '127.0.0.1',
      webhook_port: 17640,
    };
    await queue.counts();
    await queue.list({ ...jobFilter });
    await queue.get(7);
    await queue.retry({ kind: 'jobs', ids: [7, 8] });
    await queue.retry({ kind: 'code', code: 'REQUIRED_FIELD_MISSING' });
    await queue.skip({ kind: 'all' });
    await queue.pause(true);
    await queue.pushNow();
    await syncLog.list({ ...logFilter });
    await syncLog.export();
    await bookings.import('{"webhook_type":"event_confirmed"}\n');
    await syncSettings.get();
    await syncSettings.set({ ...sync });
    await webhook.status();
    await webhook.setToken('s3cret');

    expect(invoke.mock.calls).toEqual([
      ['queue_counts', undefined],
      ['jobs_list', { filter: jobFilter }],
      ['job_get', { id: 7 }],
      ['jobs_retry', { selection: { kind: 'jobs', ids: [7, 8] } }],
      ['jobs_retry', { selection: { kind: 'code', code: 'REQUIRED_FIELD_MISSING' } }],
      ['jobs_skip', { selection: { kind: 'all' } }],
      ['queue_pause', { paused: true }],
      ['push_now', undefined],
      ['sync_log_list', { filter: logFilter }],
      ['sync_log_export', undefined],
      ['bookings_import', { text: '{"webhook_type":"event_confirmed"}\n' }],
      ['sync_settings_get', undefined],
      ['sync_settings_set', { settings: sync }],
      ['webhook_status', undefined],
      ['webhook_token_set', { token: 's3cret' }],
    ]);
  });

  it('resolve with what the command returned', async () => {
    invoke.mockResolvedValueOnce(3);
    await expect(queue.retry({ kind: 'all' })).resolves.toBe(3);
    const files = [
      { path: '/data/exports/success.csv', rows: 5 },
      { path: '/data/exports/error.csv', rows: 1 },
    ];
    invoke.mockResolvedValueOnce(files);
    await expect(syncLog.export()).resolves.toEqual(files);
  });

  it('reject a malformed file with invalid_input and the message naming each payload', async () => {
    const payload = {
      code: 'invalid_input',
      message: 'the file was not imported: 1 of 3 payloads are malformed:\npayload 2: event.id is missing',
    };
    invoke.mockRejectedValueOnce(payload);
    const error = await bookings.import('[]').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpcError);
    expect(error).toMatchObject(payload);
  });

  it('pass skip_held to integration_add only when the admin chose', async () => {
    await integrations.add(3, true);
    await integrations.add(3, false);
    await integrations.set(3, { enabled: true, auto_assign: true, skip_held: true });
    expect(invoke.mock.calls).toEqual([
      ['integration_add', { calendar_id: 3, skip_held: true }],
      ['integration_add', { calendar_id: 3, skip_held: false }],
      ['integration_set', { calendar_id: 3, settings: { enabled: true, auto_assign: true, skip_held: true } }],
    ]);
  });
});
