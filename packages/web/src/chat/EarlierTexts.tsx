import { useState } from 'react';

export interface EarlierText {
  text: string;
  at: string;
}

/** An edited message's earlier texts, fetched when asked for: what a moderator may see. */
export function EarlierTexts({ load, preview }: { load: () => Promise<EarlierText[]>; preview: string }) {
  const [texts, setTexts] = useState<EarlierText[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const open = texts !== undefined;
  const toggle = () => {
    if (open) return setTexts(undefined);
    setError(undefined);
    load().then(setTexts, (failure: Error) => setError(failure.message));
  };
  return (
    <div className="earlier-texts small">
      <button type="button" className="small" aria-expanded={open} aria-label={`Earlier texts of: ${preview.slice(0, 40)}`} onClick={toggle}>
        Earlier texts
      </button>
      {error && <span role="alert" className="error">{error}</span>}
      {texts && (
        <ol className="plain" aria-label="Earlier texts">
          {texts.map((t, i) => (
            <li key={i}>
              <span className="muted">{new Date(t.at).toLocaleString()}:</span> <span className="text">{t.text}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
