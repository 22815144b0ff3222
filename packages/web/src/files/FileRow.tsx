import type { FileEntry } from '@pod/sdk';
import { useState, type FormEvent } from 'react';
import { usePod } from '../lib/pod.tsx';
import { downloadUrl, FILE_DRAG_TYPE, formatSize, formatTime } from './format.ts';

type Editing = 'rename' | 'move' | undefined;

/** One item of a folder: open or download it, rename, move, delete, share; drag it onto a buddy or a conversation. */
export function FileRow({
  entry,
  path,
  canShare,
  open,
  run,
  share,
}: {
  entry: FileEntry;
  path: string;
  canShare: boolean;
  open: (place: string) => void;
  run: (action: () => Promise<unknown>) => Promise<void>;
  share: () => void;
}) {
  const { client } = usePod();
  const [editing, setEditing] = useState<Editing>();
  const [value, setValue] = useState('');
  const folder = entry.kind === 'folder';

  const begin = (mode: Editing) => {
    setEditing(mode);
    setValue(mode === 'rename' ? entry.name : path.slice(0, path.length - entry.name.length - 1) || '/');
  };
  const save = (event: FormEvent) => {
    event.preventDefault();
    const text = value.trim();
    setEditing(undefined);
    if (!text) return;
    if (editing === 'rename' && text !== entry.name) void run(() => client.request('files.rename', { target: entry.id, name: text }));
    if (editing === 'move') void run(() => client.request('files.move', { target: entry.id, to: text }));
  };

  return (
    <div
      className="file-row"
      data-file={entry.name}
      draggable={!folder && canShare}
      onDragStart={(e) => {
        e.dataTransfer.setData(FILE_DRAG_TYPE, JSON.stringify({ id: entry.id, name: entry.name }));
        e.dataTransfer.effectAllowed = 'copy';
      }}
    >
      <span aria-hidden="true" className="icon">
        {folder ? '▣' : '▤'}
      </span>
      {editing ? (
        <form className="inline edit" onSubmit={save}>
          <label className="visually-hidden" htmlFor={`edit-${entry.id}`}>
            {editing === 'rename' ? `New name for ${entry.name}` : `Move ${entry.name} to folder`}
          </label>
          <input id={`edit-${entry.id}`} autoFocus value={value} onChange={(e) => setValue(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && setEditing(undefined)} />
          <button type="submit">{editing === 'rename' ? 'Rename' : 'Move'}</button>
          <button type="button" onClick={() => setEditing(undefined)}>
            Cancel
          </button>
        </form>
      ) : folder ? (
        <button type="button" className="link name" onClick={() => open(path)}>
          {entry.name}
        </button>
      ) : (
        <a className="name" href={downloadUrl(entry.id)} download={entry.name} aria-label={`Download ${entry.name}`}>
          {entry.name}
        </a>
      )}
      <span className="muted small size">{folder ? 'folder' : formatSize(entry.size)}</span>
      <span className="muted small when">{formatTime(entry.modifiedAt)}</span>
      {!editing && (
        <span className="actions">
          <button type="button" onClick={() => begin('rename')} aria-label={`Rename ${entry.name}`}>
            Rename
          </button>
          <button type="button" onClick={() => begin('move')} aria-label={`Move ${entry.name}`}>
            Move
          </button>
          {canShare && (
            <button type="button" onClick={share} aria-label={`Share ${entry.name}`}>
              Share
            </button>
          )}
          <button type="button" className="danger" onClick={() => void run(() => client.request('files.delete', { target: entry.id }))} aria-label={`Delete ${entry.name}`}>
            Delete
          </button>
        </span>
      )}
    </div>
  );
}
