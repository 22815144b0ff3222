import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fileName, filePath, MAX_NAME_BYTES, MAX_PATH_DEPTH, pathNames } from '../src/index.ts';

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Names as people type them: any Unicode, with the characters that matter to paths mixed in often. */
const anyName = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('a', 'é', 'e\u0301', '/', '.', '\0', '\u0007', ' ', '\\', '\ud800', '😀'), maxLength: 12 }),
  fc.constantFrom('.', '..', '...', '', ' ', 'a'.repeat(255), 'a'.repeat(256), 'é'.repeat(127), 'é'.repeat(128)),
);

describe('file names and paths, by property', () => {
  it('accepts exactly the names that cannot climb, hide or break a path, and answers them in NFC', () => {
    fc.assert(
      fc.property(anyName, (raw) => {
        const parsed = fileName.safeParse(raw);
        const nfc = raw.normalize('NFC');
        const shouldRefuse =
          nfc === '' || nfc === '.' || nfc === '..' || nfc.includes('/') || /[\u0000-\u001f\u007f]/.test(nfc) || /\p{Surrogate}/u.test(raw) || utf8Bytes(nfc) > MAX_NAME_BYTES;
        assert.equal(parsed.success, !shouldRefuse, JSON.stringify(raw));
        if (parsed.success) {
          assert.equal(parsed.data, nfc);
          assert.deepEqual(fileName.safeParse(parsed.data).data, parsed.data, 'a parsed name parses to itself');
        } else {
          assert.ok(parsed.error.issues[0]!.message.length > 0, 'a refusal says why');
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('builds paths only from valid names, normalised, never deeper than the limit', () => {
    fc.assert(
      // A "/" inside a name would make two names of it, and an empty one "//": both are covered below.
      fc.property(fc.array(anyName.filter((name) => name !== '' && !name.includes('/')), { maxLength: MAX_PATH_DEPTH + 3 }), fc.boolean(), (names, trailingSlash) => {
        const raw = `/${names.join('/')}${trailingSlash && names.length > 0 ? '/' : ''}`;
        const parsed = filePath.safeParse(raw);
        const allValid = names.every((name) => fileName.safeParse(name).success);
        if (names.length === 0) return assert.deepEqual(parsed.data, '/');
        assert.equal(parsed.success, allValid && names.length <= MAX_PATH_DEPTH, JSON.stringify(raw));
        if (!parsed.success) return;
        assert.deepEqual(pathNames(parsed.data), names.map((name) => name.normalize('NFC')));
        for (const name of pathNames(parsed.data)) assert.ok(name !== '.' && name !== '..' && !name.includes('\0'));
        assert.equal(filePath.safeParse(parsed.data).data, parsed.data, 'a parsed path parses to itself');
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses relative paths and paths with empty names', () => {
    for (const raw of ['', 'a', 'a/b', '//', '/a//b', '//a', '/a/./b', '/a/../b', '/..']) assert.equal(filePath.safeParse(raw).success, false, raw);
  });
});
