import { describe, expect, it } from 'vitest';
import { ERROR_CODES, IpcError, isErrorPayload } from './error';

describe('IpcError.from', () => {
  it('keeps the code and message of an ErrorPayload', () => {
    for (const code of ERROR_CODES) {
      const error = IpcError.from({ code, message: `failed with ${code}` });
      expect(error).toBeInstanceOf(IpcError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.message).toBe(`failed with ${code}`);
      expect(error.name).toBe('IpcError');
    }
  });

  it('makes a plain string rejection a storage error with that text', () => {
    const error = IpcError.from('command calendar_get not found');
    expect(error.code).toBe('storage');
    expect(error.message).toBe('command calendar_get not found');
  });

  it('takes the message of a thrown Error', () => {
    const error = IpcError.from(new TypeError('window.__TAURI_INTERNALS__ is undefined'));
    expect(error.code).toBe('storage');
    expect(error.message).toBe('window.__TAURI_INTERNALS__ is undefined');
  });

  it('does not trust an unknown code', () => {
    const error = IpcError.from({ code: 'teapot', message: 'short and stout' });
    expect(error.code).toBe('storage');
    expect(error.message).toBe('short and stout');
  });

  it('describes other values as text', () => {
    expect(IpcError.from({ reason: 'x' }).message).toBe('{"reason":"x"}');
    expect(IpcError.from(undefined).message).toBe('undefined');
    expect(IpcError.from(null).message).toBe('null');
    expect(IpcError.from(42).message).toBe('42');
    expect(IpcError.from(null).code).toBe('storage');
  });

  it('survives values JSON cannot write', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(IpcError.from(cyclic).message).toBe('[object Object]');
  });

  it('passes an IpcError through unchanged', () => {
    const original = new IpcError('conflict', 'taken');
    expect(IpcError.from(original)).toBe(original);
  });
});

describe('isErrorPayload', () => {
  it('requires a known code and a string message', () => {
    expect(isErrorPayload({ code: 'not_found', message: 'gone' })).toBe(true);
    expect(isErrorPayload({ code: 'not_found' })).toBe(false);
    expect(isErrorPayload({ code: 'not_found', message: 3 })).toBe(false);
    expect(isErrorPayload('not_found')).toBe(false);
    expect(isErrorPayload(null)).toBe(false);
  });
});
