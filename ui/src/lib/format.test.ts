import { describe, expect, it } from 'vitest';
import { countLabel, formatDate, formatDateTime, roleLabel } from './format';

describe('formatDate', () => {
  it('shows an RFC 3339 timestamp as a date', () => {
    expect(formatDate('2025-11-24T23:48:00Z', 'en-GB', 'UTC')).toBe('24 Nov 2025');
    expect(formatDate('2025-01-05T08:00:00+00:00', 'en-US', 'UTC')).toBe('Jan 5, 2025');
  });

  it('uses the given time zone for the day', () => {
    expect(formatDate('2025-11-24T23:48:00Z', 'en-GB', 'Asia/Tokyo')).toBe('25 Nov 2025');
  });

  it('shows a value it cannot read as it came', () => {
    expect(formatDate('yesterday', 'en-GB', 'UTC')).toBe('yesterday');
  });
});

describe('formatDateTime', () => {
  it('shows the date and time of day in the given zone', () => {
    expect(formatDateTime('2025-11-24T23:48:05Z', 'en-GB', 'UTC')).toBe('24 Nov 2025, 23:48:05');
    expect(formatDateTime('2025-11-24T23:48:05Z', 'en-GB', 'Asia/Tokyo')).toBe('25 Nov 2025, 08:48:05');
  });

  it('shows a value it cannot read as it came', () => {
    expect(formatDateTime('soon', 'en-GB', 'UTC')).toBe('soon');
  });
});

describe('roleLabel', () => {
  it('capitalises the role', () => {
    expect(roleLabel('owner')).toBe('Owner');
    expect(roleLabel('admin')).toBe('Admin');
    expect(roleLabel('support')).toBe('Support');
  });
});

describe('countLabel', () => {
  it('uses the singular only for one', () => {
    expect(countLabel(0, 'question')).toBe('0 questions');
    expect(countLabel(1, 'question')).toBe('1 question');
    expect(countLabel(4, 'question')).toBe('4 questions');
  });
});
