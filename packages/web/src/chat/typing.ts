import { useCallback, useEffect, useRef, useState } from 'react';

/** A typing event is sent every few seconds while someone types; without a fresh one they have stopped. */
const SHOWN_MS = 6000;

/** Names currently typing: `saw` on each typing event, `stopped` when their message arrives. */
export function useTypers(): { names: string[]; saw: (name: string) => void; stopped: (name: string) => void } {
  const [names, setNames] = useState<string[]>([]);
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const stopped = useCallback((name: string) => {
    clearTimeout(timers.current.get(name));
    timers.current.delete(name);
    setNames((list) => (list.includes(name) ? list.filter((n) => n !== name) : list));
  }, []);
  const saw = useCallback(
    (name: string) => {
      clearTimeout(timers.current.get(name));
      timers.current.set(
        name,
        setTimeout(() => stopped(name), SHOWN_MS),
      );
      setNames((list) => (list.includes(name) ? list : [...list, name]));
    },
    [stopped],
  );
  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending.values()) clearTimeout(timer);
    };
  }, []);
  return { names, saw, stopped };
}
