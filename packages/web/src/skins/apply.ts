import type { Skin } from '@pod/protocol';

const SPACING: Record<Skin['density'], string> = { compact: '0.35rem', comfortable: '0.6rem', spacious: '0.9rem' };

function wallpaper(skin: Skin): string {
  const w = skin.wallpaper;
  if (w.kind === 'color') return w.color;
  if (w.kind === 'gradient') return `linear-gradient(${w.angle}deg, ${w.from}, ${w.to})`;
  return skin.colors.background;
}

/**
 * Puts a skin's tokens into CSS custom properties on the root element. Through the CSSOM, so the
 * Content-Security-Policy needs no inline styles; values are schema-checked, so none carries CSS
 * of its own.
 */
export function applySkin(skin: Skin): void {
  const style = document.documentElement.style;
  for (const [name, value] of Object.entries(skin.colors)) style.setProperty(`--pod-${name}`, value);
  style.setProperty('--pod-font', skin.fonts.body);
  style.setProperty('--pod-mono', skin.fonts.mono);
  style.setProperty('--pod-radius', `${skin.radius}px`);
  style.setProperty('--pod-space', SPACING[skin.density]);
  style.setProperty('--pod-wallpaper', wallpaper(skin));
  document.documentElement.dataset.skin = skin.name;
  document.querySelector('meta[name="theme-color"]')?.setAttribute('content', skin.colors.accent);
}
