import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { ChatMessage } from './message.ts';

/** How often "typing" is said while someone keeps typing; listeners forget it soon after (typing.ts). */
const TYPING_EVERY_MS = 3000;

export type ComposerMode = { kind: 'new' } | { kind: 'reply'; to: ChatMessage } | { kind: 'edit'; message: ChatMessage };

/**
 * The message field: Enter sends, Shift+Enter breaks the line, Escape drops a reply or an edit,
 * ArrowUp in an empty field edits my last message. Typing "@" offers the names in `members`.
 */
export function Composer({
  label,
  members,
  mode,
  setMode,
  send,
  edit,
  typing,
  lastMine,
  disabled,
  children,
}: {
  label: string;
  members: string[];
  mode: ComposerMode;
  setMode: (mode: ComposerMode) => void;
  send: (text: string, replyTo: string | undefined) => Promise<void>;
  edit: (id: string, text: string) => Promise<void>;
  typing: () => void;
  lastMine: ChatMessage | undefined;
  disabled?: string;
  children?: ReactNode;
}) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  const saidTyping = useRef(0);
  const id = useId();

  useEffect(() => {
    if (mode.kind === 'edit') setDraft(mode.message.text);
    if (mode.kind !== 'new') field.current?.focus();
  }, [mode]);

  const query = /(?:^|\s)@([a-z0-9_.-]*)$/i.exec(draft.slice(0, caret))?.[1]?.toLowerCase();
  const suggestions = query === undefined || dismissed ? [] : members.filter((name) => name.startsWith(query) && name !== query).slice(0, 8);
  const open = suggestions.length > 0;
  const chosen = Math.min(active, suggestions.length - 1);

  const complete = (name: string) => {
    const before = draft.slice(0, caret).replace(/@[a-z0-9_.-]*$/i, `@${name} `);
    const next = before + draft.slice(caret);
    // The field and its caret change now, in this key's handler: a caret moved on a later frame
    // would land after keys typed meanwhile, in the middle of the next word.
    const input = field.current;
    if (input) {
      input.value = next;
      input.setSelectionRange(before.length, before.length);
    }
    setDraft(next);
    setCaret(before.length);
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    const text = draft.trim();
    if (!text) return;
    setError(undefined);
    setDraft('');
    try {
      if (mode.kind === 'edit') await edit(mode.message.id, text);
      else await send(text, mode.kind === 'reply' ? mode.to.id : undefined);
      setMode({ kind: 'new' });
      saidTyping.current = 0;
    } catch (failure) {
      setDraft(text);
      setError((failure as Error).message);
    }
  };

  const onKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (open && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      event.preventDefault();
      setActive((chosen + (event.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
    } else if (open && (event.key === 'Enter' || event.key === 'Tab')) {
      event.preventDefault();
      complete(suggestions[chosen]!);
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      setDismissed(true);
    } else if (event.key === 'Escape' && mode.kind !== 'new') {
      event.preventDefault();
      if (mode.kind === 'edit') setDraft('');
      setMode({ kind: 'new' });
    } else if (event.key === 'ArrowUp' && draft === '' && lastMine) {
      event.preventDefault();
      setMode({ kind: 'edit', message: lastMine });
    } else if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void submit();
    }
  };

  const onChange = (text: string, at: number) => {
    setDraft(text);
    setCaret(at);
    setActive(0);
    setDismissed(false);
    if (text.trim() && mode.kind !== 'edit' && Date.now() - saidTyping.current > TYPING_EVERY_MS) {
      saidTyping.current = Date.now();
      typing();
    }
  };

  if (disabled) return <p className="muted composer-note">{disabled}</p>;
  return (
    <>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {mode.kind !== 'new' && (
        <p className="composing small" role="status">
          {mode.kind === 'reply' ? (
            <>
              Replying to <strong>{mode.to.from}</strong>: <span className="muted">{mode.to.text.slice(0, 120)}</span>
            </>
          ) : (
            'Editing your message'
          )}{' '}
          <button
            type="button"
            className="small"
            onClick={() => {
              if (mode.kind === 'edit') setDraft('');
              setMode({ kind: 'new' });
            }}
          >
            Cancel {mode.kind === 'reply' ? 'reply' : 'edit'}
          </button>
        </p>
      )}
      <form className="composer" onSubmit={(event) => void submit(event)}>
        <label className="visually-hidden" htmlFor={`${id}-field`}>
          {label}
        </label>
        <div className="composer-field">
          {open && (
            <ul className="mentions" role="listbox" id={`${id}-mentions`} aria-label="People to mention">
              {suggestions.map((name, i) => (
                <li
                  key={name}
                  id={`${id}-mention-${i}`}
                  role="option"
                  aria-selected={i === chosen}
                  onMouseDown={(event) => {
                    event.preventDefault();
                    complete(name);
                  }}
                >
                  @{name}
                </li>
              ))}
            </ul>
          )}
          <textarea
            id={`${id}-field`}
            ref={field}
            role="combobox"
            aria-autocomplete="list"
            aria-expanded={open}
            aria-controls={open ? `${id}-mentions` : undefined}
            aria-activedescendant={open ? `${id}-mention-${chosen}` : undefined}
            value={draft}
            onChange={(event) => onChange(event.target.value, event.target.selectionStart)}
            onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
            onKeyDown={onKey}
            rows={2}
            placeholder="Write a message — Enter sends, Shift+Enter for a new line, @ to mention"
          />
        </div>
        {children}
        <button type="submit">{mode.kind === 'edit' ? 'Save' : 'Send'}</button>
      </form>
    </>
  );
}

/** Who is typing, from events, each forgotten a few seconds after their last one or when their message arrives. */
export function TypingLine({ names }: { names: string[] }) {
  return (
    <p className="typing small muted" aria-live="polite">
      {names.length === 0 ? '\u00a0' : names.length === 1 ? `${names[0]} is typing…` : `${names.slice(0, 3).join(', ')} are typing…`}
    </p>
  );
}
