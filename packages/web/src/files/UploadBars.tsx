import { clearFinishedUploads, type UploadItem } from './uploads.ts';
import { formatSize } from './format.ts';

/** A progress bar per upload: hashing, then the bytes the server asked for. */
export function UploadBars({ items }: { items: UploadItem[] }) {
  if (items.length === 0) return null;
  return (
    <section className="uploads" aria-label="Uploads">
      <ul className="plain">
        {items.map((item) => (
          <li key={item.key} data-upload={item.name}>
            <UploadRow item={item} />
          </li>
        ))}
      </ul>
      {items.some((item) => item.entry || item.error) && (
        <button type="button" onClick={clearFinishedUploads}>
          Clear finished uploads
        </button>
      )}
    </section>
  );
}

function UploadRow({ item }: { item: UploadItem }) {
  const p = item.progress;
  const sending = p && p.bytesToSend > 0 ? p.bytesSent / p.bytesToSend : p?.phase === 'committing' || p?.phase === 'done' ? 1 : 0;
  const status = item.error
    ? `failed: ${item.error}`
    : item.entry
      ? 'done'
      : !p || p.phase === 'hashing'
        ? 'reading and hashing…'
        : p.phase === 'committing'
          ? 'finishing…'
          : `${formatSize(p.bytesSent)} of ${formatSize(p.bytesToSend)}`;
  return (
    <>
      <span className="upload-name">{item.name}</span>
      <progress max={1} value={item.entry ? 1 : sending} aria-label={`Uploading ${item.name}`} />
      <span className={`small ${item.error ? 'error' : 'muted'}`} role={item.error ? 'alert' : undefined}>
        {status}
      </span>
      {p && p.phase !== 'hashing' && (
        <span className="muted small" data-testid="upload-counts">
          {p.chunksSent} of {p.chunksToSend} chunks sent, {p.chunksProven} already on the server{item.resumed ? ' (resumed)' : ''}
        </span>
      )}
    </>
  );
}
