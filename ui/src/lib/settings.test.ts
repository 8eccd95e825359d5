import { describe, expect, it } from 'vitest';
import {
  describeMinutes,
  IDLE_TIMEOUT_MAX,
  IDLE_TIMEOUT_MIN,
  IDLE_TIMEOUT_RANGE_HINT,
  IDLE_TIMEOUT_RANGE_MESSAGE,
  parseIdleTimeout,
} from './settings';

describe('parseIdleTimeout', () => {
  it('reads a whole number of minutes within the range', () => {
    expect(parseIdleTimeout('480')).toEqual({ ok: true, minutes: 480 });
    expect(parseIdleTimeout(' 45 ')).toEqual({ ok: true, minutes: 45 });
    expect(parseIdleTimeout('05')).toEqual({ ok: true, minutes: 5 });
  });

  it('accepts both ends of the range', () => {
    expect(parseIdleTimeout(String(IDLE_TIMEOUT_MIN))).toEqual({ ok: true, minutes: 5 });
    expect(parseIdleTimeout(String(IDLE_TIMEOUT_MAX))).toEqual({ ok: true, minutes: 43_200 });
  });

  it('refuses values outside the range, naming it', () => {
    for (const text of ['4', '0', '43201', '1000000']) {
      expect(parseIdleTimeout(text)).toEqual({ ok: false, message: IDLE_TIMEOUT_RANGE_MESSAGE });
    }
    expect(IDLE_TIMEOUT_RANGE_MESSAGE).toContain('5 to 43,200');
    expect(IDLE_TIMEOUT_RANGE_HINT).toContain(describeMinutes(IDLE_TIMEOUT_MIN));
    expect(IDLE_TIMEOUT_RANGE_HINT).toContain(describeMinutes(IDLE_TIMEOUT_MAX));
  });

  it('refuses anything that is not a whole number', () => {
    for (const text of ['', '  ', '7.5', '-10', '1e3', 'ten', '60 minutes']) {
      expect(parseIdleTimeout(text)).toEqual({ ok: false, message: IDLE_TIMEOUT_RANGE_MESSAGE });
    }
  });
});

describe('describeMinutes', () => {
  it('uses the largest whole units', () => {
    expect(describeMinutes(45)).toBe('45 minutes');
    expect(describeMinutes(1)).toBe('1 minute');
    expect(describeMinutes(60)).toBe('1 hour');
    expect(describeMinutes(480)).toBe('8 hours');
    expect(describeMinutes(1440)).toBe('1 day');
    expect(describeMinutes(43_200)).toBe('30 days');
  });

  it('lists the units that are not zero', () => {
    expect(describeMinutes(90)).toBe('1 hour and 30 minutes');
    expect(describeMinutes(1445)).toBe('1 day and 5 minutes');
    expect(describeMinutes(1565)).toBe('1 day, 2 hours and 5 minutes');
  });

  it('says zero in minutes', () => {
    expect(describeMinutes(0)).toBe('0 minutes');
  });
});
