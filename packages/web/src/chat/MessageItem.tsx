import { useState, type ReactNode } from 'react';
import { downloadUrl, formatSize } from '../files/format.ts';
import { mentionParts, type ChatMessage } from './message.ts';
import { EarlierTexts, type EarlierText } from './EarlierTexts.tsx';
import { EmojiPicker, Reactions } from './Reactions.tsx';

export interface MessageActions {
  reply(message: ChatMessage): void;
  edit(message: ChatMessage): void;
  remove(message: ChatMessage): void;
  react(message: ChatMessage, emoji: string, remove: boolean): void;
  /** Whether I may delete this one: my own, or anyone's as a room moderator. */
  mayDelete(message: ChatMessage): boolean;
  /** False while I may only read (muted, or out of the room). */
  mayWrite: boolean;
  /** An edited message's earlier texts, where I may see them (a room I moderate). */
  earlierTexts?(message: ChatMessage): Promise<EarlierText[]>;
}

/** One message: the quote it answers, its text with mentions marked, reactions, and what I may do with it. */
export function MessageItem({ message: m, me, showSender, actions, meta }: { message: ChatMessage; me: string; showSender: boolean; actions: MessageActions; meta?: ReactNode }) {
  const [picking, setPicking] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const mine = m.from === me;
  const deleted = Boolean(m.deletedAt);
  const time = new Date(m.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (
    <div className={`bubble ${deleted ? 'deleted' : ''}`} data-testid="message" data-id={m.id}>
      {showSender && !mine && <span className="sender small">{m.from}</span>}
      {m.replyTo && (
        <blockquote className="quote small" aria-label={`In reply to ${m.replyTo.from}`}>
          <span className="sender">{m.replyTo.from}</span> {m.replyTo.deleted ? <em>deleted message</em> : m.replyTo.text.slice(0, 200)}
        </blockquote>
      )}
      {deleted ? (
        <em className="text muted-text">This message was deleted</em>
      ) : (
        <span className="text">
          {mentionParts(m.text).map((part, i) =>
            part.mention ? (
              <mark key={i} className={part.mention === me || part.mention === 'room' ? 'mention me' : 'mention'}>
                {part.text}
              </mark>
            ) : (
              part.text
            ),
          )}
        </span>
      )}
      {!deleted && m.attachments?.map((a) => (
        <a key={a.id} className="attachment" href={downloadUrl(a.id)} download={a.name} aria-label={`Download ${a.name}, ${formatSize(a.size)}`}>
          ↓ {a.name} <span className="small">({formatSize(a.size)})</span>
        </a>
      ))}
      <span className="meta small">
        {m.editedAt && !deleted && (
          <span className="edited" title={`edited ${new Date(m.editedAt).toLocaleString()}`}>
            edited ·{' '}
          </span>
        )}
        {time}
        {meta}
      </span>
      {m.editedAt && !deleted && actions.earlierTexts && <EarlierTexts load={() => actions.earlierTexts!(m)} preview={m.text} />}
      {!deleted && <Reactions reactions={m.reactions ?? []} me={me} toggle={(emoji, remove) => actions.react(m, emoji, remove)} disabled={!actions.mayWrite} />}
      {!deleted && (
        <div className="message-actions">
          {actions.mayWrite && (
            <>
              <button type="button" className="small" aria-label={`Reply to ${m.from}: ${m.text.slice(0, 40)}`} onClick={() => actions.reply(m)}>
                Reply
              </button>
              <button type="button" className="small" aria-label={`React to ${m.from}: ${m.text.slice(0, 40)}`} aria-expanded={picking} onClick={() => setPicking((p) => !p)}>
                React
              </button>
              {mine && (
                <button type="button" className="small" aria-label={`Edit: ${m.text.slice(0, 40)}`} onClick={() => actions.edit(m)}>
                  Edit
                </button>
              )}
            </>
          )}
          {actions.mayDelete(m) &&
            (confirming ? (
              <>
                <button type="button" className="small danger" autoFocus onClick={() => actions.remove(m)}>
                  Delete for everyone
                </button>
                <button type="button" className="small" onClick={() => setConfirming(false)}>
                  Keep
                </button>
              </>
            ) : (
              <button type="button" className="small" aria-label={`Delete: ${m.text.slice(0, 40)}`} onClick={() => setConfirming(true)}>
                Delete
              </button>
            ))}
        </div>
      )}
      {picking && (
        <EmojiPicker
          close={() => setPicking(false)}
          pick={(emoji) => {
            setPicking(false);
            actions.react(m, emoji, false);
          }}
        />
      )}
    </div>
  );
}
