import { usePod } from '../lib/pod.tsx';
import { Conversation } from './Conversation.tsx';

export default function Messages({ person, open, back }: { person: string | undefined; open: (person: string) => void; back: () => void }) {
  const { conversations } = usePod();
  return (
    <div className={`messages ${person ? 'has-conversation' : ''}`}>
      <section className="conversations" aria-label="Conversations">
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
                onClick={() => open(c.with)}
              >
                <span className="name">{c.with}</span>
                <span className="muted small preview">{c.last.text}</span>
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
      {person ? <Conversation key={person} other={person} back={back} /> : <p className="muted placeholder">Choose a conversation.</p>}
    </div>
  );
}
