/*
 * Owns a page's per-spot action state: which action is running (one at a time; its controls are
 * disabled until it settles) and the one failure on show, with the spot (form, row, card) it is
 * shown next to. Reactive ($state), so pages read `spots.busy` and `spots.errorAt(spot)` in markup.
 */

/** What a rejected command carries: an `IpcError` fits. */
export interface SpotError {
  code: string;
  message: string;
}

export class Spots<S extends string, B extends string = S> {
  /** The action in flight, or null. */
  busy = $state<B | null>(null);
  /** The failure on show and where. */
  failure = $state<{ spot: S; message: string } | null>(null);

  /** The message to show at `spot`, or null. */
  errorAt(spot: S): string | null {
    return this.failure?.spot === spot ? this.failure.message : null;
  }

  /** Starts `action` unless another is running: clears the failure on show; false when busy. */
  start(action: B): boolean {
    if (this.busy !== null) return false;
    this.busy = action;
    this.failure = null;
    return true;
  }

  /** The running action settled. */
  done(): void {
    this.busy = null;
  }

  /** Shows `message` at `spot`, replacing any other failure. */
  fail(spot: S, message: string): void {
    this.failure = { spot, message };
  }

  /** Clears the failure on show, or only the one at `spot`. */
  clear(spot?: S): void {
    if (spot === undefined || this.failure?.spot === spot) this.failure = null;
  }

  /**
   * Shows a rejected command's `error` at `spot`. A `forbidden` one (the role changed elsewhere)
   * also goes to `onForbidden`, and to `forbiddenAt` when given: the control it came from is about
   * to be hidden.
   */
  refuse(spot: S, error: SpotError, onForbidden: (message: string) => void, forbiddenAt?: S): void {
    const forbidden = error.code === 'forbidden';
    this.fail(forbidden && forbiddenAt !== undefined ? forbiddenAt : spot, error.message);
    if (forbidden) onForbidden(error.message);
  }
}
