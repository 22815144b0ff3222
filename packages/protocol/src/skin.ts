import { z } from 'zod';

/**
 * A skin: the design tokens the pod application's look is made of. Every value is checked
 * closely (colours as hex, font names from a safe alphabet, no URLs) because a skin is
 * imported from anywhere and its values end up in CSS.
 */
const color = z.string().regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/, 'a colour is #rgb, #rrggbb or #rrggbbaa');
const fontStack = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9 ,'-]+$/, 'a font is a comma-separated list of family names (letters, digits, spaces, hyphens, quotes)');

export const skinWallpaper = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('color'), color }),
  z.strictObject({ kind: z.literal('gradient'), from: color, to: color, angle: z.number().int().min(0).max(360) }),
]);

export const skin = z.strictObject({
  $schema: z.string().max(200).optional(),
  name: z.string().trim().min(1, 'a skin has a name').max(60, 'a skin name has at most 60 characters'),
  version: z.literal(1),
  colors: z.strictObject({
    background: color,
    surface: color,
    text: color,
    muted: color,
    accent: color,
    accentText: color,
    border: color,
    danger: color,
  }),
  fonts: z.strictObject({ body: fontStack, mono: fontStack }),
  /** Corner radius of panels and buttons, in CSS pixels. */
  radius: z.number().int().min(0).max(32),
  density: z.enum(['compact', 'comfortable', 'spacious']),
  wallpaper: skinWallpaper,
});
export type Skin = z.infer<typeof skin>;

/** The published JSON Schema of a skin (docs/skin.schema.json is this, written out). */
export function skinJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(skin, { target: 'draft-2020-12' }),
    $id: 'https://pod.example/schemas/skin-1.json',
    title: 'Pod skin',
  };
}
