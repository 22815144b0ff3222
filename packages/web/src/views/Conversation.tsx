import { applyHistoryEvent, type ImMessage } from '@pod/sdk';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Composer, TypingLine, type ComposerMode } from '../chat/Composer.tsx';
import { useAction } from '../chat/action.ts';
import { AttachButton, AttachingStatus, useAttachments } from '../chat/attach.tsx';
import { withChanged, withOlder, withSent } from '../chat/message.ts';
import type { MessageActions } from '../chat/MessageItem.tsx';
import { Timeline } from '../chat/Timeline.tsx';
import { useTypers } from '../chat/typing.ts';
import { usePod } from '../lib/pod.tsx';

const PAGE = 50;

/** One conversation: history paged backwards as you scroll up, live messages, receipts, replies, edits, reactions and typing. */
export function Conversation({ other, back }: { other: string; back: () => void }) {
  const { client, me, refreshConversations } = usePod();
  const [messages, setMessages] = useState<ImMessage[]>([]);
  const [more, setMore] = useState(false);
  const { error, setError, act } = useAction();
  const [mode, setMode] = useState<ComposerMode>({ kind: 'new' });
  const typers = useTypers();
  const { saw, stopped } = typers;

  useEffect(() => {
    let live = true;
    client.request('im.history', { with: other, limit: PAGE }).then(
      (page) => {
        if (!live) return;
        setMessages(page.messages.slice().sort((a, b) => a.order - b.order));
        setMore(page.more);
      },
      (failure: Error) => live && setError(failure.message),
    );
    const offs = [
      client.on('*', (event) => {
        if (event.type.startsWith('im.')) setMessages((list) => applyHistoryEvent(list, event, me, other));
        if (event.type === 'im.message' && event.body.from === other) stopped(other);
      }),
      client.on('im.typing', (event) => event.body.from === other && saw(other)),
    ];
    return () => {
      live = false;
      for (const off of offs) off();
    };
  }, [client, me, other, saw, stopped]);

  // Messages to me that I can see are read: tell the sender (and my other devices' counts).
  useEffect(() => {
    const markRead = () => {
      if (document.hidden) return;
      const ids = messages.filter((m) => m.from === other && m.readAt === null && !m.deletedAt).map((m) => m.id).slice(-500);
      if (ids.length === 0) return;
      client.request('im.receipt', { ids, kind: 'read' }).then(refreshConversations, () => {});
    };
    markRead();
    document.addEventListener('visibilitychange', markRead);
    return () => document.removeEventListener('visibilitychange', markRead);
  }, [client, messages, other, refreshConversations]);

  const loadOlder = useCallback(async () => {
    const page = await client.request('im.history', { with: other, before: messages[0]!.order, limit: PAGE });
    setMessages((list) => withOlder(list, page.messages));
    setMore(page.more);
    return page.messages.length;
  }, [client, messages, other]);

  const actions = useMemo<MessageActions>(
    () => ({
      reply: (to) => setMode({ kind: 'reply', to }),
      edit: (message) => setMode({ kind: 'edit', message }),
      remove: (message) => void act(() => client.request('im.delete', { id: message.id })),
      react: (message, emoji, remove) =>
        void act(async () => {
          const changed = await client.request('im.react', { id: message.id, emoji, remove });
          setMessages((list) => withChanged(list, changed));
        }),
      mayDelete: (message) => message.from === me,
      mayWrite: true,
    }),
    [act, client, me],
  );

  const send = async (text: string, replyTo: string | undefined) => {
    const sent = await client.request('im.send', { to: other, text, ...(replyTo ? { replyTo } : {}) });
    setMessages((list) => withSent(list, sent));
    refreshConversations();
  };
  const edit = async (id: string, text: string) => {
    const changed = await client.request('im.edit', { id, text });
    setMessages((list) => withChanged(list, changed));
  };

  const { attaching, dropping, attach, dropTarget } = useAttachments(async (text, ids) => {
    const sent = await client.request('im.send', { to: other, text, attachments: ids });
    setMessages((list) => withSent(list, sent));
    refreshConversations();
  }, setError);

  const lastMine = [...messages].reverse().find((m) => m.from === me && !m.deletedAt);
  return (
    <section
      className={`conversation ${dropping ? 'dropping' : ''}`}
      aria-label={`Conversation with ${other}`}
      data-testid="conversation-drop"
      {...dropTarget}
    >
      <h2>
        <button type="button" className="back" onClick={back} aria-label="Back to conversations">
          ←
        </button>{' '}
        {other}
      </h2>
      <Timeline messages={messages} more={more} loadOlder={loadOlder} me={me} showSender={false} actions={actions} meta={(m) => m.from === me && <Mark message={m} />} />
      <TypingLine names={typers.names} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <AttachingStatus attaching={attaching} />
      <Composer
        label={`Message to ${other}`}
        members={[other, me]}
        mode={mode}
        setMode={setMode}
        send={send}
        edit={edit}
        typing={() => void client.request('im.typing', { to: other }).catch(() => {})}
        lastMine={lastMine}
      >
        <AttachButton label={`Attach files for ${other}`} attach={attach} />
      </Composer>
    </section>
  );
}

function Mark({ message }: { message: ImMessage }) {
  if (message.readAt) return <span className="mark read" aria-label="read" title="read" data-mark="read">✓✓</span>;
  if (message.deliveredAt) return <span className="mark delivered" aria-label="delivered" title="delivered" data-mark="delivered">✓✓</span>;
  return <span className="mark sent" aria-label="sent" title="sent" data-mark="sent">✓</span>;
}
