import type { MyRoom, RoomHistory, RoomKind } from '@pod/protocol';
import type { PodClient } from '@pod/sdk';
import { useState } from 'react';
import { usePod } from '../lib/pod.tsx';

/** Topic, kind and what joiners see of the past, for admins and owners; how long messages are kept and the export, for owners. */
export function RoomSettings({ room, act }: { room: MyRoom; act: (action: () => Promise<unknown>) => Promise<void> }) {
  const { client } = usePod();
  const owner = room.role === 'owner';
  const [topic, setTopic] = useState(room.topic);
  const [kind, setKind] = useState<RoomKind>(room.kind);
  const [history, setHistory] = useState<RoomHistory>(room.history);
  const [keepAll, setKeepAll] = useState(room.retentionDays === null);
  const [days, setDays] = useState(room.retentionDays ?? 30);
  const retentionDays = keepAll ? null : days;
  return (
    <details className="menu room-settings">
      <summary>Room settings</summary>
      <form
        className="menu-body stack"
        onSubmit={(event) => {
          event.preventDefault();
          void act(() => client.request('rooms.update', { room: room.name, topic, kind, history, ...(owner && retentionDays !== room.retentionDays ? { retentionDays } : {}) }));
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
        <label>
          Newcomers see{' '}
          <select value={history} onChange={(e) => setHistory(e.target.value as RoomHistory)}>
            <option value="all">all of the history</option>
            <option value="joined">only what is said after they join</option>
          </select>
        </label>
        {owner && (
          <fieldset>
            <legend>Messages are kept</legend>
            <label className="inline-choice">
              <input type="radio" name={`retention-${room.name}`} aria-label="Keep messages forever" checked={keepAll} onChange={() => setKeepAll(true)} /> forever
            </label>
            <label className="inline-choice">
              <input type="radio" name={`retention-${room.name}`} aria-label="Keep messages for some days" checked={!keepAll} onChange={() => setKeepAll(false)} /> for{' '}
              <input type="number" aria-label="Days messages are kept" min={1} max={36500} value={days} disabled={keepAll} onChange={(e) => setDays(Math.max(1, Math.round(Number(e.target.value)) || 1))} /> days, then
              deleted
            </label>
          </fieldset>
        )}
        <button type="submit">Save settings</button>
        {owner && (
          <button type="button" onClick={() => void act(() => exportRoom(client, room.name))}>
            Export the history (JSON)
          </button>
        )}
      </form>
    </details>
  );
}

/** Downloads everything the room keeps as a JSON file, made in the page: the export never sits on the server as a file. */
async function exportRoom(client: PodClient, name: string): Promise<void> {
  const dump = await client.request('rooms.export', { room: name });
  const url = URL.createObjectURL(new Blob([JSON.stringify(dump, null, 2)], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `room-${name}-${dump.exportedAt.slice(0, 10)}.json`;
  link.click();
  // The download has taken the URL by the next task; keeping it would hold the whole dump in memory.
  setTimeout(() => URL.revokeObjectURL(url));
}
