import type { RoomKind } from '@pod/protocol';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { usePod } from '../lib/pod.tsx';

/** A new room: its name, topic, and whether anyone may find and join it. `close` gets the name of the room made, if one was. */
export default function CreateRoomDialog({ close }: { close: (made?: string) => void }) {
  const { client } = usePod();
  const dialog = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState('');
  const [topic, setTopic] = useState('');
  const [kind, setKind] = useState<RoomKind>('public');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => dialog.current?.showModal(), []);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const room = await client.request('rooms.create', { name, topic, kind });
      close(room.name);
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} className="share-dialog" aria-label="New room" onClose={() => close()}>
      <h2>New room</h2>
      <form className="stack" onSubmit={(event) => void create(event)}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={65} placeholder="general" autoFocus />
        </label>
        <label>
          Topic
          <input value={topic} onChange={(e) => setTopic(e.target.value)} maxLength={500} />
        </label>
        <fieldset>
          <legend>Who may join</legend>
          <label>
            <input type="radio" name="kind" checked={kind === 'public'} onChange={() => setKind('public')} /> Public: listed in the directory, anyone may join
          </label>
          <label>
            <input type="radio" name="kind" checked={kind === 'private'} onChange={() => setKind('private')} /> Private: by invitation only
          </label>
        </fieldset>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="inline">
          <button type="submit" disabled={busy}>
            Create room
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
