import { useEffect, useState, type FormEvent } from 'react';
import { usePod } from '../lib/pod.tsx';

const STATUSES = ['online', 'away', 'busy', 'offline'] as const;

/** What buddies see of me: presence and status text, and my profile. */
export function Status() {
  const { client, me, presence } = usePod();
  const mine = presence.get(me);
  const [status, setStatus] = useState<(typeof STATUSES)[number]>(mine?.status ?? 'online');
  const [text, setText] = useState(mine?.text ?? '');
  const [displayName, setDisplayName] = useState('');
  const [about, setAbout] = useState('');
  const [note, setNote] = useState<string | undefined>();
  useEffect(() => {
    client.request('profile.get', {}).then((profile) => {
      setDisplayName(profile.displayName);
      setAbout(profile.about);
    }, () => {});
  }, [client]);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await client.request('presence.set', { status, text });
      await client.request('profile.update', { displayName, about, statusText: text });
      setNote('Saved.');
    } catch (failure) {
      setNote((failure as Error).message);
    }
  };
  return (
    <section aria-label="Status and profile">
      <h3>Status and profile</h3>
      <form onSubmit={save} className="stack">
        <label>
          Presence
          <select value={status} onChange={(e) => setStatus(e.target.value as (typeof STATUSES)[number])}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s === 'offline' ? 'appear offline' : s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status text
          <input value={text} onChange={(e) => setText(e.target.value)} maxLength={200} />
        </label>
        <label>
          Display name
          <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </label>
        <label>
          About me
          <textarea value={about} onChange={(e) => setAbout(e.target.value)} rows={3} maxLength={4000} />
        </label>
        <button type="submit">Save</button>
        {note && <p role="status">{note}</p>}
      </form>
    </section>
  );
}
