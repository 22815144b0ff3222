import type { Profile as ProfileData } from '@pod/sdk';
import { useEffect, useState } from 'react';
import { usePod } from '../lib/pod.tsx';
import { PresenceDot } from './PresenceDot.tsx';

/** A person's profile, with what I can do about them. */
export function Profile({ name, back, message }: { name: string; back: () => void; message: () => void }) {
  const { client, buddies, presence } = usePod();
  const [profile, setProfile] = useState<ProfileData | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    client.request('profile.get', { name }).then(setProfile, (failure: Error) => setError(failure.message));
  }, [client, name]);
  const entry = buddies.buddies.find((b) => b.name === name);
  const blocked = buddies.blocked.includes(name);
  const act = (action: Promise<unknown>) => action.catch((failure: Error) => setError(failure.message));
  const p = presence.get(name);
  return (
    <section className="profile" aria-label={`Profile of ${name}`}>
      <button type="button" onClick={back}>
        ← Back
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {profile && (
        <>
          <h2>
            {entry?.state === 'buddy' && <PresenceDot status={p?.status ?? 'offline'} />} {profile.displayName} <span className="muted">@{profile.name}</span>
          </h2>
          {(p?.text || profile.statusText) && <p className="status">{p?.text || profile.statusText}</p>}
          {profile.about && <p className="about">{profile.about}</p>}
          <div className="inline">
            <button type="button" onClick={message}>
              Message
            </button>
            {!entry && !blocked && (
              <button type="button" onClick={() => void act(client.request('buddies.add', { name }))}>
                Add buddy
              </button>
            )}
            {entry?.state === 'buddy' && (
              <button type="button" onClick={() => void act(client.request('buddies.remove', { name }))}>
                Remove buddy
              </button>
            )}
            {blocked ? (
              <button type="button" onClick={() => void act(client.request('buddies.unblock', { name }))}>
                Unblock
              </button>
            ) : (
              <button type="button" className="danger" onClick={() => void act(client.request('buddies.block', { name }))}>
                Block
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}
