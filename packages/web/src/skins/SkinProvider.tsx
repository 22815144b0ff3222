import { skin as skinSchema, type Skin } from '@pod/protocol';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { usePod } from '../lib/pod.tsx';
import { applySkin } from './apply.ts';
import { defaultSkin } from './builtin.ts';

interface SkinState {
  skin: Skin;
  /** Stores the skin with my settings on the server, so it follows me to other computers. */
  choose(skin: Skin): Promise<void>;
}

const SkinContext = createContext<SkinState | undefined>(undefined);
const CACHE_KEY = 'pod.skin';

export function useSkin(): SkinState {
  const state = useContext(SkinContext);
  if (!state) throw new Error('useSkin outside SkinProvider');
  return state;
}

/** The last skin this browser showed, so the page does not flash the default before the server answers. */
function cachedSkin(): Skin {
  try {
    const parsed = skinSchema.safeParse(JSON.parse(localStorage.getItem(CACHE_KEY) ?? 'null'));
    return parsed.success ? parsed.data : defaultSkin;
  } catch {
    return defaultSkin;
  }
}

export function SkinProvider({ children }: { children: ReactNode }) {
  const { client, connection } = usePod();
  const [skin, setSkin] = useState(cachedSkin);

  useEffect(() => {
    applySkin(skin);
    localStorage.setItem(CACHE_KEY, JSON.stringify(skin));
  }, [skin]);
  useEffect(() => {
    if (connection !== 'live') return;
    client.request('settings.get', {}).then(
      (settings) => setSkin(settings.skin ?? defaultSkin),
      () => {},
    );
  }, [client, connection]);

  const choose = async (next: Skin) => {
    const saved = await client.request('settings.update', { skin: next });
    setSkin(saved.skin ?? defaultSkin);
  };
  return <SkinContext.Provider value={{ skin, choose }}>{children}</SkinContext.Provider>;
}
