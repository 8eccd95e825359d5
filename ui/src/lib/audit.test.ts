import { describe, expect, it } from 'vitest';
import {
  ACTION_AREAS,
  actionLabel,
  actionsOf,
  buildAuditFilter,
  dateInputToRfc3339,
  dateRangeProblem,
  emptyFilterForm,
  exportMessage,
  hasNewer,
  hasOlder,
  lastPageOffset,
  newerOffset,
  olderOffset,
  pageRange,
  summariseDetail,
  targetLabel,
} from './audit';

describe('actionLabel', () => {
  it('names every action the core records', () => {
    expect(actionLabel('calendar.create')).toBe('Created calendar');
    expect(actionLabel('calendar.rename')).toBe('Renamed calendar');
    expect(actionLabel('calendar.delete')).toBe('Deleted calendar');
    expect(actionLabel('question.add')).toBe('Added question');
    expect(actionLabel('question.edit')).toBe('Edited question');
    expect(actionLabel('question.move')).toBe('Moved question');
    expect(actionLabel('question.delete')).toBe('Deleted question');
    expect(actionLabel('member.add')).toBe('Added member');
    expect(actionLabel('member.role')).toBe('Changed member role');
    expect(actionLabel('member.remove')).toBe('Removed member');
    expect(actionLabel('member.sign_in')).toBe('Signed in');
    expect(actionLabel('member.sign_out')).toBe('Signed out');
  });

  it('shows an unknown action as it came', () => {
    expect(actionLabel('mapping.create')).toBe('mapping.create');
    expect(actionLabel('')).toBe('');
    expect(actionLabel('toString')).toBe('toString');
    expect(actionLabel('__proto__')).toBe('__proto__');
  });
});

describe('action filter options', () => {
  it('lists each area with its actions', () => {
    expect(ACTION_AREAS.map((a) => a.area)).toEqual(['calendar', 'question', 'member']);
    expect(actionsOf('calendar').map((a) => a.action)).toEqual([
      'calendar.create',
      'calendar.rename',
      'calendar.delete',
    ]);
    expect(actionsOf('member')).toContainEqual({ action: 'member.sign_in', label: 'Signed in' });
    expect(actionsOf('mapping')).toEqual([]);
  });
});

describe('dateInputToRfc3339', () => {
  it('starts the day at midnight UTC', () => {
    expect(dateInputToRfc3339('2026-11-24')).toBe('2026-11-24T00:00:00Z');
  });

  it('gives the next day for an exclusive end', () => {
    expect(dateInputToRfc3339('2026-11-24', true)).toBe('2026-11-25T00:00:00Z');
    expect(dateInputToRfc3339('2026-11-30', true)).toBe('2026-12-01T00:00:00Z');
    expect(dateInputToRfc3339('2026-12-31', true)).toBe('2027-01-01T00:00:00Z');
    expect(dateInputToRfc3339('2028-02-28', true)).toBe('2028-02-29T00:00:00Z');
    expect(dateInputToRfc3339('2027-02-28', true)).toBe('2027-03-01T00:00:00Z');
  });

  it('means no bound for empty or unreadable values', () => {
    expect(dateInputToRfc3339('')).toBeNull();
    expect(dateInputToRfc3339('   ')).toBeNull();
    expect(dateInputToRfc3339('24/11/2026')).toBeNull();
    expect(dateInputToRfc3339('2026-02-30')).toBeNull();
    expect(dateInputToRfc3339('2026-13-01')).toBeNull();
    expect(dateInputToRfc3339('9999-12-31', true)).toBeNull();
  });

  it('keeps early years four digits long', () => {
    expect(dateInputToRfc3339('0999-01-01')).toBe('0999-01-01T00:00:00Z');
  });
});

describe('buildAuditFilter', () => {
  it('filters nothing when the form is empty', () => {
    expect(buildAuditFilter(emptyFilterForm())).toEqual({
      actor_email: null,
      action: null,
      since: null,
      until: null,
    });
  });

  it('trims text and includes the whole last day', () => {
    expect(
      buildAuditFilter({ action: ' calendar ', actor: ' ana@example.com ', since: '2026-11-01', until: '2026-11-24' }),
    ).toEqual({
      actor_email: 'ana@example.com',
      action: 'calendar',
      since: '2026-11-01T00:00:00Z',
      until: '2026-11-25T00:00:00Z',
    });
  });

  it('allows a single-day range', () => {
    const form = { ...emptyFilterForm(), since: '2026-11-24', until: '2026-11-24' };
    expect(dateRangeProblem(form)).toBeNull();
    const filter = buildAuditFilter(form);
    expect(filter.since).toBe('2026-11-24T00:00:00Z');
    expect(filter.until).toBe('2026-11-25T00:00:00Z');
  });

  it('flags a range that ends before it starts', () => {
    expect(dateRangeProblem({ ...emptyFilterForm(), since: '2026-11-24', until: '2026-11-23' })).not.toBeNull();
    expect(dateRangeProblem({ ...emptyFilterForm(), since: '2026-11-24' })).toBeNull();
  });
});

describe('paging', () => {
  it('describes the page shown', () => {
    expect(pageRange(0, 50, 230)).toBe('1–50 of 230');
    expect(pageRange(50, 50, 230)).toBe('51–100 of 230');
    expect(pageRange(200, 30, 230)).toBe('201–230 of 230');
    expect(pageRange(0, 1, 1)).toBe('1 of 1');
    expect(pageRange(0, 0, 0)).toBe('0 of 0');
  });

  it('knows when there are newer and older entries', () => {
    expect(hasNewer(0)).toBe(false);
    expect(hasNewer(50)).toBe(true);
    expect(hasOlder(0, 50, 230)).toBe(true);
    expect(hasOlder(200, 30, 230)).toBe(false);
    expect(hasOlder(0, 50, 50)).toBe(false);
    expect(hasOlder(0, 0, 0)).toBe(false);
  });

  it('steps a page at a time, never before the first', () => {
    expect(olderOffset(0)).toBe(50);
    expect(newerOffset(100)).toBe(50);
    expect(newerOffset(20)).toBe(0);
    expect(olderOffset(10, 5)).toBe(15);
  });

  it('finds the start of the last page', () => {
    expect(lastPageOffset(0)).toBe(0);
    expect(lastPageOffset(50)).toBe(0);
    expect(lastPageOffset(51)).toBe(50);
    expect(lastPageOffset(230)).toBe(200);
  });
});

describe('targetLabel', () => {
  it('names known targets', () => {
    expect(targetLabel('calendar:3')).toBe('Calendar 3');
    expect(targetLabel('question:12')).toBe('Question 12');
    expect(targetLabel('member:1')).toBe('Member 1');
  });

  it('shows other targets as they came', () => {
    expect(targetLabel('mapping:4')).toBe('mapping:4');
    expect(targetLabel('calendar')).toBe('calendar');
    expect(targetLabel('')).toBe('');
  });
});

describe('exportMessage', () => {
  it('says how many rows went where', () => {
    expect(exportMessage({ path: '/data/exports/audit.csv', rows: 12 })).toBe(
      'Saved 12 rows to /data/exports/audit.csv',
    );
    expect(exportMessage({ path: 'a.csv', rows: 1 })).toBe('Saved 1 row to a.csv');
  });
});

describe('summariseDetail', () => {
  it('summarises calendar changes', () => {
    expect(summariseDetail('calendar.create', '{"name":"Demo"}')).toBe('“Demo”');
    expect(summariseDetail('calendar.rename', '{"from":"Demo","to":"Sales demo"}')).toBe('“Demo” → “Sales demo”');
    expect(summariseDetail('calendar.delete', '{"name":"Demo"}')).toBe('“Demo”');
  });

  it('summarises question changes', () => {
    const added = JSON.stringify({
      calendar_id: 3,
      question: { label: 'Plan', kind: 'single_choice', required: true, choices: ['Basic', 'Pro'] },
    });
    expect(summariseDetail('question.add', added)).toBe('“Plan” (Single choice, required, 2 choices) in calendar 3');
    const edited = JSON.stringify({
      calendar_id: 3,
      question: { label: 'Notes', kind: 'long_text', required: false, choices: [] },
    });
    expect(summariseDetail('question.edit', edited)).toBe('“Notes” (Long text, optional) in calendar 3');
    expect(summariseDetail('question.move', '{"calendar_id":3,"position":2}')).toBe('To position 2 in calendar 3');
    expect(summariseDetail('question.delete', '{"calendar_id":3,"label":"Plan"}')).toBe('“Plan” from calendar 3');
  });

  it('summarises member changes', () => {
    expect(summariseDetail('member.add', '{"email":"bo@example.com","role":"support"}')).toBe(
      'bo@example.com as Support',
    );
    expect(summariseDetail('member.role', '{"email":"bo@example.com","from":"support","to":"admin"}')).toBe(
      'bo@example.com: Support → Admin',
    );
    expect(summariseDetail('member.remove', '{"email":"bo@example.com","role":"admin"}')).toBe(
      'bo@example.com (was Admin)',
    );
    expect(summariseDetail('member.sign_in', '{}')).toBe('');
  });

  it('keeps values it does not know as they came', () => {
    expect(summariseDetail('member.add', '{"email":"bo@example.com","role":"guest"}')).toBe('bo@example.com as guest');
    expect(summariseDetail('question.edit', '{"question":{"label":"X","kind":"slider"}}')).toBe('“X” (slider)');
  });

  it('lists every field of an unknown action or an unexpected shape', () => {
    expect(summariseDetail('mapping.create', '{"field":"Company","on":true,"n":2,"x":null,"tags":["a","b"]}')).toBe(
      'field: Company · on: true · n: 2 · x: — · tags: a, b',
    );
    expect(summariseDetail('calendar.rename', '{"to":"Only"}')).toBe('to: Only');
    expect(summariseDetail('question.add', '{"question":{"kind":"date"}}')).toBe('question: {"kind":"date"}');
    expect(summariseDetail('mapping.create', '{}')).toBe('');
  });

  it('shows text that is not a JSON object as it came', () => {
    expect(summariseDetail('calendar.create', 'not json {')).toBe('not json {');
    expect(summariseDetail('calendar.create', '  ')).toBe('');
    expect(summariseDetail('calendar.create', '"just text"')).toBe('"just text"');
    expect(summariseDetail('calendar.create', '[1,2]')).toBe('[1,2]');
    expect(summariseDetail('calendar.create', 'null')).toBe('null');
  });

  it('shortens very long details', () => {
    const summary = summariseDetail('calendar.create', JSON.stringify({ name: 'x'.repeat(500) }));
    expect(summary.length).toBeLessThanOrEqual(200);
    expect(summary.endsWith('…')).toBe(true);
  });
});
