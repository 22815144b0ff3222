import { lazy, Suspense } from 'react';
import { usePod } from '../lib/pod.tsx';
import type { Route } from '../lib/route.ts';
import { RoomList } from '../rooms/RoomList.tsx';
import { Conversation } from './Conversation.tsx';

const RoomView = lazy(() => import('../rooms/RoomView.tsx'));
const Directory = lazy(() => import('../rooms/Directory.tsx'));

/** Conversations and rooms side by side with the one open: /messages/<person>, /rooms/<room>, or /rooms for the directory. */
export default function Messages({ route, go }: { route: Route; go: (route: Route) => void }) {
  const { conversations } = usePod();
  const person = route.view === 'messages' ? route.person : undefined;
  const room = route.view === 'rooms' ? route.person : undefined;
  const open = person !== undefined || route.view === 'rooms';
  const back = () => go({ view: 'messages' });
  return (
    <div className={`messages ${open ? 'has-conversation' : ''}`}>
      <div className="conversations">
        <section aria-label="Conversations">
          <h2>Messages</h2>
          {conversations.length === 0 && <p className="muted">No conversations yet. Open a buddy to write to them.</p>}
          <ul className="plain">
            {conversations.map((c) => (
              <li key={c.with}>
                <button
                  type="button"
                  className="row conversation-row"
                  aria-current={c.with === person ? 'true' : undefined}
                  aria-label={`Conversation with ${c.with}${c.unread ? `, ${c.unread} unread` : ''}`}
                  onClick={() => go({ view: 'messages', person: c.with })}
                >
                  <span className="name">{c.with}</span>
                  <span className="muted small preview">{c.last.deletedAt ? 'deleted message' : c.last.text}</span>
                  {c.unread > 0 && (
                    <span className="badge" aria-hidden="true">
                      {c.unread}
                    </span>
                  )}
                </button>
              </li>
            ))}
          </ul>
        </section>
        <RoomList current={room} directory={route.view === 'rooms' && !room} open={(name) => go({ view: 'rooms', ...(name ? { person: name } : {}) })} />
      </div>
      <Suspense fallback={<p role="status">Loading…</p>}>
        {person ? (
        <Conversation key={person} other={person} back={back} />
      ) : room ? (
        <RoomView key={room} name={room} back={back} leave={() => go({ view: 'rooms' })} />
      ) : route.view === 'rooms' ? (
        <Directory open={(name) => go({ view: 'rooms', person: name })} back={back} />
      ) : (
        <p className="muted placeholder">Choose a conversation or a room.</p>
      )}
      </Suspense>
    </div>
  );
}
