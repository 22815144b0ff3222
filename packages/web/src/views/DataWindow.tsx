import { usePod } from '../lib/pod.tsx';

/** The data window: my inbox (conversations waiting for me); files and trash join it with the files view. */
export function DataWindow({ open }: { open: (person: string) => void }) {
  const { conversations } = usePod();
  const waiting = conversations.filter((c) => c.unread > 0);
  return (
    <aside className="window data" aria-label="Inbox">
      <h2>Inbox</h2>
      {waiting.length === 0 ? (
        <p className="muted">Nothing unread.</p>
      ) : (
        <ul className="plain">
          {waiting.map((c) => (
            <li key={c.with}>
              <button type="button" className="row" onClick={() => open(c.with)}>
                <span>{c.with}</span>
                <span className="badge">{c.unread}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
