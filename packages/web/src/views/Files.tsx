import { FolderView } from '../files/FolderView.tsx';
import { SharedList } from '../files/SharedList.tsx';
import { TrashList } from '../files/TrashList.tsx';

/**
 * The files view. `place` is a folder path ("/docs", or "~ann/docs" inside something shared
 * with me), or one of the lists "shared" and "trash"; it lives in the address (/files/<place>).
 */
export default function Files({ place, open }: { place: string | undefined; open: (place: string) => void }) {
  const where = place ?? '/';
  const tab = where === 'shared' || where.startsWith('~') ? 'shared' : where === 'trash' ? 'trash' : 'mine';
  return (
    <div className="files">
      <h2>Files</h2>
      <nav className="inline tabs" aria-label="File places">
        <button type="button" aria-current={tab === 'mine' ? 'page' : undefined} onClick={() => open('/')}>
          My files
        </button>
        <button type="button" aria-current={tab === 'shared' ? 'page' : undefined} onClick={() => open('shared')}>
          Shared with me
        </button>
        <button type="button" aria-current={tab === 'trash' ? 'page' : undefined} onClick={() => open('trash')}>
          Trash
        </button>
      </nav>
      {where === 'trash' ? <TrashList /> : where === 'shared' ? <SharedList open={open} /> : <FolderView key={where} folder={where} open={open} />}
    </div>
  );
}
