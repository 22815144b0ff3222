import { useEffect, useState } from 'react';

export const VIEWS = ['messages', 'rooms', 'files', 'buddies', 'settings', 'help', 'search'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface Route {
  view: ViewName;
  /** The other person: a conversation under messages, a profile under buddies; a room's name under rooms (none: the directory). */
  person?: string;
}

export function parseRoute(path: string): Route {
  const [, first, second] = path.split('/');
  const view = (VIEWS as readonly string[]).includes(first ?? '') ? (first as ViewName) : 'messages';
  return second ? { view, person: decodeURIComponent(second) } : { view };
}

export function routePath(route: Route): string {
  return `/${route.view}${route.person ? `/${encodeURIComponent(route.person)}` : ''}`;
}

/** The route lives in the address bar, so reloads and the back button keep their place. */
export function useRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const onPop = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const go = (next: Route) => {
    const path = routePath(next);
    if (path !== window.location.pathname) window.history.pushState(null, '', path);
    setRoute(next);
  };
  return [route, go];
}
