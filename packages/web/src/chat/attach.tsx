import { useState, type DragEvent } from 'react';
import { FILE_DRAG_TYPE, readDraggedFile } from '../files/format.ts';
import { uploadAsNew } from '../files/uploads.ts';
import { usePod } from '../lib/pod.tsx';

/** Files dropped into a conversation or room are kept here in my files; the message carries them. */
const ATTACHMENTS_FOLDER = '/Attachments';
const MAX_FILES = 10;

/**
 * Sending files as a message: what was dropped or picked is uploaded (a file dragged from my
 * files is taken as it is), then `post` sends a message carrying them. Errors go to `setError`.
 */
export function useAttachments(post: (text: string, ids: number[]) => Promise<void>, setError: (error: string | undefined) => void) {
  const { client, csrf } = usePod();
  const [attaching, setAttaching] = useState<string | undefined>();
  const [dropping, setDropping] = useState(false);

  const attach = async (files: File[], dragged: { id: number; name: string } | undefined) => {
    if (files.length === 0 && !dragged) return;
    setError(undefined);
    try {
      setAttaching([...files.map((f) => f.name), ...(dragged ? [dragged.name] : [])].join(', '));
      const ids = dragged ? [dragged.id] : [];
      for (const file of files.slice(0, MAX_FILES)) ids.push((await uploadAsNew(client, csrf, file, ATTACHMENTS_FOLDER)).id);
      await post(ids.length === 1 ? (dragged?.name ?? files[0]!.name) : `${ids.length} files`, ids);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setAttaching(undefined);
    }
  };

  const dropTarget = {
    onDragOver: (event: DragEvent) => {
      if (event.dataTransfer.types.includes('Files') || event.dataTransfer.types.includes(FILE_DRAG_TYPE)) {
        event.preventDefault();
        setDropping(true);
      }
    },
    onDragLeave: () => setDropping(false),
    onDrop: (event: DragEvent) => {
      event.preventDefault();
      setDropping(false);
      void attach(Array.from(event.dataTransfer.files), readDraggedFile(event.dataTransfer));
    },
  };
  return { attaching, dropping, attach, dropTarget };
}

/** The composer's Attach button: picks files and sends them as a message. */
export function AttachButton({ label, attach }: { label: string; attach: (files: File[], dragged: undefined) => Promise<void> }) {
  return (
    <label className="button-like" title="Attach files (or drop them here)">
      Attach
      <input
        type="file"
        multiple
        className="visually-hidden"
        aria-label={label}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          void attach(files, undefined);
        }}
      />
    </label>
  );
}

export function AttachingStatus({ attaching }: { attaching: string | undefined }) {
  if (!attaching) return null;
  return (
    <p role="status" className="muted small">
      Attaching {attaching}…
    </p>
  );
}
