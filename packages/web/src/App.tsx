import { useCallback, useEffect, useState } from 'react';
import { currentSession, type SessionState, type WebSession } from './lib/web-session.ts';
import { FirstRun } from './views/FirstRun.tsx';
import { Shell } from './views/Shell.tsx';
import { SignIn } from './views/SignIn.tsx';
import { Unreachable } from './views/Unreachable.tsx';

export function App() {
  const [state, setState] = useState<SessionState | undefined>();
  const check = useCallback(() => {
    void currentSession().then(setState);
  }, []);
  useEffect(check, [check]);

  if (!state) return <p className="loading" role="status">Loading…</p>;
  if (state.kind === 'unreachable') return <Unreachable retry={check} />;
  if (state.kind === 'signed-out') {
    if (!state.accounts) return <FirstRun retry={check} />;
    return <SignIn onSignedIn={(session: WebSession) => setState({ kind: 'signed-in', session })} />;
  }
  return <Shell session={state.session} onSignedOut={() => setState({ kind: 'signed-out', accounts: true })} />;
}
