import type { OpOutput } from '@pod/sdk';
import { useCallback, useEffect, useState } from 'react';
import { usePod } from '../lib/pod.tsx';
import { formatSize, formatTime } from './format.ts';

type Trashed = OpOutput<'files.trash.list'>['items'];

/** The trash: restore an item where it was, or delete for good. */
export function TrashList() {
  const { client } = usePod();
  const [items, setItems] = useState<Trashed | undefined>();
  const [error, setError] = useState<string | undefined>();
  const load = useCallback(() => client.request('files.trash.list', { limit: 200 }).then((answer) => setItems(answer.items)), [client]);
  const run = async (action: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError((failure as Error).message);
    }
    await load().catch(() => {});
  };
  useEffect(() => {
    load().catch((failure: Error) => setError(failure.message));
  }, [load]);
  return (
    <section aria-label="Trash">
      <h3>Trash</h3>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {items?.length === 0 && <p className="muted">The trash is empty.</p>}
      <ul className="plain file-table">
        {items?.map(({ entry, from }) => (
          <li key={entry.id} data-file={entry.name}>
            <span aria-hidden="true">{entry.kind === 'folder' ? '▣' : '▤'}</span>
            <span className="name">{entry.name}</span>
            <span className="muted small">{from ? `from ${from}` : 'its folder is gone'}</span>
            <span className="muted small">{entry.kind === 'folder' ? 'folder' : formatSize(entry.size)}</span>
            <span className="muted small">deleted {formatTime(entry.trashedAt ?? entry.modifiedAt)}</span>
            <button type="button" onClick={() => void run(() => client.request('files.trash.restore', { id: entry.id, ...(from ? {} : { to: '/' }) }))} aria-label={`Restore ${entry.name}`}>
              Restore
            </button>
            <button type="button" className="danger" onClick={() => void run(() => client.request('files.trash.empty', { ids: [entry.id] }))} aria-label={`Delete ${entry.name} for good`}>
              Delete for good
            </button>
          </li>
        ))}
      </ul>
      {items && items.length > 0 && (
        <button type="button" className="danger" onClick={() => void run(() => client.request('files.trash.empty', {}))}>
          Empty the trash
        </button>
      )}
    </section>
  );
}
