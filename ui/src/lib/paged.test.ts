import { describe, expect, it, vi } from 'vitest';
import { PagedList } from './paged.svelte';

interface Page {
  total: number;
  items: number[];
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('PagedList', () => {
  it('shows the page read, and stops loading', async () => {
    const list = new PagedList<Page>(async (offset) => ({ total: 3, items: [offset] }), (p) => p.items.length);
    expect(list.loading).toBe(true);
    expect(await list.load(0, false, () => undefined)).toEqual({ total: 3, items: [0] });
    expect(list.page).toEqual({ total: 3, items: [0] });
    expect(list.offset).toBe(0);
    expect(list.loading).toBe(false);
  });

  it('moves to the last page when the one asked for is past the end', async () => {
    const list = new PagedList<Page>(
      async (offset) => ({ total: 60, items: offset >= 60 ? [] : [offset] }),
      (p) => p.items.length,
    );
    await list.load(100, true, () => undefined);
    expect(list.offset).toBe(50);
    expect(list.page?.items).toEqual([50]);
  });

  it('lets the latest read win', async () => {
    const first = deferred<Page>();
    const second = deferred<Page>();
    const reads = [first.promise, second.promise];
    const list = new PagedList<Page>(() => reads.shift() as Promise<Page>, (p) => p.items.length);
    const older = list.load(0, false, () => undefined);
    const newer = list.load(0, false, () => undefined);
    second.resolve({ total: 1, items: [2] });
    expect(await newer).toEqual({ total: 1, items: [2] });
    first.resolve({ total: 1, items: [1] });
    expect(await older).toBeNull();
    expect(list.page?.items).toEqual([2]);
  });

  it('reports a failure of the latest read only', async () => {
    const onFailure = vi.fn();
    const list = new PagedList<Page>(() => Promise.reject(new Error('offline')), (p) => p.items.length);
    expect(await list.load(0, false, onFailure)).toBeNull();
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(list.loading).toBe(false);
  });
});
