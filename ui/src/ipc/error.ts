import type { ErrorCode } from '../gen/ErrorCode';
import type { ErrorPayload } from '../gen/ErrorPayload';

/** Every code the shell may reject with, in the order `ErrorCode` declares them. */
export const ERROR_CODES = [
  'invalid_input',
  'not_found',
  'conflict',
  'forbidden',
  'not_a_member',
  'not_signed_in',
  'sign_in_failed',
  'sign_in_cancelled',
  'keyring_unavailable',
  'database_too_new',
  'storage',
  'connect_failed',
  'connect_cancelled',
  'not_connected',
  'reconnect_required',
  'salesforce',
  'mapping_invalid',
] as const satisfies readonly ErrorCode[];

// Fails to compile when the generated `ErrorCode` gains a code this list lacks.
type MissingCode = Exclude<ErrorCode, (typeof ERROR_CODES)[number]>;
const noMissingCode: [MissingCode] extends [never] ? true : MissingCode = true;
void noMissingCode;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Whether `value` has the `{ code, message }` shape every command rejects with. */
export function isErrorPayload(value: unknown): value is ErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return isErrorCode(record['code']) && typeof record['message'] === 'string';
}

/**
 * A failed command. The UI decides what to do from `code`; `message` is for people and is shown
 * as it came.
 */
export class IpcError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'IpcError';
    this.code = code;
  }

  /**
   * The error for whatever a command rejected with. An `ErrorPayload` keeps its code and message;
   * anything else (a string from the shell itself, a thrown `Error`, ...) becomes `storage` with
   * its text.
   */
  static from(rejection: unknown): IpcError {
    if (rejection instanceof IpcError) return rejection;
    if (isErrorPayload(rejection)) return new IpcError(rejection.code, rejection.message);
    return new IpcError('storage', describe(rejection));
  }
}

function describe(rejection: unknown): string {
  if (typeof rejection === 'string') return rejection;
  if (rejection instanceof Error) return rejection.message || rejection.name;
  if (typeof rejection === 'object' && rejection !== null) {
    const message = (rejection as Record<string, unknown>)['message'];
    if (typeof message === 'string') return message;
    try {
      const json = JSON.stringify(rejection);
      if (json !== undefined) return json;
    } catch {
      // A cyclic or otherwise unserialisable value: fall through to String().
    }
  }
  return String(rejection);
}
