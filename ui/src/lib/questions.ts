import type { Question } from '../gen/Question';
import type { QuestionInput } from '../gen/QuestionInput';
import type { QuestionKind } from '../gen/QuestionKind';
import type { StandardField } from '../gen/StandardField';

/** What people read for each kind, in the order the kind picker offers them. */
export const KIND_LABELS: Readonly<Record<QuestionKind, string>> = {
  short_text: 'Short text',
  long_text: 'Long text',
  email: 'Email',
  phone: 'Phone',
  single_choice: 'Single choice',
  multiple_choice: 'Multiple choice',
  checkbox: 'Checkbox',
  date: 'Date',
  number: 'Number',
};

export const QUESTION_KINDS = Object.keys(KIND_LABELS) as QuestionKind[];

export function kindLabel(kind: QuestionKind): string {
  return KIND_LABELS[kind];
}

/** Whether a kind asks the guest to pick among choices (and so needs at least one). */
export function isChoiceKind(kind: QuestionKind): boolean {
  return kind === 'single_choice' || kind === 'multiple_choice';
}

export const STANDARD_FIELD_LABELS: Readonly<Record<StandardField, string>> = {
  company_name: 'Company name',
  guest_name: 'Guest name',
  guest_email: 'Guest email',
  guest_comment: 'Guest comment',
};

/**
 * The choices typed in a textarea, one per line: each trimmed, blank lines dropped, and a line
 * repeating an earlier one dropped, keeping the first one's place.
 */
export function parseChoices(text: string): string[] {
  const seen = new Set<string>();
  const choices: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    const choice = line.trim();
    if (choice === '' || seen.has(choice)) continue;
    seen.add(choice);
    choices.push(choice);
  }
  return choices;
}

/** The textarea text for a list of choices. */
export function choicesToText(choices: readonly string[]): string {
  return choices.join('\n');
}

/** A question form as the person edits it. */
export interface QuestionDraft {
  label: string;
  kind: QuestionKind;
  required: boolean;
  choicesText: string;
}

export function emptyDraft(): QuestionDraft {
  return { label: '', kind: 'short_text', required: false, choicesText: '' };
}

export function draftFromQuestion(question: Question): QuestionDraft {
  return {
    label: question.label,
    kind: question.kind,
    required: question.required,
    choicesText: choicesToText(question.choices),
  };
}

/**
 * The `QuestionInput` a form stands for: the label trimmed, and choices only for choice kinds
 * (other kinds carry none, whatever the hidden textarea still holds). Whether the result is valid
 * is the core's call; its `invalid_input` message is shown as it comes.
 */
export function buildQuestionInput(draft: QuestionDraft): QuestionInput {
  return {
    label: draft.label.trim(),
    kind: draft.kind,
    required: draft.required,
    choices: isChoiceKind(draft.kind) ? parseChoices(draft.choicesText) : [],
  };
}

/**
 * The position a question moves to one step up (`-1`) or down (`+1`), or `null` when it is
 * already at that end. Positions are 1-based.
 */
export function neighbourPosition(position: number, count: number, step: -1 | 1): number | null {
  const target = position + step;
  return target < 1 || target > count ? null : target;
}
