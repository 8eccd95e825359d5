import { describe, expect, it, vi } from 'vitest';
import { Spots } from './busy.svelte';

type Spot = 'page' | 'add' | `row-${number}`;

describe('Spots', () => {
  it('runs one action at a time and clears the failure when one starts', () => {
    const spots = new Spots<Spot>();
    spots.fail('add', 'Name is required.');
    expect(spots.start('add')).toBe(true);
    expect(spots.busy).toBe('add');
    expect(spots.failure).toBeNull();
    expect(spots.start('row-1')).toBe(false);
    expect(spots.busy).toBe('add');
    spots.done();
    expect(spots.busy).toBeNull();
    expect(spots.start('row-1')).toBe(true);
  });

  it('shows a failure only at its spot', () => {
    const spots = new Spots<Spot>();
    expect(spots.errorAt('page')).toBeNull();
    spots.fail('row-2', 'Gone.');
    expect(spots.errorAt('row-2')).toBe('Gone.');
    expect(spots.errorAt('row-1')).toBeNull();
    spots.fail('page', 'Offline.');
    expect(spots.errorAt('row-2')).toBeNull();
    expect(spots.errorAt('page')).toBe('Offline.');
  });

  it('clears all, or only the failure at a spot', () => {
    const spots = new Spots<Spot>();
    spots.fail('add', 'Bad.');
    spots.clear('page');
    expect(spots.errorAt('add')).toBe('Bad.');
    spots.clear('add');
    expect(spots.failure).toBeNull();
    spots.fail('add', 'Bad.');
    spots.clear();
    expect(spots.failure).toBeNull();
  });

  it('sends a forbidden refusal to onForbidden, at the spot given for it', () => {
    const spots = new Spots<Spot>();
    const onForbidden = vi.fn();
    spots.refuse('add', { code: 'invalid_input', message: 'Bad email.' }, onForbidden, 'page');
    expect(spots.errorAt('add')).toBe('Bad email.');
    expect(onForbidden).not.toHaveBeenCalled();
    spots.refuse('add', { code: 'forbidden', message: 'Not allowed.' }, onForbidden, 'page');
    expect(spots.errorAt('page')).toBe('Not allowed.');
    expect(onForbidden).toHaveBeenCalledWith('Not allowed.');
    spots.refuse('row-3', { code: 'forbidden', message: 'No.' }, onForbidden);
    expect(spots.errorAt('row-3')).toBe('No.');
  });

  it('keeps its own kind of action apart from its spots', () => {
    const spots = new Spots<'run' | 'import', 'push' | 'pause'>();
    expect(spots.start('push')).toBe(true);
    spots.fail('run', 'Offline.');
    expect(spots.busy).toBe('push');
    expect(spots.errorAt('run')).toBe('Offline.');
  });
});
