import type { BuddyEntry } from '@pod/protocol';
import { useState, type DragEvent } from 'react';
import { FILE_DRAG_TYPE, readDraggedFile } from '../files/format.ts';
import { uploadAsNew } from '../files/uploads.ts';
import { usePod } from '../lib/pod.tsx';
import { PresenceDot } from './PresenceDot.tsx';

/** Files dropped from the desktop onto a buddy are kept here in my files before they are sent. */
const SENT_FOLDER = '/Sent';

/** The contacts window: my buddies by group, with live presence. Drop a file on a buddy to send it. */
export function Contacts({ open }: { open: (person: string) => void }) {
  const { client, csrf, buddies, presence } = usePod();
  const [target, setTarget] = useState<string | undefined>();
  const [said, setSaid] = useState<{ text: string; error: boolean } | undefined>();
  const accepted = buddies.buddies.filter((b) => b.state === 'buddy');
  const groups = [...new Set([...buddies.groups, ...accepted.map((b) => b.group)])];

  const accepts = (e: DragEvent) => e.dataTransfer.types.includes(FILE_DRAG_TYPE) || e.dataTransfer.types.includes('Files');
  const drop = async (to: string, data: DataTransfer) => {
    const dragged = readDraggedFile(data);
    const desktop = Array.from(data.files);
    setSaid(undefined);
    try {
      const files = dragged ? [dragged] : await Promise.all(desktop.map(async (file) => ({ id: (await uploadAsNew(client, csrf, file, SENT_FOLDER)).id, name: file.name })));
      for (const file of files) await client.request('files.send', { to, target: file.id });
      if (files.length > 0) setSaid({ text: `Sent ${files.map((f) => f.name).join(', ')} to ${to}.`, error: false });
    } catch (failure) {
      setSaid({ text: `Could not send to ${to}: ${(failure as Error).message}`, error: true });
    }
  };

  return (
    <aside className="window contacts" aria-label="Contacts">
      <h2>Contacts</h2>
      {accepted.length === 0 && <p className="muted">No buddies yet: find people under Buddies &amp; search.</p>}
      {accepted.length > 0 && <p className="muted small">Drop a file on a buddy to send it.</p>}
      {said && (
        <p role={said.error ? 'alert' : 'status'} className={said.error ? 'error small' : 'small'}>
          {said.text}
        </p>
      )}
      {groups.map((group) => {
        const members = accepted.filter((b) => b.group === group);
        if (members.length === 0) return null;
        return (
          <section key={group} aria-label={`Group ${group || 'Buddies'}`}>
            <h3>{group || 'Buddies'}</h3>
            <ul className="plain">
              {members.map((b: BuddyEntry) => {
                const p = presence.get(b.name);
                return (
                  <li
                    key={b.name}
                    data-contact={b.name}
                    className={target === b.name ? 'dropping' : undefined}
                    onDragOver={(e) => {
                      if (!accepts(e)) return;
                      e.preventDefault();
                      setTarget(b.name);
                    }}
                    onDragLeave={() => setTarget(undefined)}
                    onDrop={(e) => {
                      e.preventDefault();
                      setTarget(undefined);
                      void drop(b.name, e.dataTransfer);
                    }}
                  >
                    <button type="button" className="row" onClick={() => open(b.name)} aria-label={`Message ${b.displayName}, ${p?.status ?? 'offline'}`}>
                      <PresenceDot status={p?.status ?? 'offline'} />
                      <span>{b.displayName}</span>
                      {p?.text && <span className="muted small">{p.text}</span>}
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </aside>
  );
}
