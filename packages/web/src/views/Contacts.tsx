import type { BuddyEntry } from '@pod/protocol';
import { usePod } from '../lib/pod.tsx';
import { PresenceDot } from './PresenceDot.tsx';

/** The contacts window: my buddies by group, with live presence. */
export function Contacts({ open }: { open: (person: string) => void }) {
  const { buddies, presence } = usePod();
  const accepted = buddies.buddies.filter((b) => b.state === 'buddy');
  const groups = [...new Set([...buddies.groups, ...accepted.map((b) => b.group)])];
  return (
    <aside className="window contacts" aria-label="Contacts">
      <h2>Contacts</h2>
      {accepted.length === 0 && <p className="muted">No buddies yet: find people under Buddies &amp; search.</p>}
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
                  <li key={b.name}>
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
