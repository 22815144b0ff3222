import type { MyRoom, RoomKind } from '@pod/protocol';
import { useState } from 'react';
import { usePod } from '../lib/pod.tsx';

/** Topic and kind, for admins and owners. */
export function RoomSettings({ room, act }: { room: MyRoom; act: (action: () => Promise<unknown>) => Promise<void> }) {
  const { client } = usePod();
  const [topic, setTopic] = useState(room.topic);
  const [kind, setKind] = useState<RoomKind>(room.kind);
  return (
    <details className="menu room-settings">
      <summary>Room settings</summary>
      <form
        className="menu-body stack"
        onSubmit={(event) => {
          event.preventDefault();
          void act(() => client.request('rooms.update', { room: room.name, topic, kind }));
        }}
      >
        <label>
          Topic
          <input value={topic} onChange={(e) => setTopic(e.target.value)} maxLength={500} />
        </label>
        <label>
          Kind{' '}
          <select value={kind} onChange={(e) => setKind(e.target.value as RoomKind)}>
            <option value="public">public: in the directory, anyone may join</option>
            <option value="private">private: by invitation only</option>
          </select>
        </label>
        <button type="submit">Save settings</button>
      </form>
    </details>
  );
}
