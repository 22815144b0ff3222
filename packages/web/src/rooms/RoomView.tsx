import { applyRoomHistoryEvent, applyRoomMembersEvent, type RoomMessage } from '@pod/sdk';
import type { MemberChange, RoomBan, RoomMemberWithPresence } from '@pod/protocol';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Composer, TypingLine, type ComposerMode } from '../chat/Composer.tsx';
import { useAction } from '../chat/action.ts';
import { AttachButton, AttachingStatus, useAttachments } from '../chat/attach.tsx';
import { withChanged, withOlder, withSent } from '../chat/message.ts';
import type { MessageActions } from '../chat/MessageItem.tsx';
import { Timeline } from '../chat/Timeline.tsx';
import { useTypers } from '../chat/typing.ts';
import { usePod } from '../lib/pod.tsx';
import { MemberList } from './MemberList.tsx';
import { atLeast } from './roles.ts';
import { RoomSettings } from './RoomSettings.tsx';

const PAGE = 50;

interface Removal {
  change: MemberChange;
  by: string | null;
  reason: string;
}

/** A room: its history paged as it scrolls, live messages, who is typing, the member list and what my role may do. */
export default function RoomView({ name, back, leave }: { name: string; back: () => void; leave: () => void }) {
  const { client, me, rooms } = usePod();
  const mine = rooms.rooms.find((r) => r.name === name);
  const [messages, setMessages] = useState<RoomMessage[]>([]);
  const [more, setMore] = useState(false);
  const [members, setMembers] = useState<RoomMemberWithPresence[]>([]);
  const [banned, setBanned] = useState<RoomBan[] | undefined>();
  const { error, setError, act } = useAction();
  const [removed, setRemoved] = useState<Removal | undefined>();
  const [mode, setMode] = useState<ComposerMode>({ kind: 'new' });
  const typers = useTypers();
  const { saw, stopped } = typers;
  const joined = mine !== undefined;

  const loadMembers = useCallback(
    () =>
      client.request('rooms.members', { room: name }).then((answer) => {
        setMembers(answer.members);
        setBanned(answer.banned);
      }),
    [client, name],
  );

  useEffect(() => {
    if (!joined) return;
    let live = true;
    setRemoved(undefined);
    Promise.all([client.request('rooms.history', { room: name, limit: PAGE }), loadMembers()]).then(
      ([page]) => {
        if (!live) return;
        setMessages(page.messages.slice().sort((a, b) => a.order - b.order));
        setMore(page.more);
      },
      (failure: Error) => live && setError(failure.message),
    );
    const offs = [
      client.on('*', (event) => {
        if (!event.type.startsWith('room.')) return;
        setMessages((list) => applyRoomHistoryEvent(list, event, name));
        if (event.type === 'room.message' && event.body.room === name) stopped(event.body.from);
        if (event.type === 'room.member' && event.body.room === name) {
          const { name: who, member, change, by, reason } = event.body;
          if (who === me && !member) {
            setRemoved({ change, by, reason });
            return;
          }
          setMembers((list) => applyRoomMembersEvent(list, event, name).map((m) => ({ ...m, presence: list.find((x) => x.name === m.name)?.presence ?? 'online' })));
          if (change === 'banned' || change === 'unbanned') void loadMembers().catch(() => {});
        }
      }),
      client.on('room.typing', (event) => event.body.room === name && event.body.name !== me && saw(event.body.name)),
      // Presence of everyone I share a room with arrives live, but never replayed: a reconnect fetches it afresh.
      client.on('room.presence', ({ body }) => setMembers((list) => list.map((m) => (m.name === body.name ? { ...m, presence: body.status } : m)))),
      client.onState((state) => state === 'live' && void loadMembers().catch(() => {})),
    ];
    return () => {
      live = false;
      for (const off of offs) off();
    };
  }, [client, joined, loadMembers, me, name, saw, stopped]);

  // What I can see is read: move my marker (every device of mine gets the new count).
  const lastOrder = messages.at(-1)?.order ?? 0;
  const readOrder = mine?.readOrder ?? 0;
  useEffect(() => {
    const markRead = () => {
      if (document.hidden || !joined || lastOrder <= readOrder) return;
      client.request('rooms.read', { room: name, order: lastOrder }).catch(() => {});
    };
    markRead();
    document.addEventListener('visibilitychange', markRead);
    return () => document.removeEventListener('visibilitychange', markRead);
  }, [client, joined, lastOrder, name, readOrder]);

  const loadOlder = useCallback(async () => {
    const page = await client.request('rooms.history', { room: name, before: messages[0]!.order, limit: PAGE });
    setMessages((list) => withOlder(list, page.messages));
    setMore(page.more);
    return page.messages.length;
  }, [client, messages, name]);

  const role = removed ? undefined : mine?.role;
  const mayWrite = joined && !removed && !mine.muted;
  const actions = useMemo<MessageActions>(
    () => ({
      reply: (to) => setMode({ kind: 'reply', to }),
      edit: (message) => setMode({ kind: 'edit', message }),
      remove: (message) => void act(() => client.request('rooms.delete', { id: message.id })),
      react: (message, emoji, remove) =>
        void act(async () => {
          const changed = await client.request('rooms.react', { id: message.id, emoji, remove });
          setMessages((list) => withChanged(list, changed));
        }),
      mayDelete: (message) => Boolean(role) && (message.from === me || atLeast(role, 'moderator')),
      mayWrite,
      ...(atLeast(role, 'moderator') ? { earlierTexts: async (message) => (await client.request('rooms.edits', { id: message.id })).edits } : {}),
    }),
    [act, client, me, mayWrite, role],
  );

  const send = async (text: string, replyTo: string | undefined) => {
    const sent = await client.request('rooms.send', { room: name, text, ...(replyTo ? { replyTo } : {}) });
    setMessages((list) => withSent(list, sent));
  };
  const edit = async (id: string, text: string) => {
    const changed = await client.request('rooms.edit', { id, text });
    setMessages((list) => withChanged(list, changed));
  };
  // Every member may read what is attached here, for as long as they are a member.
  const { attaching, dropping, attach, dropTarget } = useAttachments(async (text, ids) => {
    const sent = await client.request('rooms.send', { room: name, text, attachments: ids });
    setMessages((list) => withSent(list, sent));
  }, setError);

  const header = (
    <h2>
      <button type="button" className="back" onClick={back} aria-label="Back to conversations">
        ←
      </button>{' '}
      #{name}
    </h2>
  );
  if (!joined && !removed) {
    return (
      <section className="conversation" aria-label={`Room #${name}`}>
        {header}
        <p className="muted">You are not in #{name}.</p>
        <p>
          <button type="button" onClick={leave}>
            Find rooms in the directory
          </button>
        </p>
      </section>
    );
  }

  const lastMine = [...messages].reverse().find((m) => m.from === me && !m.deletedAt);
  return (
    <section className={`conversation room ${dropping ? 'dropping' : ''}`} aria-label={`Room #${name}`} {...(mayWrite ? dropTarget : {})}>
      <header className="room-head">
        {header}
        {mine && (
          <p className="topic small">
            <span className="muted">
              {mine.kind} · {mine.members === 1 ? '1 member' : `${mine.members} members`} · you are {mine.role}
              {mine.muted ? ', muted' : ''}
              {mine.history === 'joined' ? ' · newcomers see only what follows their joining' : ''}
              {mine.retentionDays !== null ? ` · messages kept ${mine.retentionDays} day${mine.retentionDays === 1 ? '' : 's'}` : ''}
            </span>
            {mine.topic && <> — {mine.topic}</>}
          </p>
        )}
        <div className="inline room-actions">
          {mine && atLeast(mine.role, 'admin') && <RoomSettings key={`${mine.topic}/${mine.kind}/${mine.history}/${mine.retentionDays}`} room={mine} act={act} />}
          {mine && (
            <button
              type="button"
              onClick={() =>
                void act(async () => {
                  await client.request('rooms.leave', { room: name });
                  leave();
                })
              }
            >
              Leave room
            </button>
          )}
        </div>
      </header>
      {removed && (
        <p role="alert" className="error removed">
          You were {removed.change === 'banned' ? 'banned' : removed.change === 'kicked' ? 'removed' : 'no longer in the room'}
          {removed.by && removed.change !== 'left' ? ` by ${removed.by}` : ''}
          {removed.reason ? `: ${removed.reason}` : ''}. You no longer get this room's messages.
        </p>
      )}
      <div className="room-body">
        <div className="room-main">
          <Timeline messages={messages} more={more} loadOlder={loadOlder} me={me} showSender actions={actions} />
          <TypingLine names={typers.names} />
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <AttachingStatus attaching={attaching} />
          <Composer
            label={`Message to #${name}`}
            members={[...members.map((m) => m.name).filter((n) => n !== me), ...(atLeast(role, 'moderator') ? ['room'] : [])]}
            mode={mode}
            setMode={setMode}
            send={send}
            edit={edit}
            typing={() => void client.request('rooms.typing', { room: name }).catch(() => {})}
            lastMine={lastMine}
            disabled={removed ? 'You are no longer in this room.' : mine?.muted ? 'A moderator muted you here: you can read but not write.' : undefined}
          >
            {mayWrite && <AttachButton label={`Attach files for #${name}`} attach={attach} />}
          </Composer>
        </div>
        {!removed && mine && <MemberList room={name} members={members} banned={banned} myRole={mine.role} kind={mine.kind} act={act} />}
      </div>
    </section>
  );
}
