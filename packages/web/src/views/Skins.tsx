import { skin as skinSchema, type Skin } from '@pod/protocol';
import { useRef, useState, type ChangeEvent } from 'react';
import { builtinSkins } from '../skins/builtin.ts';
import { useSkin } from '../skins/SkinProvider.tsx';

/** Choose a built-in skin, or import and export one as a JSON file (docs/skins.md). */
export function Skins() {
  const { skin, choose } = useSkin();
  const [note, setNote] = useState<string | undefined>();
  const fileInput = useRef<HTMLInputElement>(null);
  const pick = (next: Skin) => choose(next).then(() => setNote(`Skin "${next.name}" saved to your account.`), (failure: Error) => setNote(failure.message));

  const importFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    let json: unknown;
    try {
      json = JSON.parse(await file.text());
    } catch {
      return setNote(`${file.name} is not JSON.`);
    }
    const parsed = skinSchema.safeParse(json);
    if (!parsed.success) return setNote(`${file.name} is not a valid skin: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'skin'}: ${i.message}`).join('; ')}`);
    await pick(parsed.data);
  };
  const exportSkin = () => {
    const url = URL.createObjectURL(new Blob([JSON.stringify(skin, null, 2)], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${skin.name.replace(/[^A-Za-z0-9-]+/g, '-').toLowerCase() || 'skin'}.skin.json`;
    link.click();
    URL.revokeObjectURL(url);
  };
  return (
    <section aria-label="Skin">
      <h3>Skin</h3>
      <div className="skin-choices" role="radiogroup" aria-label="Built-in skins">
        {builtinSkins.map((s) => (
          <button key={s.name} type="button" role="radio" aria-checked={s.name === skin.name} onClick={() => void pick(s)} data-skin={s.name}>
            {s.name}
          </button>
        ))}
      </div>
      <div className="inline">
        <button type="button" onClick={() => fileInput.current?.click()}>
          Import a skin…
        </button>
        <input ref={fileInput} type="file" accept="application/json,.json" className="visually-hidden" onChange={(e) => void importFile(e)} aria-label="Skin file to import" tabIndex={-1} />
        <button type="button" onClick={exportSkin}>
          Export this skin
        </button>
      </div>
      {note && <p role="status">{note}</p>}
    </section>
  );
}
