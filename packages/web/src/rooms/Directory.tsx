import type { Room } from '@pod/protocol';
import { useEffect, useState } from 'react';
import { usePod } from '../lib/pod.tsx';

/** The public rooms, biggest first, searchable by name or topic; join one, or open it when I am in it already. */
export default function Directory({ open, back }: { open: (room: string) => void; back: () => void }) {
  const { client, rooms: mine } = usePod();
  const [query, setQuery] = useState('');
  const [rooms, setRooms] = useState<Room[] | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    const q = query.trim();
    client.request('rooms.directory', q ? { query: q } : {}).then(
      (answer) => live && setRooms(answer.rooms),
      (failure: Error) => live && setError(failure.message),
    );
    return () => {
      live = false;
    };
  }, [client, query]);

  const join = async (room: string) => {
    setError(undefined);
    try {
      await client.request('rooms.join', { room });
      open(room);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <section className="conversation directory" aria-label="Room directory">
      <h2>
        <button type="button" className="back" onClick={back} aria-label="Back to conversations">
          ←
        </button>{' '}
        Room directory
      </h2>
      <input type="search" aria-label="Find rooms by name or topic" placeholder="Find rooms by name or topic" value={query} onChange={(e) => setQuery(e.target.value)} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {rooms?.length === 0 && <p className="muted">No public rooms{query.trim() ? ' match' : ' yet'}.</p>}
      <ul className="plain directory-list">
        {rooms?.map((r) => {
          const joined = mine.rooms.some((m) => m.name === r.name);
          return (
            <li key={r.name}>
              <span className="name">
                <strong>#{r.name}</strong> <span className="muted small">{r.members === 1 ? '1 member' : `${r.members} members`}</span>
                <br />
                <span className="small">{r.topic}</span>
              </span>
              {joined ? (
                <button type="button" aria-label={`Open #${r.name}`} onClick={() => open(r.name)}>
                  Open
                </button>
              ) : (
                <button type="button" aria-label={`Join #${r.name}`} onClick={() => void join(r.name)}>
                  Join
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
