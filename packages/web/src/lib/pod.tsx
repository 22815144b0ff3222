import { applyBuddyEvent, applyMyRoomsEvent, PodClient, type BuddyList, type ConnectionState, type ImMessage, type MyRooms, type PresenceEntry } from '@pod/sdk';
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { WebSession } from './web-session.ts';

export interface Conversation {
  with: string;
  last: ImMessage;
  unread: number;
}

export interface PodState {
  client: PodClient;
  me: string;
  /** Sent as X-CSRF-Token with the HTTP requests that change state (file chunks). */
  csrf: string;
  connection: ConnectionState;
  buddies: BuddyList;
  presence: Map<string, PresenceEntry>;
  conversations: Conversation[];
  refreshConversations(): void;
  /** The rooms I am in, with unread counts, and my pending invitations: kept live by room events. */
  rooms: MyRooms;
}

const PodContext = createContext<PodState | undefined>(undefined);

export function usePod(): PodState {
  const state = useContext(PodContext);
  if (!state) throw new Error('usePod outside PodProvider');
  return state;
}

/**
 * One socket for the whole application, authenticated by the session cookie (no token in
 * page memory). Holds what several views show: the buddy list, presence and conversations.
 */
export function PodProvider({ session, children }: { session: WebSession; children: ReactNode }) {
  // Made in the effect, so StrictMode's second run gets a fresh client instead of a closed one.
  const [client, setClient] = useState<PodClient | undefined>();
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [buddies, setBuddies] = useState<BuddyList>({ buddies: [], groups: [], blocked: [] });
  const [presence, setPresence] = useState(new Map<string, PresenceEntry>());
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [refreshConversations, setRefreshConversations] = useState<() => void>(() => () => {});
  const [rooms, setRooms] = useState<MyRooms>({ rooms: [], invitations: [] });

  useEffect(() => {
    const client = new PodClient({ url: window.location.origin, deliveryReceipts: true });
    setClient(client);
    let live = false;
    // A replay of thousands of messages asks for the conversations twice, not once per message.
    const refreshConversations = coalesced(() => client.request('im.conversations', {}).then((answer) => setConversations(answer.conversations)));
    setRefreshConversations(() => refreshConversations);
    const load = async () => {
      const [list, present, mine] = await Promise.all([client.request('buddies.list', {}), client.request('presence.list', {}), client.request('rooms.list', {})]);
      setBuddies(list);
      setRooms(mine);
      setPresence(new Map(present.presence.map((p) => [p.name, p])));
      refreshConversations();
    };
    const offs = [
      client.onState((state) => {
        live = state === 'live';
        setConnection(state);
        if (state === 'live') void load().catch(() => {});
      }),
      client.on('*', (event) => {
        if (event.type.startsWith('buddy.')) setBuddies((list) => applyBuddyEvent(list, event));
        if (event.type.startsWith('room.')) setRooms((list) => applyMyRoomsEvent(list, event, session.user));
      }),
      client.on('room.mention', (event) => {
        if (live) notify(`${event.body.from} in #${event.body.room}`, event.body.from, event.body.text, session.user, `/rooms/${encodeURIComponent(event.body.room)}`);
      }),
      client.on('presence', (event) => setPresence((map) => new Map(map).set(event.body.name, event.body))),
      client.on('im.message', (event) => {
        refreshConversations();
        // Not for what a reconnect replays: those wait as unread, not as a burst of notifications.
        if (live) notify(`Message from ${event.body.from}`, event.body.from, event.body.text, session.user, `/messages/${encodeURIComponent(event.body.from)}`);
      }),
      client.on('im.receipt', () => refreshConversations()),
    ];
    client.connect().catch(() => {});
    return () => {
      for (const off of offs) off();
      client.close();
    };
  }, [session.session, session.user]);

  const value = useMemo<PodState | undefined>(
    () => (client ? { client, me: session.user, csrf: session.csrf, connection, buddies, presence, conversations, refreshConversations, rooms } : undefined),
    [client, session.user, session.csrf, connection, buddies, presence, conversations, refreshConversations, rooms],
  );
  if (!value) return null;
  return <PodContext.Provider value={value}>{children}</PodContext.Provider>;
}

/** Runs `task` now, or, if it is running, once more after it: a burst of calls costs at most two runs. */
function coalesced(task: () => Promise<unknown>): () => void {
  let running = false;
  let again = false;
  const run = () => {
    running = true;
    again = false;
    task()
      .catch(() => {})
      .finally(() => {
        running = false;
        if (again) run();
      });
  };
  return () => {
    if (running) again = true;
    else run();
  };
}

/**
 * A desktop notification for a live message (or a mention in a room) from someone else while
 * this page is hidden or another window has the focus. Clicking it brings `place` (the
 * conversation or the room) up.
 */
function notify(title: string, from: string, text: string, me: string, place: string): void {
  if (from === me || (!document.hidden && document.hasFocus())) return;
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  // The text goes in as text: notifications never render HTML.
  const shown = new Notification(title, { body: text.slice(0, 200), tag: `pod-${place}` });
  shown.onclick = () => {
    window.focus();
    window.history.pushState(null, '', place);
    window.dispatchEvent(new PopStateEvent('popstate'));
    shown.close();
  };
}
