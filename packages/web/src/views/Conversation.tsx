import { applyHistoryEvent, type ImMessage } from '@pod/sdk';
import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import { Composer, TypingLine, type ComposerMode } from '../chat/Composer.tsx';
import { useAction } from '../chat/action.ts';
import { withChanged, withOlder, withSent } from '../chat/message.ts';
import type { MessageActions } from '../chat/MessageItem.tsx';
import { Timeline } from '../chat/Timeline.tsx';
import { useTypers } from '../chat/typing.ts';
import { FILE_DRAG_TYPE, readDraggedFile } from '../files/format.ts';
import { uploadAsNew } from '../files/uploads.ts';
import { usePod } from '../lib/pod.tsx';

/** Files dropped into a conversation are kept here in my files; the message carries them. */
const ATTACHMENTS_FOLDER = '/Attachments';

const PAGE = 50;

/** One conversation: history paged backwards as you scroll up, live messages, receipts, replies, edits, reactions and typing. */
export function Conversation({ other, back }: { other: string; back: () => void }) {
  const { client, me, csrf, refreshConversations } = usePod();
  const [attaching, setAttaching] = useState<string | undefined>();
  const [dropping, setDropping] = useState(false);
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

  /** Uploads what was dropped or picked (or takes a file dragged from my files) and sends it as a message. */
  const attach = async (files: File[], dragged: { id: number; name: string } | undefined) => {
    if (files.length === 0 && !dragged) return;
    setError(undefined);
    try {
      setAttaching([...files.map((f) => f.name), ...(dragged ? [dragged.name] : [])].join(', '));
      const ids = dragged ? [dragged.id] : [];
      for (const file of files.slice(0, 10)) ids.push((await uploadAsNew(client, csrf, file, ATTACHMENTS_FOLDER)).id);
      const text = files.length + (dragged ? 1 : 0) === 1 ? (dragged?.name ?? files[0]!.name) : `${ids.length} files`;
      const sent = await client.request('im.send', { to: other, text, attachments: ids });
      setMessages((list) => withSent(list, sent));
      refreshConversations();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setAttaching(undefined);
    }
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDropping(false);
    void attach(Array.from(event.dataTransfer.files), readDraggedFile(event.dataTransfer));
  };

  const lastMine = [...messages].reverse().find((m) => m.from === me && !m.deletedAt);
  return (
    <section
      className={`conversation ${dropping ? 'dropping' : ''}`}
      aria-label={`Conversation with ${other}`}
      data-testid="conversation-drop"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files') || e.dataTransfer.types.includes(FILE_DRAG_TYPE)) {
          e.preventDefault();
          setDropping(true);
        }
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={onDrop}
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
      {attaching && (
        <p role="status" className="muted small">
          Attaching {attaching}…
        </p>
      )}
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
        <label className="button-like" title="Attach files (or drop them here)">
          Attach
          <input
            type="file"
            multiple
            className="visually-hidden"
            aria-label={`Attach files for ${other}`}
            onChange={(e) => {
              const files = Array.from(e.target.files ?? []);
              e.target.value = '';
              void attach(files, undefined);
            }}
          />
        </label>
      </Composer>
    </section>
  );
}

function Mark({ message }: { message: ImMessage }) {
  if (message.readAt) return <span className="mark read" aria-label="read" title="read" data-mark="read">✓✓</span>;
  if (message.deliveredAt) return <span className="mark delivered" aria-label="delivered" title="delivered" data-mark="delivered">✓✓</span>;
  return <span className="mark sent" aria-label="sent" title="sent" data-mark="sent">✓</span>;
}
