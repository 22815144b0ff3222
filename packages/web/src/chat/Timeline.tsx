import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useLayoutEffect, useRef, type ReactNode } from 'react';
import type { ChatMessage } from './message.ts';
import { MessageItem, type MessageActions } from './MessageItem.tsx';

/**
 * A virtualised message history: it follows new messages while scrolled to the bottom (and
 * always after one of mine), and asks for older pages as it is scrolled near the top.
 */
export function Timeline<T extends ChatMessage>({
  messages,
  more,
  loadOlder,
  me,
  showSender,
  actions,
  meta,
}: {
  messages: T[];
  more: boolean;
  /** Fetches the page before the first message; answers how many were added at the top. */
  loadOlder: () => Promise<number>;
  me: string;
  showSender: boolean;
  actions: MessageActions;
  meta?: (message: T) => ReactNode;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const loading = useRef(false);
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 64,
    getItemKey: (index) => messages[index]!.id,
    overscan: 8,
  });

  const lastId = messages.at(-1)?.id;
  const lastMine = messages.at(-1)?.from === me;
  useLayoutEffect(() => {
    if (lastId && (stickToBottom.current || lastMine)) virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
  }, [lastId, lastMine, messages.length, virtualizer]);

  const older = useCallback(async () => {
    if (!more || loading.current || messages.length === 0) return;
    loading.current = true;
    try {
      const added = await loadOlder();
      stickToBottom.current = false;
      // Keep the message that was at the top in place.
      requestAnimationFrame(() => virtualizer.scrollToIndex(added, { align: 'start' }));
    } finally {
      loading.current = false;
    }
  }, [loadOlder, messages.length, more, virtualizer]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 200) void older().catch(() => {});
  };

  return (
    <div className="history" ref={scroller} onScroll={onScroll} role="log" aria-live="polite" tabIndex={0} aria-label="Messages">
      {more && <p className="muted small">Scroll up for older messages</p>}
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const m = messages[item.index]!;
          return (
            <div
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className={`bubble-row ${m.from === me ? 'mine' : 'theirs'}`}
              style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}
            >
              <MessageItem message={m} me={me} showSender={showSender} actions={actions} meta={meta?.(m)} />
            </div>
          );
        })}
      </div>
    </div>
  );
}
