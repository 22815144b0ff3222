import type { PresenceEntry, PresenceStatus, Profile } from '@pod/protocol';
import { useEffect, useState, type FormEvent } from 'react';
import { usePod } from '../lib/pod.tsx';

const STATUSES: readonly PresenceStatus[] = ['online', 'away', 'busy', 'offline'];

/** What the user changed in the form and has not saved yet. */
interface Edits {
  status?: PresenceStatus;
  text?: string;
  displayName?: string;
  about?: string;
}

/**
 * What buddies see of me: presence and status text, and my profile. A field the user has not
 * touched shows the value as last heard (also when another device changes it); the form
 * cannot be saved until those values are known, so saving never overwrites what it never showed.
 */
export function Status() {
  const { client, me, presence } = usePod();
  const mine = presence.get(me);
  const [profile, setProfile] = useState<Profile | undefined>();
  // What I saved, shown until the next word of my presence replaces the entry it was saved over.
  const [saved, setSaved] = useState<{ over: PresenceEntry; status: PresenceStatus; text: string } | undefined>();
  const [edits, setEdits] = useState<Edits>({});
  const [saving, setSaving] = useState(false);
  const [note, setNote] = useState<string | undefined>();
  useEffect(() => {
    client.request('profile.get', {}).then(setProfile, () => {});
  }, [client]);

  const heard = saved && saved.over === mine ? saved : mine;
  // Appearing offline, I am shown no text, though the one I chose is kept: my profile has it.
  const current = heard && profile ? { status: heard.status, text: heard.status === 'offline' ? profile.statusText : heard.text } : undefined;
  const status = edits.status ?? current?.status;
  const text = edits.text ?? current?.text ?? '';
  const edit = (change: Edits) => setEdits((before) => ({ ...before, ...change }));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!mine || !status) return;
    const chosen = { status, text: text.trim() };
    setSaving(true);
    try {
      await client.request('presence.set', chosen);
      // Only the profile fields changed here: another device's edit of the others stays.
      const { displayName, about } = edits;
      setProfile(await client.request('profile.update', { statusText: chosen.text, ...(displayName !== undefined && { displayName }), ...(about !== undefined && { about }) }));
      setSaved({ over: mine, ...chosen });
      setEdits({});
      setNote('Saved.');
    } catch (failure) {
      setNote((failure as Error).message);
    } finally {
      setSaving(false);
    }
  };
  return (
    <section aria-label="Status and profile">
      <h3>Status and profile</h3>
      <form onSubmit={save}>
        <fieldset className="stack" disabled={!current || saving} aria-busy={!current}>
          <label>
            Presence
            <select value={status ?? ''} onChange={(e) => edit({ status: e.target.value as PresenceStatus })}>
              {!status && <option value="">…</option>}
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s === 'offline' ? 'appear offline' : s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Status text
            <input value={text} onChange={(e) => edit({ text: e.target.value })} maxLength={200} />
          </label>
          <label>
            Display name
            <input value={edits.displayName ?? profile?.displayName ?? ''} onChange={(e) => edit({ displayName: e.target.value })} />
          </label>
          <label>
            About me
            <textarea value={edits.about ?? profile?.about ?? ''} onChange={(e) => edit({ about: e.target.value })} rows={3} maxLength={4000} />
          </label>
          <button type="submit">Save</button>
        </fieldset>
        {note && <p role="status">{note}</p>}
      </form>
    </section>
  );
}
