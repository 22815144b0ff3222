import { applyAnnouncementEvent, type Announcement, type PodEvent } from '@pod/sdk';
import { useEffect, useRef, useState } from 'react';
import { usePod } from '../lib/pod.tsx';

/**
 * Administrators' announcements that I have not dismissed, above the central area. Fetched
 * whenever the socket goes live (so a device that was away catches up), then kept current by
 * the mailbox's announcement events; dismissing is stored on the server, so it follows me to
 * my other devices.
 */
export function Announcements() {
  const { client } = usePod();
  const [list, setList] = useState<Announcement[]>([]);
  const [error, setError] = useState<string | undefined>();
  // Events that arrive while a list is being fetched are applied to it too: it may predate them.
  const arrivedDuringLoad = useRef<PodEvent[] | undefined>(undefined);

  useEffect(() => {
    const load = () => {
      const arrived: PodEvent[] = [];
      arrivedDuringLoad.current = arrived;
      client.request('announcements.list', {}).then(
        (answer) => {
          if (arrivedDuringLoad.current === arrived) arrivedDuringLoad.current = undefined;
          setList(arrived.reduce(applyAnnouncementEvent, answer.announcements));
        },
        () => {},
      );
    };
    const offs = [
      client.onState((state) => state === 'live' && load()),
      client.on('*', (event) => {
        if (!event.type.startsWith('announcement.')) return;
        arrivedDuringLoad.current?.push(event);
        setList((current) => applyAnnouncementEvent(current, event));
      }),
    ];
    load();
    return () => offs.forEach((off) => off());
  }, [client]);

  const dismiss = async (id: number) => {
    setError(undefined);
    try {
      await client.request('announcements.dismiss', { id });
      setList((current) => current.map((a) => (a.id === id ? { ...a, dismissed: true } : a)));
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  const shown = list.filter((a) => !a.dismissed);
  if (shown.length === 0) return null;
  return (
    <section className="announcements" aria-label="Announcements">
      {shown.map((a) => (
        <article key={a.id} className="announcement" aria-label={`Announcement from ${a.author}`}>
          {/* The one place the application renders HTML from the wire: the server sanitised it
              when it was posted (an allow-list of formatting tags, no scripts, handlers or
              styles), and the page's CSP refuses inline script should anything slip through. */}
          <div className="announcement-text" dangerouslySetInnerHTML={{ __html: a.html }} />
          <p className="muted small">
            {a.author}, {new Date(a.postedAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}
          </p>
          <button type="button" onClick={() => void dismiss(a.id)} aria-label={`Dismiss the announcement from ${a.author}`}>
            Dismiss
          </button>
        </article>
      ))}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
