import type { FileEntry } from '@pod/sdk';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { usePod } from '../lib/pod.tsx';
import { FileRow } from './FileRow.tsx';
import { onFilesChanged } from './live.ts';
import { crumbs, joinPath } from './format.ts';
import { ShareDialog } from './ShareDialog.tsx';
import { UploadBars } from './UploadBars.tsx';
import { forgetOpenUpload, startUpload, useUploads } from './uploads.ts';

/** One folder: its items in a virtualised list, breadcrumbs, uploads by button or drop, a new folder. */
export function FolderView({ folder, open }: { folder: string; open: (place: string) => void }) {
  const { client, csrf } = usePod();
  const [entries, setEntries] = useState<FileEntry[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [dropping, setDropping] = useState(false);
  const [sharing, setSharing] = useState<{ entry: FileEntry; path: string } | undefined>();
  const [newFolder, setNewFolder] = useState('');
  const uploads = useUploads();
  const scroller = useRef<HTMLDivElement>(null);
  const shared = folder.startsWith('~');

  const load = useCallback(async () => {
    let all: FileEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.request('files.list', { folder, limit: 200, ...(cursor ? { cursor } : {}) });
      all = all.concat(page.entries);
      cursor = page.next;
    } while (cursor);
    setEntries(all);
  }, [client, folder]);

  const run = useCallback(
    async (action: () => Promise<unknown>) => {
      setError(undefined);
      try {
        await action();
      } catch (failure) {
        setError((failure as Error).message);
      }
      await load().catch(() => {});
    },
    [load],
  );

  useEffect(() => {
    setEntries(undefined);
    load().catch((failure: Error) => setError(failure.message));
    // Changes made elsewhere (another device, a buddy writing into a shared folder) show up live.
    return onFilesChanged(client, () => void load().catch(() => {}));
  }, [client, load]);

  const upload = (files: Iterable<File>) => {
    for (const file of files) void run(() => startUpload(client, csrf, file, joinPath(folder, file.name)));
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDropping(false);
    upload(event.dataTransfer.files);
  };
  const makeFolder = (event: FormEvent) => {
    event.preventDefault();
    const name = newFolder.trim();
    if (!name) return;
    setNewFolder('');
    void run(() => client.request('files.mkdir', { path: joinPath(folder, name) }));
  };

  const virtualizer = useVirtualizer({
    count: entries?.length ?? 0,
    getScrollElement: () => scroller.current,
    estimateSize: () => 46,
    getItemKey: (index) => entries![index]!.id,
    overscan: 10,
  });

  return (
    <section
      className={`folder ${dropping ? 'dropping' : ''}`}
      aria-label={`Folder ${folder}`}
      data-testid="file-drop"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setDropping(true);
        }
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={onDrop}
    >
      <nav aria-label="Breadcrumbs" className="crumbs">
        {crumbs(folder).map((c, index, all) =>
          index === all.length - 1 ? (
            <span key={c.path} aria-current="location">
              {c.name}
            </span>
          ) : (
            <span key={c.path}>
              <button type="button" className="link" onClick={() => open(c.path)}>
                {c.name}
              </button>{' '}
              /{' '}
            </span>
          ),
        )}
      </nav>
      <div className="inline">
        <label className="button-like">
          Upload files
          <input
            type="file"
            multiple
            className="visually-hidden"
            aria-label="Upload files"
            onChange={(e) => {
              upload(Array.from(e.target.files ?? []));
              e.target.value = '';
            }}
          />
        </label>
        <form className="inline" onSubmit={makeFolder}>
          <label className="visually-hidden" htmlFor="new-folder">
            New folder name
          </label>
          <input id="new-folder" value={newFolder} onChange={(e) => setNewFolder(e.target.value)} placeholder="New folder" />
          <button type="submit">Create folder</button>
        </form>
        <span className="muted small">or drop files here</span>
      </div>
      {uploads.open.length > 0 && (
        <ul className="plain open-uploads" aria-label="Unfinished uploads">
          {uploads.open.map((u) => (
            <li key={u.path}>
              <span>
                Unfinished upload of <strong>{u.name}</strong> to {u.path}: choose the same file again to resume it.
              </span>
              <label className="button-like">
                Resume {u.name}
                <input
                  type="file"
                  className="visually-hidden"
                  aria-label={`Resume ${u.name}`}
                  onChange={(e) => {
                    const file = e.target.files?.[0];
                    e.target.value = '';
                    if (file) void run(() => startUpload(client, csrf, file, u.path));
                  }}
                />
              </label>
              <button type="button" onClick={() => forgetOpenUpload(u.path)} aria-label={`Forget the upload of ${u.name}`}>
                Forget
              </button>
            </li>
          ))}
        </ul>
      )}
      <UploadBars items={uploads.items} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {entries?.length === 0 && <p className="muted">This folder is empty.</p>}
      <div className="file-list" ref={scroller} role="list" aria-label={`Items in ${folder}`} tabIndex={-1}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const entry = entries![item.index]!;
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                role="listitem"
                style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}
              >
                <FileRow
                  entry={entry}
                  path={joinPath(folder, entry.name)}
                  canShare={!shared}
                  open={open}
                  run={run}
                  share={() => setSharing({ entry, path: joinPath(folder, entry.name) })}
                />
              </div>
            );
          })}
        </div>
      </div>
      {sharing && <ShareDialog entry={sharing.entry} path={sharing.path} close={() => setSharing(undefined)} />}
    </section>
  );
}
