import { emoji as emojiSchema, type Reaction } from '@pod/protocol';
import { useEffect, useRef, useState, type FormEvent } from 'react';

/** Each emoji's count; who reacted shows on hover and on keyboard focus. Pressing one adds or takes back mine. */
export function Reactions({ reactions, me, toggle, disabled }: { reactions: Reaction[]; me: string; toggle: (emoji: string, mine: boolean) => void; disabled: boolean }) {
  if (reactions.length === 0) return null;
  return (
    <div className="reactions" role="group" aria-label="Reactions">
      {reactions.map((r) => {
        const mine = r.users.includes(me);
        const who = r.users.join(', ');
        return (
          <button key={r.emoji} type="button" className="reaction" aria-pressed={mine} aria-disabled={disabled} aria-label={`${r.emoji} ${r.count}: ${who}`} onClick={() => !disabled && toggle(r.emoji, mine)}>
            <span aria-hidden="true">
              {r.emoji} {r.count}
            </span>
            <span className="who" role="tooltip" aria-hidden="true">
              {who}
            </span>
          </button>
        );
      })}
    </div>
  );
}

const QUICK = ['👍', '❤️', '😂', '😮', '😢', '🎉', '👀', '🙏', '🔥', '✅', '👎', '🤔'];

/** A few common emoji, and a field for any other (what the protocol takes as one emoji). Escape closes it. */
export function EmojiPicker({ pick, close }: { pick: (emoji: string) => void; close: () => void }) {
  const [other, setOther] = useState('');
  const [error, setError] = useState<string | undefined>();
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = emojiSchema.safeParse(other.trim());
    if (!parsed.success) {
      setError('Type or paste one emoji');
      return;
    }
    pick(parsed.data);
  };
  return (
    <div
      className="emoji-picker"
      role="group"
      aria-label="Pick a reaction"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          close();
        }
      }}
    >
      {QUICK.map((e, i) => (
        <button key={e} ref={i === 0 ? first : undefined} type="button" aria-label={`React ${e}`} onClick={() => pick(e)}>
          {e}
        </button>
      ))}
      <form onSubmit={submit} className="inline">
        <input aria-label="Any emoji" value={other} onChange={(event) => setOther(event.target.value)} size={6} placeholder="any 🙂" />
        <button type="submit">React</button>
        <button type="button" onClick={close}>
          Cancel
        </button>
        {error && (
          <span role="alert" className="error small">
            {error}
          </span>
        )}
      </form>
    </div>
  );
}
