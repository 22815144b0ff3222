import type { Skin } from '@pod/protocol';

const body = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const mono = "ui-monospace, 'DejaVu Sans Mono', monospace";

export const builtinSkins: Skin[] = [
  {
    name: 'Daylight',
    version: 1,
    colors: { background: '#eef2f6', surface: '#ffffff', text: '#1b2430', muted: '#5b6775', accent: '#1f4e79', accentText: '#ffffff', border: '#c9d2dc', danger: '#b3261e' },
    fonts: { body, mono },
    radius: 8,
    density: 'comfortable',
    wallpaper: { kind: 'none' },
  },
  {
    name: 'Night',
    version: 1,
    colors: { background: '#11151b', surface: '#1b222b', text: '#e6ebf1', muted: '#9aa7b5', accent: '#7cb7ff', accentText: '#0b1118', border: '#2e3945', danger: '#ff8a80' },
    fonts: { body, mono },
    radius: 8,
    density: 'comfortable',
    wallpaper: { kind: 'gradient', from: '#11151b', to: '#1d2633', angle: 160 },
  },
  {
    name: 'Meadow',
    version: 1,
    colors: { background: '#e8f3e8', surface: '#fbfff9', text: '#1e2b1e', muted: '#56685a', accent: '#2e7d32', accentText: '#ffffff', border: '#bcd5bd', danger: '#b3261e' },
    fonts: { body: "Georgia, 'DejaVu Serif', serif", mono },
    radius: 14,
    density: 'spacious',
    wallpaper: { kind: 'gradient', from: '#e8f3e8', to: '#d3ead5', angle: 180 },
  },
  {
    name: 'Terminal',
    version: 1,
    colors: { background: '#000000', surface: '#0a0f0a', text: '#b7f5b7', muted: '#6fa76f', accent: '#39d353', accentText: '#000000', border: '#1f3a1f', danger: '#ff6b6b' },
    fonts: { body: mono, mono },
    radius: 0,
    density: 'compact',
    wallpaper: { kind: 'color', color: '#000000' },
  },
];

export const defaultSkin: Skin = builtinSkins[0]!;
