import { useCallback, useEffect, useState } from 'react';
import { usePod } from '../lib/pod.tsx';

interface SessionInfo {
  id: string;
  device: string;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
}

/** The devices signed in to my account; any but this one can be signed out from here. */
export function Sessions() {
  const { client } = usePod();
  const [sessions, setSessions] = useState<SessionInfo[]>([]);
  const [error, setError] = useState<string | undefined>();
  const load = useCallback(() => {
    client.request('auth.sessions', {}).then((answer) => setSessions(answer.sessions), (failure: Error) => setError(failure.message));
  }, [client]);
  useEffect(load, [load]);
  const revoke = (id: string) => client.request('auth.revoke', { session: id }).then(load, (failure: Error) => setError(failure.message));
  return (
    <section aria-label="Sessions">
      <h3>Signed-in devices</h3>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <table className="sessions">
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last seen</th>
            <th scope="col">
              <span className="visually-hidden">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id} data-session={s.id}>
              <td>
                {s.device}
                {s.current && <strong> (this one)</strong>}
              </td>
              <td>{new Date(s.createdAt).toLocaleString()}</td>
              <td>{new Date(s.lastSeenAt).toLocaleString()}</td>
              <td>
                {!s.current && (
                  <button type="button" onClick={() => void revoke(s.id)} aria-label={`Sign out ${s.device} (signed in ${new Date(s.createdAt).toLocaleString()})`}>
                    Sign out
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
