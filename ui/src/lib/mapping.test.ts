import { describe, expect, it } from 'vitest';
import type { Check } from '../gen/Check';
import type { FieldOption } from '../gen/FieldOption';
import type { MappingRow } from '../gen/MappingRow';
import type { Question } from '../gen/Question';
import {
  addRow,
  applyFix,
  buildSample,
  cloneRows,
  emptySampleForm,
  emptyTransform,
  fieldTypeLabel,
  filterFields,
  filterSourceOptions,
  fixLabel,
  formatRecord,
  formatValue,
  groupChecks,
  guessSource,
  hasErrors,
  moveRow,
  parseQuery,
  removeRow,
  sameRows,
  sourceFromKey,
  sourceKey,
  sourceLabel,
  sourceOptions,
  startToUtc,
  stepActive,
  summariseChecks,
  transformSummary,
} from './mapping';

function question(id: number, label: string, required: boolean): Question {
  return {
    id,
    calendar_id: 1,
    position: id,
    kind: 'short_text',
    label,
    required,
    choices: [],
    standard_field: null,
    locked: false,
  };
}

const QUESTIONS = [question(1, 'Company', true), question(2, 'Name', true), question(7, 'Family name', false)];

function field(name: string, label: string, field_type: string, extra: Partial<FieldOption> = {}): FieldOption {
  return { name, label, field_type, length: null, required: false, picklist_values: [], restricted: false, ...extra };
}

const FIELDS = [
  field('LastName', 'Last Name', 'string', { length: 80, required: true }),
  field('Company', 'Company', 'string', { length: 255, required: true }),
  field('Email', 'Email', 'email', { length: 80 }),
  field('LeadSource', 'Lead Source', 'picklist', { picklist_values: ['Web', 'Phone'], restricted: true }),
  field('Budget__c', 'Budget', 'currency'),
];

function row(field: string, questionId: number): MappingRow {
  return { field, source: { kind: 'question', question_id: questionId }, transform: emptyTransform() };
}

const ROWS = [row('LastName', 2), row('Company', 1), row('Email', 3)];

function check(field: string | null, severity: Check['severity'], code: Check['code'] = 'type_mismatch'): Check {
  return { code, severity, field, message: `${field ?? 'mapping'}: ${code}`, fix: null };
}

describe('row editing', () => {
  it('adds a row at the end without touching the original list', () => {
    const next = addRow(ROWS, 'LeadSource', { kind: 'fixed', value: 'Web' });
    expect(next.map((r) => r.field)).toEqual(['LastName', 'Company', 'Email', 'LeadSource']);
    expect(next[3]).toEqual({ field: 'LeadSource', source: { kind: 'fixed', value: 'Web' }, transform: emptyTransform() });
    expect(ROWS).toHaveLength(3);
  });

  it('removes the row at an index', () => {
    expect(removeRow(ROWS, 1).map((r) => r.field)).toEqual(['LastName', 'Email']);
    expect(removeRow(ROWS, 9)).toHaveLength(3);
  });

  it('moves a row up and down, and leaves the ends alone', () => {
    expect(moveRow(ROWS, 2, -1).map((r) => r.field)).toEqual(['LastName', 'Email', 'Company']);
    expect(moveRow(ROWS, 0, 1).map((r) => r.field)).toEqual(['Company', 'LastName', 'Email']);
    expect(moveRow(ROWS, 0, -1).map((r) => r.field)).toEqual(['LastName', 'Company', 'Email']);
    expect(moveRow(ROWS, 2, 1).map((r) => r.field)).toEqual(['LastName', 'Company', 'Email']);
  });

  it('compares rows by content, whatever the key order, and sees every change', () => {
    const reordered: MappingRow = {
      transform: { picklist: [], truncate: false, name_part: null, half_width: false, trim: false },
      source: { question_id: 2, kind: 'question' },
      field: 'LastName',
    };
    expect(sameRows([reordered], [row('LastName', 2)])).toBe(true);
    const copy = cloneRows(ROWS);
    expect(sameRows(copy, ROWS)).toBe(true);
    (copy[0] as MappingRow).transform.trim = true;
    expect(sameRows(copy, ROWS)).toBe(false);
    // The copy is deep: editing it left the original as it was.
    expect(ROWS[0]?.transform.trim).toBe(false);
    expect(sameRows(moveRow(ROWS, 0, 1), ROWS)).toBe(false);
    const withParam = (param: string | null): MappingRow => ({
      field: 'Source__c',
      source: { kind: 'attribute', attribute: 'query_param', param },
      transform: emptyTransform(),
    });
    expect(sameRows([withParam('utm_source')], [withParam('utm_medium')])).toBe(false);
  });

  it('guesses a new row’s source from a question labelled like the field', () => {
    expect(guessSource(field('Company', 'Company', 'string'), QUESTIONS)).toEqual({ kind: 'question', question_id: 1 });
    expect(guessSource(field('Family_name__c', 'Surname', 'string'), [question(4, 'family_name', false)])).toEqual({
      kind: 'question',
      question_id: 4,
    });
    expect(guessSource(field('Website', 'Website', 'url'), QUESTIONS)).toEqual({ kind: 'fixed', value: '' });
  });
});

describe('applyFix', () => {
  it('hands making a question required back to the caller', () => {
    expect(applyFix(ROWS, { kind: 'make_question_required', question_id: 7 })).toEqual({
      kind: 'question',
      questionId: 7,
    });
  });

  it('removes every row of the field', () => {
    const twins = [...ROWS, row('Email', 2)];
    const outcome = applyFix(twins, { kind: 'remove_row', field: 'Email' });
    expect(outcome.kind === 'rows' && outcome.rows.map((r) => r.field)).toEqual(['LastName', 'Company']);
  });

  it('turns truncation on for the field only', () => {
    const outcome = applyFix(ROWS, { kind: 'enable_truncate', field: 'Company' });
    if (outcome.kind !== 'rows') throw new Error('expected rows');
    expect(outcome.rows.map((r) => r.transform.truncate)).toEqual([false, true, false]);
    expect(ROWS[1]?.transform.truncate).toBe(false);
  });

  it('maps a field: replaces the source of its row, or adds a row for it', () => {
    const source = { kind: 'question', question_id: 1 } as const;
    const replaced = applyFix(ROWS, { kind: 'map_field', field: 'LastName', source: { ...source } });
    if (replaced.kind !== 'rows') throw new Error('expected rows');
    expect(replaced.rows).toHaveLength(3);
    expect(replaced.rows[0]?.source).toEqual(source);
    const added = applyFix(ROWS.slice(0, 1), { kind: 'map_field', field: 'Company', source: { ...source } });
    if (added.kind !== 'rows') throw new Error('expected rows');
    expect(added.rows.map((r) => [r.field, r.source])).toEqual([
      ['LastName', { kind: 'question', question_id: 2 }],
      ['Company', source],
    ]);
  });
});

describe('words for people', () => {
  it('names every kind of source', () => {
    expect(sourceLabel({ kind: 'question', question_id: 7 }, QUESTIONS)).toBe('Question “Family name”');
    expect(sourceLabel({ kind: 'question', question_id: 99 }, QUESTIONS)).toBe('Deleted question #99');
    expect(sourceLabel({ kind: 'attribute', attribute: 'start_utc', param: null }, QUESTIONS)).toBe('Start (UTC)');
    expect(sourceLabel({ kind: 'attribute', attribute: 'query_param', param: ' utm_source ' }, QUESTIONS)).toBe(
      'Query parameter “utm_source”',
    );
    expect(sourceLabel({ kind: 'attribute', attribute: 'query_param', param: null }, QUESTIONS)).toBe(
      'Query parameter (unnamed)',
    );
    expect(sourceLabel({ kind: 'fixed', value: 'Web' }, QUESTIONS)).toBe('Fixed “Web”');
  });

  it('summarises a transform, empty when posted as-is', () => {
    expect(transformSummary(emptyTransform())).toBe('');
    expect(
      transformSummary({
        trim: true,
        half_width: true,
        name_part: 'last_name',
        truncate: true,
        picklist: [{ answer: 'Yes', value: 'Hot' }],
      }),
    ).toBe('trim · half-width · last name part · truncate · 1 picklist translation');
    expect(
      transformSummary({
        ...emptyTransform(),
        picklist: [
          { answer: 'a', value: 'A' },
          { answer: 'b', value: 'B' },
        ],
      }),
    ).toBe('2 picklist translations');
  });

  it('labels each fix by what it will do', () => {
    expect(fixLabel({ kind: 'make_question_required', question_id: 7 }, QUESTIONS)).toBe('Make “Family name” required');
    expect(fixLabel({ kind: 'remove_row', field: 'Fax' }, QUESTIONS)).toBe('Remove the Fax row');
    expect(fixLabel({ kind: 'enable_truncate', field: 'Company' }, QUESTIONS)).toBe('Truncate Company to its length');
    expect(fixLabel({ kind: 'map_field', field: 'Company', source: { kind: 'question', question_id: 1 } }, QUESTIONS)).toBe(
      'Map Company to question “Company”',
    );
  });

  it('shows types as Salesforce’s setup does, with lengths only where they can overflow', () => {
    expect(FIELDS.map(fieldTypeLabel)).toEqual(['Text(80)', 'Text(255)', 'Email(80)', 'Picklist (restricted)', 'Currency']);
    expect(fieldTypeLabel(field('X__c', 'X', 'anytype'))).toBe('anytype');
  });
});

describe('pickers', () => {
  it('filters fields by label, API name, type and "required", every word matching', () => {
    expect(filterFields(FIELDS, '').map((f) => f.name)).toEqual(FIELDS.map((f) => f.name));
    expect(filterFields(FIELDS, 'last').map((f) => f.name)).toEqual(['LastName']);
    expect(filterFields(FIELDS, 'budget__C').map((f) => f.name)).toEqual(['Budget__c']);
    expect(filterFields(FIELDS, 'picklist').map((f) => f.name)).toEqual(['LeadSource']);
    expect(filterFields(FIELDS, '  required  ').map((f) => f.name)).toEqual(['LastName', 'Company']);
    expect(filterFields(FIELDS, 'required comp').map((f) => f.name)).toEqual(['Company']);
    expect(filterFields(FIELDS, 'text 255').map((f) => f.name)).toEqual(['Company']);
    expect(filterFields(FIELDS, 'phone fax')).toEqual([]);
  });

  it('offers questions, booking attributes and a fixed value, and filters them', () => {
    const options = sourceOptions(QUESTIONS);
    expect(options.slice(0, 3).map((o) => [o.key, o.label, o.detail])).toEqual([
      ['question:1', 'Company', 'required'],
      ['question:2', 'Name', 'required'],
      ['question:7', 'Family name', 'optional'],
    ]);
    expect(options).toHaveLength(3 + 12 + 1);
    expect(options.at(-1)?.key).toBe('fixed');
    expect(filterSourceOptions(options, 'family').map((o) => o.key)).toEqual(['question:7']);
    expect(filterSourceOptions(options, 'utc').map((o) => o.key)).toEqual(['attribute:start_utc', 'attribute:end_utc']);
    expect(filterSourceOptions(options, 'query').map((o) => o.key)).toEqual(['attribute:query_param']);
    expect(filterSourceOptions(options, 'optional').map((o) => o.key)).toEqual(['question:7']);
  });

  it('turns picker keys into sources and back', () => {
    const fixed = { kind: 'fixed', value: 'Web' } as const;
    expect(sourceKey({ kind: 'question', question_id: 7 })).toBe('question:7');
    expect(sourceKey({ kind: 'attribute', attribute: 'meeting_url', param: null })).toBe('attribute:meeting_url');
    expect(sourceKey(fixed)).toBe('fixed');
    expect(sourceFromKey('question:7', fixed)).toEqual({ kind: 'question', question_id: 7 });
    expect(sourceFromKey('attribute:meeting_url', fixed)).toEqual({
      kind: 'attribute',
      attribute: 'meeting_url',
      param: null,
    });
    expect(sourceFromKey('attribute:query_param', fixed)).toEqual({ kind: 'attribute', attribute: 'query_param', param: '' });
    // Picking the same kind again keeps what was typed for it.
    expect(sourceFromKey('fixed', fixed)).toEqual(fixed);
    expect(
      sourceFromKey('attribute:query_param', { kind: 'attribute', attribute: 'query_param', param: 'utm_source' }),
    ).toEqual({ kind: 'attribute', attribute: 'query_param', param: 'utm_source' });
    expect(sourceFromKey('fixed', { kind: 'question', question_id: 1 })).toEqual({ kind: 'fixed', value: '' });
    expect(sourceFromKey('attribute:nope', fixed)).toBeNull();
    expect(sourceFromKey('question:', fixed)).toBeNull();
    expect(sourceFromKey('question:x', fixed)).toBeNull();
    expect(sourceFromKey('nonsense', fixed)).toBeNull();
  });

  it('moves the highlight with the arrow keys, wrapping around', () => {
    expect(stepActive(-1, 3, 1)).toBe(0);
    expect(stepActive(-1, 3, -1)).toBe(2);
    expect(stepActive(2, 3, 1)).toBe(0);
    expect(stepActive(0, 3, -1)).toBe(2);
    expect(stepActive(1, 3, 1)).toBe(2);
    expect(stepActive(5, 3, 1)).toBe(0);
    expect(stepActive(0, 0, 1)).toBe(-1);
  });
});

describe('checks', () => {
  it('counts errors and warnings in words', () => {
    expect(summariseChecks([])).toEqual({ errors: 0, warnings: 0, text: 'No problems found' });
    expect(summariseChecks([check('A', 'error')]).text).toBe('1 error');
    expect(summariseChecks([check('A', 'warning')]).text).toBe('1 warning');
    expect(summariseChecks([check('A', 'error'), check('B', 'error'), check(null, 'warning')])).toEqual({
      errors: 2,
      warnings: 1,
      text: '2 errors · 1 warning',
    });
  });

  it('says whether anything blocks saving', () => {
    expect(hasErrors([check('A', 'warning')])).toBe(false);
    expect(hasErrors([check('A', 'warning'), check('B', 'error')])).toBe(true);
  });

  it('puts checks under their rows, errors first, and the rest above', () => {
    const warning = check('LastName', 'warning', 'possible_overflow');
    const error = check('LastName', 'error', 'required_fed_by_optional_question');
    const unmapped = check('Company', 'error', 'required_field_unmapped');
    const whole = check(null, 'warning', 'duplicate_field');
    const { byField, general } = groupChecks([warning, unmapped, error, whole], ROWS.slice(0, 1));
    expect(byField.get('LastName')).toEqual([error, warning]);
    expect([...byField.keys()]).toEqual(['LastName']);
    expect(general).toEqual([unmapped, whole]);
  });
});

describe('preview input', () => {
  it('reads query parameters typed in any of the usual shapes', () => {
    const expected = [
      { name: 'utm_source', value: 'ads' },
      { name: 'utm_medium', value: 'cpc' },
    ];
    expect(parseQuery('utm_source=ads&utm_medium=cpc')).toEqual(expected);
    expect(parseQuery('https://book.example/demo?utm_source=ads&utm_medium=cpc#top')).toEqual(expected);
    expect(parseQuery('utm_source=ads\nutm_medium=cpc\n\n')).toEqual(expected);
    expect(parseQuery('?q=a%20b+c&flag&=orphan&bad=%E0%A4%A')).toEqual([
      { name: 'q', value: 'a b c' },
      { name: 'flag', value: '' },
      { name: 'bad', value: '%E0%A4%A' },
    ]);
    expect(parseQuery('   ')).toEqual([]);
  });

  it('reads a datetime-local value as UTC', () => {
    expect(startToUtc('2025-06-06T10:00')).toBe('2025-06-06T10:00:00Z');
    expect(startToUtc('2025-06-06T10:00:30')).toBe('2025-06-06T10:00:30Z');
    expect(startToUtc('')).toBeNull();
    expect(startToUtc('tomorrow')).toBeNull();
  });

  it('builds the sample booking in question order, leaving blank answers out', () => {
    const form = {
      ...emptySampleForm(),
      answers: { 7: '山田', 1: ' Acme ', 2: '  ' },
      start: '2025-06-06T10:00',
      timezone: ' Asia/Tokyo ',
      locale: 'ja',
      query: 'utm_source=ads',
    };
    expect(buildSample(form, QUESTIONS)).toEqual({
      answers: [
        { question_id: 1, value: ' Acme ' },
        { question_id: 7, value: '山田' },
      ],
      start_utc: '2025-06-06T10:00:00Z',
      guest_timezone: 'Asia/Tokyo',
      guest_locale: 'ja',
      query: [{ name: 'utm_source', value: 'ads' }],
    });
    expect(buildSample(emptySampleForm(), QUESTIONS)).toEqual({
      answers: [],
      start_utc: null,
      guest_timezone: null,
      guest_locale: null,
      query: [],
    });
  });

  it('prints the record exactly, and values for the table', () => {
    const record = { attributes: { type: 'Lead' }, LastName: '山田', NumberOfEmployees: 5 };
    expect(formatRecord(record)).toBe(
      '{\n  "attributes": {\n    "type": "Lead"\n  },\n  "LastName": "山田",\n  "NumberOfEmployees": 5\n}',
    );
    expect(JSON.parse(formatRecord(record))).toEqual(record);
    expect(formatValue('Acme')).toBe('Acme');
    expect(formatValue(5)).toBe('5');
    expect(formatValue(null)).toBe('null');
    expect(formatValue(true)).toBe('true');
  });
});
