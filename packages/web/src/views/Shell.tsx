import { lazy, Suspense, useEffect, useState } from 'react';
import { PodProvider, usePod } from '../lib/pod.tsx';
import { useRoute, type Route, type ViewName } from '../lib/route.ts';
import { signOut, type WebSession } from '../lib/web-session.ts';
import { SkinProvider } from '../skins/SkinProvider.tsx';
import { Announcements } from './Announcements.tsx';
import { Contacts } from './Contacts.tsx';
import { DataWindow } from './DataWindow.tsx';

const Messages = lazy(() => import('./Messages.tsx'));
const Buddies = lazy(() => import('./Buddies.tsx'));
const Settings = lazy(() => import('./Settings.tsx'));
const Help = lazy(() => import('./Help.tsx'));
const Files = lazy(() => import('./Files.tsx'));
const SearchView = lazy(() => import('../search/SearchView.tsx'));

const BUTTONS: { view: ViewName; label: string; icon: string; key: string }[] = [
  { view: 'messages', label: 'Messages', icon: '✉', key: '1' },
  { view: 'files', label: 'Files', icon: '▤', key: '2' },
  { view: 'buddies', label: 'Buddies & search', icon: '☺', key: '3' },
  { view: 'settings', label: 'Settings', icon: '⚙', key: '4' },
  { view: 'help', label: 'Help', icon: '?', key: '5' },
  { view: 'search', label: 'Search messages', icon: '⌕', key: '6' },
];

export function Shell({ session, onSignedOut }: { session: WebSession; onSignedOut: () => void }) {
  return (
    <PodProvider session={session}>
      <SkinProvider>
        <Frame session={session} onSignedOut={onSignedOut} />
      </SkinProvider>
    </PodProvider>
  );
}

function Frame({ session, onSignedOut }: { session: WebSession; onSignedOut: () => void }) {
  const [route, go] = useRoute();
  const [expanded, setExpanded] = useState(() => localStorage.getItem('pod.expanded') === '1');
  const { connection, conversations, rooms } = usePod();
  const unread = conversations.reduce((sum, c) => sum + c.unread, 0) + rooms.rooms.reduce((sum, r) => sum + r.unread, 0);

  useEffect(() => localStorage.setItem('pod.expanded', expanded ? '1' : '0'), [expanded]);
  // Alt+1…6 switch functions from anywhere, Alt+0 toggles the expanded view.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const button = BUTTONS.find((b) => b.key === event.key);
      if (button) {
        event.preventDefault();
        go({ view: button.view });
      } else if (event.key === '0') {
        event.preventDefault();
        setExpanded((e) => !e);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const leave = async () => {
    await signOut(session.csrf);
    onSignedOut();
  };

  return (
    <div className={`shell ${expanded ? 'expanded' : 'compact'}`}>
      <header className="topbar">
        <span className="brand">Pod</span>
        <span className="who">{session.user}</span>
        {connection !== 'live' && (
          <span className="offline" role="status">
            {connection === 'closed' ? 'Cannot reach the server — retrying' : 'Connecting…'}
          </span>
        )}
        <button type="button" aria-pressed={expanded} onClick={() => setExpanded((e) => !e)} title="Alt+0">
          {expanded ? 'Compact view' : 'Expanded view'}
        </button>
        <button type="button" onClick={() => void leave()}>
          Sign out
        </button>
      </header>
      <nav className="functions" aria-label="Functions">
        {BUTTONS.map((b) => (
          <button
            key={b.view}
            type="button"
            aria-current={route.view === b.view || (b.view === 'messages' && route.view === 'rooms') ? 'page' : undefined}
            aria-label={b.view === 'messages' && unread > 0 ? `${b.label}, ${unread} unread` : b.label}
            title={`${b.label} (Alt+${b.key})`}
            onClick={() => go({ view: b.view })}
          >
            <span aria-hidden="true" className="icon">
              {b.icon}
            </span>
            <span className="label">{b.label}</span>
            {b.view === 'messages' && unread > 0 && (
              <span className="badge" aria-hidden="true">
                {unread}
              </span>
            )}
          </button>
        ))}
      </nav>
      <Announcements />
      {expanded && <Contacts open={(person) => go({ view: 'messages', person })} />}
      <main className="central" aria-label={route.view}>
        <Suspense fallback={<p role="status">Loading…</p>}>
          <CentralView route={route} go={go} />
        </Suspense>
      </main>
      {expanded && <DataWindow open={(person) => go({ view: 'messages', person })} openFiles={(place) => go({ view: 'files', person: place })} />}
    </div>
  );
}

function CentralView({ route, go }: { route: Route; go: (route: Route) => void }) {
  switch (route.view) {
    case 'messages':
    case 'rooms':
      return <Messages route={route} go={go} />;
    case 'buddies':
      return <Buddies person={route.person} go={go} />;
    case 'settings':
      return <Settings />;
    case 'help':
      return <Help />;
    case 'search':
      return <SearchView go={go} />;
    case 'files':
      return <Files place={route.person} open={(place) => go({ view: 'files', person: place })} />;
  }
}
