import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { FileEntry } from '@pod/protocol';
import { pick } from '../src/commands/files-trash.ts';
import { joinRemote, remotePath, splitRemote } from '../src/remote.ts';
import { formatBytes, parseDuration, parseSize, parseWhen } from '../src/units.ts';

const entry = (id: number, name: string): FileEntry => ({
  id,
  parentId: 0,
  name,
  kind: 'file',
  size: 10,
  type: 'text/plain',
  hash: 'a'.repeat(64),
  createdAt: '2030-01-01T00:00:00.000Z',
  modifiedAt: '2030-01-01T00:00:00.000Z',
  trashedAt: '2030-01-02T00:00:00.000Z',
  version: id,
});

describe('sizes, durations, times and remote paths for the file commands', () => {
  it('formats sizes in binary units with at most three significant digits', () => {
    assert.deepEqual([0, 1023, 1024, 1536, 10 * 1024, 10 * 1024 ** 2 - 5000, 1023.6 * 1024, 1024 ** 2 - 1, 1.25 * 1024 ** 3].map(formatBytes), ['0 B', '1023 B', '1.0 KiB', '1.5 KiB', '10 KiB', '10 MiB', '1.0 MiB', '1.0 MiB', '1.3 GiB']);
  });

  it('a formatted size reads back as itself, within its rounding', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 52 }), (n) => {
        const back = parseSize(formatBytes(n));
        if (n < 1024) assert.equal(back, n);
        else assert.ok(Math.abs(back - n) / n < 0.05, `${n} -> ${formatBytes(n)} -> ${back}`);
      }),
    );
  });

  it('parses sizes: binary units by default, decimal with KB, MB...', () => {
    assert.deepEqual(['500', '10k', '10K', '10KiB', '10KB', '1.5M', '2 GiB', '3b'].map(parseSize), [500, 10240, 10240, 10240, 10_000, 1_572_864, 2 * 1024 ** 3, 3]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 20 }), fc.constantFrom('', 'k', 'm', 'g'), (n, unit) => {
        assert.equal(parseSize(`${n}${unit}`), n * 1024 ** ['', 'k', 'm', 'g'].indexOf(unit));
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        // Anything: a size, or a usage error; never another failure or a negative size.
        try {
          assert.ok(parseSize(text) >= 0);
        } catch (error) {
          assert.equal((error as { code?: string }).code, 'commander.invalidArgument');
        }
      }),
    );
    for (const bad of ['', 'lots', '-1', '1.5.2', '10 XB', '5ib', '1e3', `${'9'.repeat(30)}`]) assert.throws(() => parseSize(bad), { code: 'commander.invalidArgument' }, bad);
  });

  it('parses durations and moments', () => {
    assert.deepEqual(['90s', '30m', '12h', '7d', '2w'].map(parseDuration), [90, 1800, 43_200, 604_800, 1_209_600]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom(['s', 1], ['m', 60], ['h', 3600], ['d', 86_400], ['w', 604_800]), (n, [unit, seconds]) => {
        assert.equal(parseDuration(`${n}${unit}`), n * (seconds as number));
      }),
    );
    for (const bad of ['0d', 'week', '7', '-1d', '1.5d']) assert.throws(() => parseDuration(bad), { code: 'commander.invalidArgument' }, bad);
    const now = new Date('2030-06-15T12:00:00.000Z');
    assert.equal(parseWhen('7d', now), '2030-06-08T12:00:00.000Z');
    assert.equal(parseWhen('2030-01-31T10:00:00Z', now), '2030-01-31T10:00:00.000Z');
    assert.equal(parseWhen('2030-01-31', now), new Date(2030, 0, 31).toISOString());
    for (const bad of ['yesterday', '31/01/2030', '2030-13-45']) assert.throws(() => parseWhen(bad, now), { code: 'commander.invalidArgument' }, bad);
  });

  it('reads remote paths with or without the leading slash', () => {
    assert.deepEqual(['', '.', '/', 'docs', '/docs/', 'docs/a.txt', '~bob/shared', '//'].map(remotePath), ['/', '/', '/', '/docs', '/docs', '/docs/a.txt', '~bob/shared', '/']);
    assert.deepEqual([joinRemote('/', 'a'), joinRemote('/a', 'b')], ['/a', '/a/b']);
    assert.deepEqual([splitRemote('/a'), splitRemote('/a/b/c')], [{ dir: '/', name: 'a' }, { dir: '/a/b', name: 'c' }]);
  });

  it('picks a trashed item by id or unique name, and lists the ids when a name is ambiguous', () => {
    const items = [
      { entry: entry(7, 'report.pdf'), from: '/docs' },
      { entry: entry(9, 'report.pdf'), from: null },
      { entry: entry(12, '7'), from: '/' },
      { entry: entry(13, 'café'), from: '/' },
    ];
    assert.equal(pick(items, '12').entry.id, 12);
    assert.equal(pick(items, '7').entry.id, 7, 'an id wins over a name');
    assert.equal(pick(items, 'cafe\u0301').entry.id, 13, 'names compare in NFC');
    assert.throws(() => pick(items, 'report.pdf'), (error: { code: string; message: string; data: { ids: number[] } }) => {
      assert.equal(error.code, 'conflict');
      assert.match(error.message, /^2 items in the trash are named report\.pdf: 7 \(file of 10 B, from \/docs, deleted .*\); 9 \(file of 10 B, from a folder since deleted, deleted .*\)\. Restore one by its id, such as pod trash restore 7$/);
      assert.deepEqual(error.data.ids, [7, 9]);
      return true;
    });
    assert.throws(() => pick(items, 'nothing'), { code: 'not_found' });
  });
});
