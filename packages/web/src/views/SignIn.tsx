import { useState, type FormEvent } from 'react';
import { signIn, type WebSession } from '../lib/web-session.ts';

export function SignIn({ onSignedIn }: { onSignedIn: (session: WebSession) => void }) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await signIn(String(form.get('name')), String(form.get('password'))));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="centered">
      <h1>Sign in to Pod</h1>
      <form onSubmit={submit} className="stack" aria-label="Sign in">
        <label>
          User name
          <input name="name" autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <p className="muted">
        New here? <a href="/welcome">What Pod is, how to get an account, and which apps work with it</a>.
      </p>
    </main>
  );
}
