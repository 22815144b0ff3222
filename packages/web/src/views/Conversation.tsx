import { applyHistoryEvent, type ImMessage } from '@pod/sdk';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { downloadUrl, FILE_DRAG_TYPE, formatSize, readDraggedFile } from '../files/format.ts';
import { uploadAsNew } from '../files/uploads.ts';
import { usePod } from '../lib/pod.tsx';

/** Files dropped into a conversation are kept here in my files; the message carries them. */
const ATTACHMENTS_FOLDER = '/Attachments';

const PAGE = 50;

/** One conversation: history paged backwards as you scroll up, live messages, and receipts. */
export function Conversation({ other, back }: { other: string; back: () => void }) {
  const { client, me, csrf, refreshConversations } = usePod();
  const [attaching, setAttaching] = useState<string | undefined>();
  const [dropping, setDropping] = useState(false);
  const [messages, setMessages] = useState<ImMessage[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [draft, setDraft] = useState('');
  const loadingOlder = useRef(false);
  const stickToBottom = useRef(true);
  const scroller = useRef<HTMLDivElement>(null);

  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 56,
    getItemKey: (index) => messages[index]!.id,
    overscan: 8,
  });

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
    const off = client.on('*', (event) => {
      if (event.type === 'im.message' || event.type === 'im.receipt') setMessages((list) => applyHistoryEvent(list, event, me, other));
    });
    return () => {
      live = false;
      off();
    };
  }, [client, me, other]);

  // Messages to me that I can see are read: tell the sender (and my other devices' counts).
  useEffect(() => {
    const markRead = () => {
      if (document.hidden) return;
      const ids = messages.filter((m) => m.from === other && m.readAt === null).map((m) => m.id).slice(-500);
      if (ids.length === 0) return;
      client.request('im.receipt', { ids, kind: 'read' }).then(refreshConversations, () => {});
    };
    markRead();
    document.addEventListener('visibilitychange', markRead);
    return () => document.removeEventListener('visibilitychange', markRead);
  }, [client, messages, other, refreshConversations]);

  useLayoutEffect(() => {
    if (stickToBottom.current && messages.length > 0) virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
  }, [messages.length, virtualizer]);

  const loadOlder = useCallback(async () => {
    if (!more || loadingOlder.current || messages.length === 0) return;
    loadingOlder.current = true;
    try {
      const page = await client.request('im.history', { with: other, before: messages[0]!.order, limit: PAGE });
      const older = page.messages.slice().sort((a, b) => a.order - b.order);
      stickToBottom.current = false;
      setMessages((list) => [...older.filter((m) => !list.some((x) => x.id === m.id)), ...list]);
      setMore(page.more);
      // Keep the message that was at the top in place.
      requestAnimationFrame(() => virtualizer.scrollToIndex(older.length, { align: 'start' }));
    } finally {
      loadingOlder.current = false;
    }
  }, [client, messages, more, other, virtualizer]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 200) void loadOlder();
  };

  const send = async () => {
    const text = draft.trim();
    if (!text) return;
    setDraft('');
    setError(undefined);
    stickToBottom.current = true;
    try {
      const sent = await client.request('im.send', { to: other, text });
      setMessages((list) => (list.some((m) => m.id === sent.id) ? list : [...list, sent].sort((a, b) => a.order - b.order)));
      refreshConversations();
    } catch (failure) {
      setDraft(text);
      setError((failure as Error).message);
    }
  };
  /** Uploads what was dropped or picked (or takes a file dragged from my files) and sends it as a message. */
  const attach = async (files: File[], dragged: { id: number; name: string } | undefined) => {
    if (files.length === 0 && !dragged) return;
    setError(undefined);
    stickToBottom.current = true;
    try {
      setAttaching([...files.map((f) => f.name), ...(dragged ? [dragged.name] : [])].join(', '));
      const ids = dragged ? [dragged.id] : [];
      for (const file of files.slice(0, 10)) ids.push((await uploadAsNew(client, csrf, file, ATTACHMENTS_FOLDER)).id);
      const text = draft.trim() || (files.length + (dragged ? 1 : 0) === 1 ? (dragged?.name ?? files[0]!.name) : `${ids.length} files`);
      setDraft('');
      const sent = await client.request('im.send', { to: other, text, attachments: ids });
      setMessages((list) => (list.some((m) => m.id === sent.id) ? list : [...list, sent].sort((a, b) => a.order - b.order)));
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

  const onKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

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
      <div className="history" ref={scroller} onScroll={onScroll} role="log" aria-live="polite" tabIndex={0} aria-label="Messages">
        {more && <p className="muted small">Scroll up for older messages</p>}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const m = messages[item.index]!;
            const mine = m.from === me;
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className={`bubble-row ${mine ? 'mine' : 'theirs'}`}
                style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}
              >
                <div className="bubble" data-testid="message">
                  <span className="text">{m.text}</span>
                  {m.attachments?.map((a) => (
                    <a key={a.id} className="attachment" href={downloadUrl(a.id)} download={a.name} aria-label={`Download ${a.name}, ${formatSize(a.size)}`}>
                      ↓ {a.name} <span className="small">({formatSize(a.size)})</span>
                    </a>
                  ))}
                  <span className="meta small">
                    {new Date(m.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
                    {mine && <Mark message={m} />}
                  </span>
                </div>
              </div>
            );
          })}
        </div>
      </div>
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
      <form
        className="composer"
        onSubmit={(event) => {
          event.preventDefault();
          void send();
        }}
      >
        <label className="visually-hidden" htmlFor="composer">
          Message to {other}
        </label>
        <textarea id="composer" value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={onKey} rows={2} placeholder="Write a message — Enter sends, Shift+Enter for a new line" />
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
        <button type="submit">Send</button>
      </form>
    </section>
  );
}

function Mark({ message }: { message: ImMessage }) {
  if (message.readAt) return <span className="mark read" aria-label="read" title="read" data-mark="read">✓✓</span>;
  if (message.deliveredAt) return <span className="mark delivered" aria-label="delivered" title="delivered" data-mark="delivered">✓✓</span>;
  return <span className="mark sent" aria-label="sent" title="sent" data-mark="sent">✓</span>;
}
