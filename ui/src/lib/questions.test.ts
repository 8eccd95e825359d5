import { describe, expect, it } from 'vitest';
import type { Question } from '../gen/Question';
import {
  buildQuestionInput,
  choicesToText,
  draftFromQuestion,
  emptyDraft,
  isChoiceKind,
  KIND_LABELS,
  kindLabel,
  neighbourPosition,
  parseChoices,
  QUESTION_KINDS,
} from './questions';

describe('kind labels', () => {
  it('names every kind for people', () => {
    expect(kindLabel('short_text')).toBe('Short text');
    expect(kindLabel('long_text')).toBe('Long text');
    expect(kindLabel('single_choice')).toBe('Single choice');
    expect(kindLabel('multiple_choice')).toBe('Multiple choice');
    expect(kindLabel('checkbox')).toBe('Checkbox');
  });

  it('offers the nine kinds of the contract, once each, in its order', () => {
    expect(QUESTION_KINDS).toEqual([
      'short_text',
      'long_text',
      'email',
      'phone',
      'single_choice',
      'multiple_choice',
      'checkbox',
      'date',
      'number',
    ]);
    expect(new Set(Object.values(KIND_LABELS)).size).toBe(QUESTION_KINDS.length);
  });

  it('knows which kinds take choices', () => {
    expect(QUESTION_KINDS.filter(isChoiceKind)).toEqual(['single_choice', 'multiple_choice']);
  });
});

describe('parseChoices', () => {
  it('keeps trimmed, non-empty, unique lines in order', () => {
    expect(parseChoices('  Small \n\nMedium\n  \nLarge\nSmall\n Medium ')).toEqual([
      'Small',
      'Medium',
      'Large',
    ]);
  });

  it('accepts Windows and old Mac line ends', () => {
    expect(parseChoices('a\r\nb\rc\n')).toEqual(['a', 'b', 'c']);
  });

  it('gives nothing for blank text', () => {
    expect(parseChoices('')).toEqual([]);
    expect(parseChoices(' \n\t\n ')).toEqual([]);
  });

  it('treats choices differing in case as distinct', () => {
    expect(parseChoices('Yes\nyes')).toEqual(['Yes', 'yes']);
  });

  it('round-trips through the textarea text', () => {
    expect(parseChoices(choicesToText(['One', 'Two']))).toEqual(['One', 'Two']);
  });
});

describe('buildQuestionInput', () => {
  it('trims the label and keeps kind and required', () => {
    expect(buildQuestionInput({ label: '  Team size ', kind: 'number', required: true, choicesText: '' })).toEqual({
      label: 'Team size',
      kind: 'number',
      required: true,
      choices: [],
    });
  });

  it('sends the parsed choices for choice kinds', () => {
    const input = buildQuestionInput({
      label: 'Plan',
      kind: 'single_choice',
      required: false,
      choicesText: 'Basic\n Pro \n\nBasic',
    });
    expect(input.choices).toEqual(['Basic', 'Pro']);
  });

  it('drops leftover choices when the kind no longer takes them', () => {
    const input = buildQuestionInput({ label: 'Notes', kind: 'long_text', required: false, choicesText: 'a\nb' });
    expect(input.choices).toEqual([]);
  });

  it('leaves validation to the core: an empty choice question is sent as is', () => {
    expect(buildQuestionInput({ label: ' ', kind: 'multiple_choice', required: false, choicesText: '' })).toEqual({
      label: '',
      kind: 'multiple_choice',
      required: false,
      choices: [],
    });
  });

  it('starts from an empty short-text draft', () => {
    expect(buildQuestionInput(emptyDraft())).toEqual({ label: '', kind: 'short_text', required: false, choices: [] });
  });

  it('rebuilds the same input from an existing question', () => {
    const question: Question = {
      id: 7,
      calendar_id: 1,
      position: 2,
      kind: 'multiple_choice',
      label: 'Interests',
      required: true,
      choices: ['CRM', 'Billing'],
      standard_field: null,
      locked: false,
    };
    const draft = draftFromQuestion(question);
    expect(draft.choicesText).toBe('CRM\nBilling');
    expect(buildQuestionInput(draft)).toEqual({
      label: 'Interests',
      kind: 'multiple_choice',
      required: true,
      choices: ['CRM', 'Billing'],
    });
  });
});

describe('neighbourPosition', () => {
  it('moves one step within the list', () => {
    expect(neighbourPosition(2, 4, -1)).toBe(1);
    expect(neighbourPosition(2, 4, 1)).toBe(3);
  });

  it('stops at the ends', () => {
    expect(neighbourPosition(1, 4, -1)).toBeNull();
    expect(neighbourPosition(4, 4, 1)).toBeNull();
    expect(neighbourPosition(1, 1, 1)).toBeNull();
  });
});
