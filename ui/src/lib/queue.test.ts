import { describe, expect, it, vi } from 'vitest';
import type { QueueCounts } from '../gen/QueueCounts';
import {
  buildJobFilter,
  buildLogFilter,
  buildSettings,
  canRetry,
  canSkip,
  countCards,
  countsSummary,
  emptyJobFilterForm,
  emptyLogFilterForm,
  exportSummary,
  guestLabel,
  hasOlder,
  importSummary,
  isJobState,
  jobsFiltered,
  keepShown,
  lastPageOffset,
  pollWhileVisible,
  readPage,
  logFiltered,
  mayRunQueue,
  pageRange,
  pausedBanner,
  prettyJson,
  progressPercent,
  pushSummary,
  retryMessage,
  settingsForm,
  skipMessage,
  stateClass,
  stateLabel,
  stepOffset,
  toggled,
} from './queue';

const zero: QueueCounts = {
  held: 0,
  queued: 0,
  in_flight: 0,
  retry: 0,
  done: 0,
  needs_attention: 0,
  skipped: 0,
  cancelled: 0,
  paused: null,
};

describe('states', () => {
  it('label and colour each state', () => {
    expect(stateLabel('needs_attention')).toBe('Needs attention');
    expect(stateLabel('retry')).toBe('Waiting to retry');
    expect(stateClass('done')).toBe('tone--good');
    expect(stateClass('needs_attention')).toBe('tone--bad');
    expect(stateClass('held')).toBe('tone--waiting');
    expect(isJobState('in_flight')).toBe(true);
    expect(isJobState('failed')).toBe(false);
  });

  it('offer retry and skip only where the core would act', () => {
    expect(canRetry('needs_attention')).toBe(true);
    expect(canRetry('skipped')).toBe(true);
    expect(canRetry('done')).toBe(false);
    expect(canRetry('in_flight')).toBe(false);
    expect(canSkip('held')).toBe(true);
    expect(canSkip('done')).toBe(false);
    expect(canSkip('skipped')).toBe(false);
  });

  it('let owners and admins run the queue, not support', () => {
    expect(mayRunQueue('owner')).toBe(true);
    expect(mayRunQueue('admin')).toBe(true);
    expect(mayRunQueue('support')).toBe(false);
  });
});

describe('counts', () => {
  it('show the working states always and quiet ones only when non-zero', () => {
    expect(countCards(zero).map((c) => c.state)).toEqual([
      'held',
      'queued',
      'in_flight',
      'retry',
      'done',
      'needs_attention',
    ]);
    const cards = countCards({ ...zero, done: 5, skipped: 2 });
    expect(cards.find((c) => c.state === 'done')).toEqual({ state: 'done', label: 'Done', count: 5 });
    expect(cards.map((c) => c.state)).toContain('skipped');
    expect(cards.map((c) => c.state)).not.toContain('cancelled');
  });

  it('sum the queue up in a sentence', () => {
    expect(countsSummary(zero)).toMatch(/^Nothing in the queue yet/);
    expect(countsSummary({ ...zero, queued: 2, in_flight: 1, done: 5, needs_attention: 1 })).toBe(
      'Pushing: 3 to send · 5 done · 1 needs attention',
    );
    expect(countsSummary({ ...zero, done: 5, needs_attention: 2, held: 3 })).toBe(
      'Up to date: 5 done · 2 need attention · 3 held',
    );
    expect(countsSummary({ ...zero, queued: 4, paused: 'paused by ana@example.com' })).toBe('Paused: 4 to send · 0 done');
  });

  it('measure progress over what was sent, not what is held or skipped', () => {
    expect(progressPercent(zero)).toBe(100);
    expect(progressPercent({ ...zero, queued: 3, done: 1, held: 50, skipped: 9 })).toBe(25);
    expect(progressPercent({ ...zero, queued: 2, done: 1 })).toBe(33);
  });

  it('say why pushing is paused', () => {
    expect(pausedBanner('paused by ana@example.com')).toBe('Pushing is paused — paused by ana@example.com');
    expect(pausedBanner('  ')).toBe('Pushing is paused.');
  });
});

describe('filters', () => {
  it('turn a blank job form into no filter at all, paged', () => {
    expect(buildJobFilter(emptyJobFilterForm(), 100)).toEqual({
      state: null,
      calendar_id: null,
      search: null,
      limit: 50,
      offset: 100,
    });
    expect(jobsFiltered(emptyJobFilterForm())).toBe(false);
  });

  it('trim the search and read the calendar id', () => {
    const form = { state: 'done', calendarId: '4', search: '  yamada ' } as const;
    expect(buildJobFilter({ ...form }, -10, 20)).toEqual({
      state: 'done',
      calendar_id: 4,
      search: 'yamada',
      limit: 20,
      offset: 0,
    });
    expect(buildJobFilter({ ...form, calendarId: 'x' }, 0).calendar_id).toBeNull();
    expect(jobsFiltered({ ...emptyJobFilterForm(), search: 'a' })).toBe(true);
  });

  it('turn the sync-log form into the core query, "to" inclusive of its day', () => {
    const form = {
      calendarId: '2',
      code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      state: 'needs_attention',
      since: '2026-03-01',
      until: '2026-03-31',
      unresolvedOnly: true,
    } as const;
    expect(buildLogFilter({ ...form }, 50)).toEqual({
      calendar_id: 2,
      error_code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      job_state: 'needs_attention',
      since: '2026-03-01T00:00:00Z',
      until: '2026-04-01T00:00:00Z',
      unresolved_only: true,
      limit: 50,
      offset: 50,
    });
    expect(logFiltered(emptyLogFilterForm())).toBe(false);
    expect(logFiltered({ ...emptyLogFilterForm(), unresolvedOnly: true })).toBe(true);
    expect(buildLogFilter({ ...emptyLogFilterForm(), since: 'garbage' }, 0).since).toBeNull();
  });
});

describe('paging and selection', () => {
  it('name the rows shown and step between pages', () => {
    expect(pageRange(50, 50, 230)).toBe('51–100 of 230');
    expect(pageRange(0, 0, 0)).toBe('0 of 0');
    expect(pageRange(229, 1, 230)).toBe('230 of 230');
    expect(hasOlder(200, 30, 230)).toBe(false);
    expect(hasOlder(150, 50, 230)).toBe(true);
    expect(stepOffset(0, -1)).toBe(0);
    expect(stepOffset(50, 1)).toBe(100);
    expect(lastPageOffset(230)).toBe(200);
    expect(lastPageOffset(200)).toBe(150);
    expect(lastPageOffset(0)).toBe(0);
  });

  it('toggle ids once and drop the ones no longer shown', () => {
    expect(toggled([1, 2], 3, true)).toEqual([1, 2, 3]);
    expect(toggled([1, 2, 3], 3, true)).toEqual([1, 2, 3]);
    expect(toggled([1, 2, 3], 2, false)).toEqual([1, 3]);
    expect(keepShown([1, 2, 3], [3, 1, 9])).toEqual([1, 3]);
  });
});

describe('sentences', () => {
  it('report an import', () => {
    expect(
      importSummary({
        payloads: 5,
        queued: 0,
        held: 5,
        duplicates: 0,
        cancellations: 0,
        calendars_registered: 1,
        errors: [],
      }),
    ).toBe("Imported 5 payloads: 5 held until their calendar's integration is enabled, 1 calendar registered.");
    expect(
      importSummary({ payloads: 3, queued: 1, held: 0, duplicates: 2, cancellations: 0, calendars_registered: 0, errors: [] }),
    ).toBe('Imported 3 payloads: 1 queued, 2 duplicates (already received; nothing new).');
  });

  it('report a push', () => {
    expect(pushSummary({ sent: 5, done: 4, retry: 0, needs_attention: 1, requests: 1, paused: null })).toBe(
      'Sent 5 records in 1 request: 4 done, 1 needs attention.',
    );
    expect(pushSummary({ sent: 0, done: 0, retry: 0, needs_attention: 0, requests: 0, paused: null })).toMatch(/^Nothing was due/);
    expect(pushSummary({ sent: 0, done: 0, retry: 0, needs_attention: 0, requests: 0, paused: 'reconnect required' })).toBe(
      'Pushing is paused — reconnect required',
    );
  });

  it('report retries, skips and exports', () => {
    expect(retryMessage(2, 3)).toBe('Queued 2 bookings again (1 left as they were); the push sends them shortly.');
    expect(retryMessage(0, 1)).toMatch(/^Nothing to retry/);
    expect(skipMessage(1)).toBe('Skipped 1 booking: they will not be sent to Salesforce.');
    expect(
      exportSummary([
        { path: '/d/exports/success.csv', rows: 5 },
        { path: '/d/exports/error.csv', rows: 1 },
      ]),
    ).toBe('Wrote 5 successes to /d/exports/success.csv and 1 error to /d/exports/error.csv.');
  });

  it('indent JSON, including JSON text, and mark nothing recorded', () => {
    expect(prettyJson({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(prettyJson('{"b":[1]}')).toBe('{\n  "b": [\n    1\n  ]\n}');
    expect(prettyJson('plain text')).toBe('plain text');
    expect(prettyJson(null)).toBe('—');
  });

  it('name the guest as well as it can', () => {
    expect(guestLabel('山田 太郎', 'taro@example.com', 'ev1')).toBe('山田 太郎 <taro@example.com>');
    expect(guestLabel(null, ' taro@example.com ', 'ev1')).toBe('taro@example.com');
    expect(guestLabel('', null, 'ev1')).toBe('ev1');
  });
});

describe('push settings form', () => {
  const stored = {
    concurrency: 4,
    pause_share: 0.9,
    external_id_field: null,
    webhook_enabled: false,
    webhook_bind: '127.0.0.1',
    webhook_port: 17640,
  };

  it('round-trips the stored settings, the share as a percentage', () => {
    const form = settingsForm(stored);
    expect(form.pausePercent).toBe('90');
    expect(form.externalIdField).toBe('');
    expect(buildSettings(form)).toEqual({ ok: true, settings: stored });
  });

  it('names every bad field', () => {
    const result = buildSettings({
      ...settingsForm(stored),
      concurrency: '17',
      pausePercent: '5',
      webhookPort: '70000',
      externalIdField: 'Booking Id',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems).toHaveLength(4);
      expect(result.problems[0]).toMatch(/^Requests at once/);
      expect(result.problems[2]).toBe('Port: a whole number from 1024 to 65535.');
      expect(result.problems[3]).toMatch(/^External ID field/);
    }
  });

  it('refuses a privileged port, as the core does', () => {
    expect(buildSettings({ ...settingsForm(stored), webhookPort: '80' }).ok).toBe(false);
    expect(buildSettings({ ...settingsForm(stored), webhookPort: '1024' }).ok).toBe(true);
  });

  it('keeps an external id field and the webhook switch', () => {
    const result = buildSettings({ ...settingsForm(stored), externalIdField: ' Booking_Id__c ', webhookEnabled: true, pausePercent: '75' });
    expect(result).toEqual({
      ok: true,
      settings: { ...stored, external_id_field: 'Booking_Id__c', webhook_enabled: true, pause_share: 0.75 },
    });
  });
});

describe('readPage', () => {
  const pageAt = (total: number) => async (offset: number) => ({ total, items: Math.max(0, Math.min(50, total - offset)) });

  it('reads the page asked for', async () => {
    expect(await readPage(pageAt(120), 50, (p) => p.items, () => true)).toEqual({ page: { total: 120, items: 50 }, offset: 50 });
  });

  it('falls back to the last page when the one asked for is now empty', async () => {
    expect(await readPage(pageAt(60), 100, (p) => p.items, () => true)).toEqual({ page: { total: 60, items: 10 }, offset: 50 });
  });

  it('keeps an empty first page, and an empty list', async () => {
    expect(await readPage(pageAt(0), 50, (p) => p.items, () => true)).toEqual({ page: { total: 0, items: 0 }, offset: 50 });
    expect(await readPage(pageAt(0), 0, (p) => p.items, () => true)).toEqual({ page: { total: 0, items: 0 }, offset: 0 });
  });

  it('gives up once a later read took over', async () => {
    let reads = 0;
    const current = () => reads < 2;
    const read = async (offset: number) => {
      reads += 1;
      return { total: 60, items: offset >= 60 ? 0 : 10 };
    };
    expect(await readPage(read, 100, (p) => p.items, current)).toBeNull();
    expect(await readPage(pageAt(10), 0, (p) => p.items, () => false)).toBeNull();
  });
});

describe('pollWhileVisible', () => {
  it('ticks while the window is visible, and stops when told', () => {
    vi.useFakeTimers();
    const page = { visibilityState: 'visible' };
    vi.stubGlobal('document', page);
    try {
      const tick = vi.fn();
      const stop = pollWhileVisible(tick, 1000);
      vi.advanceTimersByTime(2000);
      expect(tick).toHaveBeenCalledTimes(2);
      page.visibilityState = 'hidden';
      vi.advanceTimersByTime(1000);
      expect(tick).toHaveBeenCalledTimes(2);
      page.visibilityState = 'visible';
      stop();
      vi.advanceTimersByTime(3000);
      expect(tick).toHaveBeenCalledTimes(2);
    } finally {
      vi.unstubAllGlobals();
      vi.useRealTimers();
    }
  });
});
