import { useState, type FormEvent } from 'react';
import { FIRST_SEARCH_PAGE } from '@pod/sdk';
import { usePod } from '../lib/pod.tsx';
import type { Route } from '../lib/route.ts';
import { markWords, searchPage, type Cursor, type Filters, type Hit } from './search.ts';

const NONE: Filters = { query: '', from: '', in: '', since: '', until: '' };

/** Message search over my rooms and conversations, best match first, with filters; each result opens where it was said. */
export default function SearchView({ go }: { go: (route: Route) => void }) {
  const { client, me, rooms, conversations } = usePod();
  const [filters, setFilters] = useState<Filters>(NONE);
  // What the results shown answer: editing the form does not change what "More results" fetches.
  const [asked, setAsked] = useState<Filters | undefined>();
  const [hits, setHits] = useState<Hit[]>([]);
  const [cursor, setCursor] = useState<Cursor>({ rooms: null, im: null });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const set = (field: keyof Filters) => (event: { target: { value: string } }) => setFilters((f) => ({ ...f, [field]: event.target.value }));

  const load = async (wanted: Filters, from: Cursor, previous: Hit[]) => {
    setBusy(true);
    setError(undefined);
    try {
      const page = await searchPage(client, me, wanted, from);
      setAsked(wanted);
      setHits([...previous, ...page.hits]);
      setCursor(page.cursor);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!filters.query.trim()) return;
    // A new search replaces the results at once, so nobody reads the old ones as its answer.
    setAsked(undefined);
    setHits([]);
    void load(filters, FIRST_SEARCH_PAGE, []);
  };
  const more = cursor.rooms !== null || cursor.im !== null;

  return (
    <section className="search" aria-label="Search messages">
      <h2>Search messages</h2>
      <form role="search" className="stack search-form" onSubmit={submit}>
        <div className="inline">
          <label className="grow">
            Words
            <input type="search" value={filters.query} onChange={set('query')} maxLength={200} placeholder="Every word must appear" required />
          </label>
          <button type="submit" disabled={busy}>
            Search
          </button>
        </div>
        <div className="inline filters">
          <label>
            From
            <input value={filters.from} onChange={set('from')} placeholder="anyone" size={10} />
          </label>
          <label>
            In
            <select aria-label="In which room or conversation" value={filters.in} onChange={set('in')}>
              <option value="">everywhere</option>
              {rooms.rooms.map((r) => (
                <option key={r.name} value={`room:${r.name}`}>
                  #{r.name}
                </option>
              ))}
              {conversations.map((c) => (
                <option key={c.with} value={`im:${c.with}`}>
                  conversation with {c.with}
                </option>
              ))}
            </select>
          </label>
          <label>
            On or after
            <input type="date" value={filters.since} onChange={set('since')} />
          </label>
          <label>
            On or before
            <input type="date" value={filters.until} onChange={set('until')} />
          </label>
        </div>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {asked && !busy && hits.length === 0 && <p className="muted">No messages found.</p>}
      {hits.length > 0 && (
        <ol className="plain results" aria-label="Results">
          {hits.map((hit) => (
            <li key={`${hit.kind}:${hit.message.id}`}>
              <button
                type="button"
                className="row result"
                onClick={() => go(hit.kind === 'room' ? { view: 'rooms', person: hit.message.room } : { view: 'messages', person: hit.other })}
              >
                <span className="small muted">
                  {hit.kind === 'room' ? `#${hit.message.room}` : `with ${hit.other}`} · {hit.message.from} · {new Date(hit.message.at).toLocaleString()}
                </span>
                <span className="text">
                  {markWords(hit.message.text, asked?.query ?? '').map((piece, i) => (piece.match ? <mark key={i}>{piece.part}</mark> : <span key={i}>{piece.part}</span>))}
                </span>
              </button>
            </li>
          ))}
        </ol>
      )}
      {asked && more && (
        <button type="button" disabled={busy} onClick={() => void load(asked, cursor, hits)}>
          More results
        </button>
      )}
      {busy && <p role="status">Searching…</p>}
    </section>
  );
}
