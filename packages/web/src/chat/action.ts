import { useCallback, useState } from 'react';

/**
 * Runs a user's action (send, react, kick...) and keeps the error it ended with, to show until
 * the next action: the view says what went wrong in the server's words.
 */
export function useAction(): { error: string | undefined; setError: (error: string | undefined) => void; act: (action: () => Promise<unknown>) => Promise<void> } {
  const [error, setError] = useState<string | undefined>();
  const act = useCallback(async (action: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError((failure as Error).message);
    }
  }, []);
  return { error, setError, act };
}
