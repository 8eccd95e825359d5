/*
 * Owns a paged list's reading state (Queue, Sync log): the page on show, its offset and whether
 * a read is under way. Reads may overlap (a filter changed, the queue moved): the latest one wins
 * and the others are dropped; a page now past the end gives way to the last one (`readPage`).
 */
import { readPage } from './queue';

export class PagedList<P extends { total: number }> {
  page = $state<P | null>(null);
  offset = $state(0);
  loading = $state(true);
  #latest = 0;
  readonly #read: (offset: number) => Promise<P>;
  readonly #shown: (page: P) => number;

  /** `read` asks for the page at an offset; `shown` counts the items a page holds. */
  constructor(read: (offset: number) => Promise<P>, shown: (page: P) => number) {
    this.#read = read;
    this.#shown = shown;
  }

  /**
   * Reads the page at `offset` (quietly: without showing that it loads) and shows it. Returns the
   * page shown, or null when a later read took over or this one failed: `onFailure` hears of a
   * failure while this read is still the latest.
   */
  async load(offset: number, quiet: boolean, onFailure: (rejection: unknown) => void): Promise<P | null> {
    const mine = ++this.#latest;
    if (!quiet) this.loading = true;
    try {
      const read = await readPage(this.#read, offset, this.#shown, () => mine === this.#latest);
      if (read === null) return null;
      this.page = read.page;
      this.offset = read.offset;
      return read.page;
    } catch (rejection) {
      if (mine === this.#latest) onFailure(rejection);
      return null;
    } finally {
      if (mine === this.#latest) this.loading = false;
    }
  }
}
