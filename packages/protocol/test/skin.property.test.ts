import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { skin, skinJsonSchema, type Skin } from '../src/index.ts';

const hex = fc.constantFrom(3, 6, 8).chain((n) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: n, maxLength: n }).map((s) => `#${s}`));
const font = fc.string({ unit: fc.constantFrom(..."abcXYZ019 ,'-"), minLength: 1, maxLength: 60 }).filter((s) => s.trim().length > 0);
const validSkin: fc.Arbitrary<Skin> = fc.record({
  name: fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim().length > 0 && s.trim() === s),
  version: fc.constant(1 as const),
  colors: fc.record({ background: hex, surface: hex, text: hex, muted: hex, accent: hex, accentText: hex, border: hex, danger: hex }),
  fonts: fc.record({ body: font, mono: font }),
  radius: fc.integer({ min: 0, max: 32 }),
  density: fc.constantFrom('compact' as const, 'comfortable' as const, 'spacious' as const),
  wallpaper: fc.oneof(
    fc.constant({ kind: 'none' as const }),
    hex.map((color) => ({ kind: 'color' as const, color })),
    fc.record({ kind: fc.constant('gradient' as const), from: hex, to: hex, angle: fc.integer({ min: 0, max: 360 }) }),
  ),
});

/** Values that would carry CSS (or a fetch) of their own into the page if a skin let them through. */
const hostileValue = fc.constantFrom('red', '#12345', '#gggggg', 'url(https://evil.example/x.png)', '#fff; background: red', 'expression(alert(1))', '', '#ffffff ');
const hostileFont = fc.constantFrom('Arial; color: red', 'a{}', 'url(x)', 'x\\61', 'a"b', '');

describe('skins', () => {
  it('accepts every well-formed skin, unchanged through JSON', () => {
    fc.assert(
      fc.property(validSkin, (value) => {
        const json = JSON.parse(JSON.stringify(value));
        assert.deepEqual(skin.parse(json), json);
      }),
    );
  });

  it('refuses a colour that is not #rgb, #rrggbb or #rrggbbaa wherever it appears', () => {
    fc.assert(
      fc.property(validSkin, fc.constantFrom('background', 'surface', 'text', 'muted', 'accent', 'accentText', 'border', 'danger'), hostileValue, (value, key, bad) => {
        assert.equal(skin.safeParse({ ...value, colors: { ...value.colors, [key]: bad } }).success, false);
        assert.equal(skin.safeParse({ ...value, wallpaper: { kind: 'color', color: bad } }).success, false);
      }),
    );
  });

  it('refuses fonts with CSS syntax in them, unknown fields and other versions', () => {
    fc.assert(
      fc.property(validSkin, hostileFont, fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !['$schema', 'name', 'version', 'colors', 'fonts', 'radius', 'density', 'wallpaper'].includes(k)), (value, bad, extra) => {
        assert.equal(skin.safeParse({ ...value, fonts: { ...value.fonts, body: bad } }).success, false);
        assert.equal(skin.safeParse({ ...value, [extra]: 1 }).success, false);
        assert.equal(skin.safeParse({ ...value, version: 2 }).success, false);
        assert.equal(skin.safeParse({ ...value, radius: 33 }).success, false);
      }),
    );
  });

  it('publishes its JSON Schema as docs/skin.schema.json (regenerate: node --import tsx scripts/skin-schema.ts)', () => {
    const published = JSON.parse(readFileSync(new URL('../../../docs/skin.schema.json', import.meta.url), 'utf8'));
    assert.deepEqual(published, skinJsonSchema());
    assert.deepEqual((published as { required: string[] }).required.sort(), ['colors', 'density', 'fonts', 'name', 'radius', 'version', 'wallpaper']);
  });
});
