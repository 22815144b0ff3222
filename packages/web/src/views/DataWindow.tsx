import type { FileEntry } from '@pod/sdk';
import { useEffect, useState } from 'react';
import { downloadUrl, FILE_DRAG_TYPE, formatSize } from '../files/format.ts';
import { onFilesChanged } from '../files/live.ts';
import { usePod } from '../lib/pod.tsx';

const SHOWN = 12;

/** The data window: my files (the top folder), my inbox (conversations waiting for me) and the trash. */
export function DataWindow({ open, openFiles }: { open: (person: string) => void; openFiles: (place: string) => void }) {
  const { client, conversations } = usePod();
  const waiting = conversations.filter((c) => c.unread > 0);
  const [files, setFiles] = useState<FileEntry[] | undefined>();
  const [trash, setTrash] = useState<number | undefined>();
  useEffect(() => {
    const load = () => {
      client.request('files.list', { folder: '/', limit: SHOWN }).then((page) => setFiles(page.entries), () => {});
      client.request('files.trash.list', { limit: 100 }).then((page) => setTrash(page.items.length), () => {});
    };
    load();
    return onFilesChanged(client, load);
  }, [client]);
  return (
    <aside className="window data" aria-label="Data">
      <section aria-label="My files">
        <h2>Files</h2>
        {files?.length === 0 && <p className="muted">No files yet.</p>}
        <ul className="plain">
          {files?.map((entry) => (
            <li
              key={entry.id}
              draggable={entry.kind === 'file'}
              onDragStart={(e) => e.dataTransfer.setData(FILE_DRAG_TYPE, JSON.stringify({ id: entry.id, name: entry.name }))}
            >
              {entry.kind === 'folder' ? (
                <button type="button" className="link" onClick={() => openFiles(`/${entry.name}`)}>
                  ▣ {entry.name}
                </button>
              ) : (
                <a href={downloadUrl(entry.id)} download={entry.name}>
                  ▤ {entry.name}
                </a>
              )}
              {entry.kind === 'file' && <span className="muted small">{formatSize(entry.size)}</span>}
            </li>
          ))}
        </ul>
        <button type="button" className="link" onClick={() => openFiles('/')}>
          All files
        </button>
      </section>
      <section aria-label="Inbox">
        <h2>Inbox</h2>
        {waiting.length === 0 ? (
          <p className="muted">Nothing unread.</p>
        ) : (
          <ul className="plain">
            {waiting.map((c) => (
              <li key={c.with}>
                <button type="button" className="row" onClick={() => open(c.with)}>
                  <span>{c.with}</span>
                  <span className="badge">{c.unread}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-label="Trash">
        <h2>Trash</h2>
        <button type="button" className="link" onClick={() => openFiles('trash')}>
          {trash === undefined ? 'Open the trash' : trash === 0 ? 'The trash is empty' : `${trash}${trash >= 100 ? '+' : ''} item${trash === 1 ? '' : 's'} in the trash`}
        </button>
      </section>
    </aside>
  );
}
