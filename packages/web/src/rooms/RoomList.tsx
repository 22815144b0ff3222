import { lazy, Suspense, useState } from 'react';
import { usePod } from '../lib/pod.tsx';

const CreateRoomDialog = lazy(() => import('./CreateRoomDialog.tsx'));

/** My rooms with unread counts, my invitations to answer, and the ways to new rooms (create, directory). */
export function RoomList({ current, directory, open }: { current: string | undefined; directory: boolean; open: (room: string | undefined) => void }) {
  const { client, rooms } = usePod();
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const answer = async (room: string, accept: boolean) => {
    setError(undefined);
    try {
      if (accept) {
        await client.request('rooms.accept', { room });
        open(room);
      } else {
        await client.request('rooms.decline', { room });
      }
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <section aria-label="Rooms" className="room-list">
      <h2>Rooms</h2>
      <div className="inline">
        <button type="button" onClick={() => setCreating(true)}>
          New room
        </button>
        <button type="button" aria-current={directory ? 'page' : undefined} onClick={() => open(undefined)}>
          Room directory
        </button>
      </div>
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
      {rooms.invitations.length > 0 && (
        <ul className="plain invitations" aria-label="Invitations">
          {rooms.invitations.map((i) => (
            <li key={i.room}>
              <span>
                <strong>#{i.room}</strong> <span className="muted small">from {i.by}</span>
              </span>
              <button type="button" className="small" aria-label={`Accept the invitation to #${i.room}`} onClick={() => void answer(i.room, true)}>
                Accept
              </button>
              <button type="button" className="small" aria-label={`Decline the invitation to #${i.room}`} onClick={() => void answer(i.room, false)}>
                Decline
              </button>
            </li>
          ))}
        </ul>
      )}
      {rooms.rooms.length === 0 && <p className="muted small">You are in no rooms yet: create one or find one in the directory.</p>}
      <ul className="plain">
        {rooms.rooms.map((r) => (
          <li key={r.name}>
            <button
              type="button"
              className="row conversation-row"
              aria-current={r.name === current ? 'true' : undefined}
              aria-label={`Room #${r.name}${r.unread ? `, ${r.unread} unread` : ''}`}
              onClick={() => open(r.name)}
            >
              <span className="name">#{r.name}</span>
              <span className="muted small preview">{r.topic}</span>
              {r.unread > 0 && (
                <span className="badge" aria-hidden="true">
                  {r.unread}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      {creating && (
        <Suspense fallback={null}>
          <CreateRoomDialog
            close={(made) => {
              setCreating(false);
              if (made) open(made);
            }}
          />
        </Suspense>
      )}
    </section>
  );
}
