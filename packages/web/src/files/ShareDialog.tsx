import type { FileEntry, OpOutput } from '@pod/sdk';
import type { Grantee } from '@pod/protocol';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { usePod } from '../lib/pod.tsx';
import { formatTime } from './format.ts';

type Shares = OpOutput<'files.shares'>;
type Access = 'read' | 'write';

/** Who an item of mine is shared with, and its links: add and end grants, make and revoke links. */
export function ShareDialog({ entry, path, close }: { entry: FileEntry; path: string; close: () => void }) {
  const { client, buddies } = usePod();
  const dialog = useRef<HTMLDialogElement>(null);
  const [shares, setShares] = useState<Shares | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [user, setUser] = useState('');
  const [userAccess, setUserAccess] = useState<Access>('read');
  const [pickedGroup, setGroup] = useState<string | undefined>();
  const [groupAccess, setGroupAccess] = useState<Access>('read');
  const [password, setPassword] = useState('');
  const [days, setDays] = useState('');
  const [made, setMade] = useState<string | undefined>();
  const [sendTo, setSendTo] = useState('');
  const [sent, setSent] = useState<string | undefined>();
  const groups = [...new Set([...buddies.groups, ...buddies.buddies.map((b) => b.group)])];
  // Until another is picked, the group is the one the list shows first.
  const group = pickedGroup ?? groups[0] ?? '';

  const load = useCallback(() => client.request('files.shares', { target: entry.id }).then(setShares), [client, entry.id]);
  const run = async (action: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await action();
      await load();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  useEffect(() => {
    dialog.current?.showModal();
    load().catch((failure: Error) => setError(failure.message));
  }, [load]);

  const shareWithUser = (event: FormEvent) => {
    event.preventDefault();
    const name = user.trim();
    if (!name) return;
    void run(async () => {
      await client.request('files.share', { target: entry.id, with: [name], access: userAccess });
      setUser('');
    });
  };
  const shareWithGroup = (event: FormEvent) => {
    event.preventDefault();
    void run(() => client.request('files.share', { target: entry.id, group, access: groupAccess }));
  };
  const makeLink = (event: FormEvent) => {
    event.preventDefault();
    const seconds = days.trim() ? Math.round(Number(days) * 24 * 3600) : undefined;
    void run(async () => {
      const link = await client.request('files.link.create', { target: entry.id, ...(password ? { password } : {}), ...(seconds ? { expiresIn: seconds } : {}) });
      setMade(new URL(link.url, window.location.origin).href);
      setPassword('');
      setDays('');
    });
  };

  // The keyboard's way to what dragging a file onto a buddy does.
  const send = (event: FormEvent) => {
    event.preventDefault();
    if (!sendTo) return;
    void run(async () => {
      await client.request('files.send', { to: sendTo, target: entry.id });
      setSent(`Sent to ${sendTo}.`);
    });
  };

  return (
    <dialog ref={dialog} className="share-dialog" aria-label={`Share ${entry.name}`} onClose={close}>
      <h2>Share {entry.name}</h2>
      <p className="muted small">{path}</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <h3>People and groups</h3>
      {shares?.shares.length === 0 && <p className="muted">Not shared with anyone.</p>}
      <ul className="plain">
        {shares?.shares.map((s) => (
          <li key={s.id} data-share={s.grantee.name}>
            <span>
              {granteeLabel(s.grantee)}: {s.access === 'write' ? 'can change' : 'can read'}
            </span>
            <button
              type="button"
              onClick={() => void run(() => client.request('files.unshare', { target: entry.id, ...unshareWhom(s.grantee) }))}
              aria-label={`Stop sharing with ${granteeLabel(s.grantee)}`}
            >
              Stop sharing
            </button>
          </li>
        ))}
      </ul>
      <form className="inline" onSubmit={shareWithUser}>
        <label>
          Share with user{' '}
          <input value={user} onChange={(e) => setUser(e.target.value)} list="share-buddies" autoComplete="off" />
        </label>
        <datalist id="share-buddies">
          {buddies.buddies.map((b) => (
            <option key={b.name} value={b.name} />
          ))}
        </datalist>
        <AccessPicker label="Access for the user" value={userAccess} onChange={setUserAccess} />
        <button type="submit">Share</button>
      </form>
      {groups.length > 0 && (
        <form className="inline" onSubmit={shareWithGroup}>
          <label>
            Share with group{' '}
            <select value={group} onChange={(e) => setGroup(e.target.value)}>
              {groups.map((g) => (
                <option key={g} value={g}>
                  {g || 'Buddies'}
                </option>
              ))}
            </select>
          </label>
          <AccessPicker label="Access for the group" value={groupAccess} onChange={setGroupAccess} />
          <button type="submit">Share with group</button>
        </form>
      )}
      <h3>Links</h3>
      <p className="muted small">Anyone holding a link can read this without an account.</p>
      <ul className="plain">
        {shares?.links.map((l) => (
          <li key={l.id}>
            <span>
              Link made {formatTime(l.createdAt)}
              {l.hasPassword ? ', with a password' : ''}
              {l.expiresAt ? `, ${new Date(l.expiresAt) < new Date() ? 'expired' : 'expires'} ${formatTime(l.expiresAt)}` : ', no expiry'}
            </span>
            <button type="button" onClick={() => void run(() => client.request('files.link.revoke', { id: l.id }))} aria-label={`Revoke the link made ${formatTime(l.createdAt)}`}>
              Revoke
            </button>
          </li>
        ))}
      </ul>
      <form className="inline" onSubmit={makeLink}>
        <label>
          Link password (optional){' '}
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
        </label>
        <label>
          Expires after days (optional){' '}
          <input type="number" min="0.01" step="any" value={days} onChange={(e) => setDays(e.target.value)} />
        </label>
        <button type="submit">Create link</button>
      </form>
      {made && (
        <label className="stack">
          New link (shown once: copy it now)
          <input readOnly value={made} onFocus={(e) => e.target.select()} />
        </label>
      )}
      {entry.kind === 'file' && buddies.buddies.some((b) => b.state === 'buddy') && (
        <>
          <h3>Send as a message</h3>
          <form className="inline" onSubmit={send}>
            <label>
              Send to buddy{' '}
              <select value={sendTo} onChange={(e) => setSendTo(e.target.value)}>
                <option value="">Choose…</option>
                {buddies.buddies
                  .filter((b) => b.state === 'buddy')
                  .map((b) => (
                    <option key={b.name} value={b.name}>
                      {b.displayName}
                    </option>
                  ))}
              </select>
            </label>
            <button type="submit">Send</button>
            {sent && (
              <span role="status" className="small">
                {sent}
              </span>
            )}
          </form>
        </>
      )}
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </dialog>
  );
}

function AccessPicker({ label, value, onChange }: { label: string; value: Access; onChange: (value: Access) => void }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value as Access)}>
      <option value="read">can read</option>
      <option value="write">can change</option>
    </select>
  );
}

function granteeLabel(grantee: Grantee): string {
  if (grantee.kind === 'group') return `Group ${grantee.name || 'Buddies'}`;
  return grantee.kind === 'room' ? `Room #${grantee.name}` : grantee.name;
}

function unshareWhom(grantee: Grantee): { group: string } | { room: string } | { with: string[] } {
  if (grantee.kind === 'group') return { group: grantee.name };
  return grantee.kind === 'room' ? { room: grantee.name } : { with: [grantee.name] };
}
