import type { OpOutput } from '@pod/sdk';
import { useEffect, useState } from 'react';
import { usePod } from '../lib/pod.tsx';
import { downloadUrl, formatSize, formatTime } from './format.ts';

type Shared = OpOutput<'files.shared'>['items'];

/** What others shared with me: files to download, folders to open (browsed as "~owner/path"). */
export function SharedList({ open }: { open: (place: string) => void }) {
  const { client } = usePod();
  const [items, setItems] = useState<Shared | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    client.request('files.shared', { limit: 200 }).then(
      (answer) => setItems(answer.items),
      (failure: Error) => setError(failure.message),
    );
  }, [client]);
  return (
    <section aria-label="Shared with me">
      <h3>Shared with me</h3>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {items?.length === 0 && <p className="muted">Nobody has shared anything with you yet.</p>}
      <ul className="plain file-table">
        {items?.map((item) => (
          <li key={`${item.owner}:${item.entry.id}`} data-file={item.entry.name}>
            <span aria-hidden="true">{item.entry.kind === 'folder' ? '▣' : '▤'}</span>
            {item.entry.kind === 'folder' ? (
              <button type="button" className="link name" onClick={() => open(item.path)}>
                {item.entry.name}
              </button>
            ) : (
              <a className="name" href={downloadUrl(item.entry.id)} download={item.entry.name} aria-label={`Download ${item.entry.name}`}>
                {item.entry.name}
              </a>
            )}
            <span className="muted small">from {item.owner}</span>
            <span className="muted small">{item.entry.kind === 'folder' ? 'folder' : formatSize(item.entry.size)}</span>
            <span className="muted small">{item.access === 'write' ? 'can change' : 'can read'}</span>
            <span className="muted small">shared {formatTime(item.sharedAt)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
