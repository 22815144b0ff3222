import { useState, type DragEvent, type FormEvent } from 'react';
import { usePod } from '../lib/pod.tsx';
import type { Route } from '../lib/route.ts';
import { PresenceDot } from './PresenceDot.tsx';
import { Profile } from './Profile.tsx';

interface Found {
  name: string;
  displayName: string;
  statusText: string;
  about: string;
}

const DRAG_TYPE = 'application/x-pod-person';

export default function Buddies({ person, go }: { person: string | undefined; go: (route: Route) => void }) {
  const { client, buddies, presence, me } = usePod();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Found[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [dropping, setDropping] = useState(false);
  const run = async (action: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  const search = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => setFound((await client.request('directory.search', { query, limit: 50 })).users));
  };
  const request = (name: string) => run(() => client.request('buddies.add', { name }));
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDropping(false);
    const name = event.dataTransfer.getData(DRAG_TYPE);
    if (name) void request(name);
  };
  const known = new Map(buddies.buddies.map((b) => [b.name, b]));
  const groups = [...new Set([...buddies.groups, ...buddies.buddies.map((b) => b.group)])];
  const incoming = buddies.buddies.filter((b) => b.state === 'incoming');
  const outgoing = buddies.buddies.filter((b) => b.state === 'outgoing');
  const accepted = buddies.buddies.filter((b) => b.state === 'buddy');

  if (person) return <Profile name={person} back={() => go({ view: 'buddies' })} message={() => go({ view: 'messages', person })} />;

  return (
    <div className="buddies">
      <section aria-label="Search people">
        <h2>Find people</h2>
        <form onSubmit={search} className="inline" role="search">
          <label className="visually-hidden" htmlFor="people-search">
            Search by name or profile
          </label>
          <input id="people-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Name or words from a profile" />
          <button type="submit">Search</button>
        </form>
        {found && found.length === 0 && <p className="muted">Nobody found.</p>}
        <ul className="plain results">
          {found
            ?.filter((u) => u.name !== me)
            .map((u) => (
              <li key={u.name} draggable onDragStart={(e) => e.dataTransfer.setData(DRAG_TYPE, u.name)} data-person={u.name}>
                <button type="button" className="link" onClick={() => go({ view: 'buddies', person: u.name })}>
                  {u.displayName} <span className="muted">@{u.name}</span>
                </button>
                {u.statusText && <span className="muted small">{u.statusText}</span>}
                {known.has(u.name) ? (
                  <span className="muted small">{known.get(u.name)!.state === 'buddy' ? 'buddy' : 'request pending'}</span>
                ) : (
                  <button type="button" onClick={() => void request(u.name)} aria-label={`Send ${u.name} a buddy request`}>
                    Add buddy
                  </button>
                )}
              </li>
            ))}
        </ul>
        {found && found.length > 0 && <p className="muted small">Tip: drag a person onto your buddy list to send a request.</p>}
      </section>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {incoming.length > 0 && (
        <section aria-label="Buddy requests">
          <h2>Requests</h2>
          <ul className="plain">
            {incoming.map((b) => (
              <li key={b.name}>
                <span>{b.displayName}</span>
                <button type="button" onClick={() => void run(() => client.request('buddies.accept', { name: b.name }))} aria-label={`Accept ${b.name}`}>
                  Accept
                </button>
                <button type="button" onClick={() => void run(() => client.request('buddies.decline', { name: b.name }))} aria-label={`Decline ${b.name}`}>
                  Decline
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section
        aria-label="Buddy list"
        className={`buddy-list ${dropping ? 'dropping' : ''}`}
        onDragOver={(e) => {
          if (e.dataTransfer.types.includes(DRAG_TYPE)) {
            e.preventDefault();
            setDropping(true);
          }
        }}
        onDragLeave={() => setDropping(false)}
        onDrop={onDrop}
        data-testid="buddy-list"
      >
        <h2>Buddy list</h2>
        {accepted.length === 0 && <p className="muted">No buddies yet.</p>}
        {groups.map((group) => {
          const members = accepted.filter((b) => b.group === group);
          if (members.length === 0) return null;
          return (
            <div key={group}>
              <h3>{group || 'Buddies'}</h3>
              <ul className="plain">
                {members.map((b) => {
                  const p = presence.get(b.name);
                  return (
                    <li key={b.name} data-buddy={b.name}>
                      <PresenceDot status={p?.status ?? 'offline'} />
                      <button type="button" className="link" onClick={() => go({ view: 'buddies', person: b.name })}>
                        {b.displayName}
                      </button>
                      {p?.text && <span className="muted small">{p.text}</span>}
                      <button type="button" onClick={() => go({ view: 'messages', person: b.name })} aria-label={`Message ${b.name}`}>
                        Message
                      </button>
                      <GroupPicker current={b.group} groups={groups} onMove={(group) => void run(() => client.request('buddies.move', { name: b.name, group }))} name={b.name} />
                    </li>
                  );
                })}
              </ul>
            </div>
          );
        })}
        {outgoing.length > 0 && (
          <>
            <h3>Waiting for an answer</h3>
            <ul className="plain">
              {outgoing.map((b) => (
                <li key={b.name}>
                  <span>{b.displayName}</span>
                  <button type="button" onClick={() => void run(() => client.request('buddies.remove', { name: b.name }))} aria-label={`Withdraw the request to ${b.name}`}>
                    Withdraw
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
        {buddies.blocked.length > 0 && (
          <>
            <h3>Blocked</h3>
            <ul className="plain">
              {buddies.blocked.map((name) => (
                <li key={name}>
                  <span>{name}</span>
                  <button type="button" onClick={() => void run(() => client.request('buddies.unblock', { name }))} aria-label={`Unblock ${name}`}>
                    Unblock
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </div>
  );
}

function GroupPicker({ name, current, groups, onMove }: { name: string; current: string; groups: string[]; onMove: (group: string) => void }) {
  const choose = (value: string) => {
    if (value === '\u0000new') {
      const group = window.prompt(`New group for ${name}`)?.trim();
      if (group) onMove(group);
    } else if (value !== current) onMove(value);
  };
  return (
    <select aria-label={`Group of ${name}`} value={current} onChange={(e) => choose(e.target.value)}>
      {groups.map((g) => (
        <option key={g} value={g}>
          {g || 'Buddies'}
        </option>
      ))}
      <option value={'\u0000new'}>New group…</option>
    </select>
  );
}
