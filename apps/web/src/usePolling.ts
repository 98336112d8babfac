import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, isAbort } from './api.js';

export const POLL_INTERVAL_MS = 3000;

/**
 * Calls `load` now and then every `intervalMs` (never two at once, paused while the tab is hidden), so the
 * page follows the server without reloading. `refresh()` loads again at once (after the page changed something).
 */
export function usePolling<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs = POLL_INTERVAL_MS) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const loadRef = useRef(load);
  loadRef.current = load;
  const ctrl = useRef<AbortController | null>(null);
  const seq = useRef(0);

  const refresh = useCallback(async () => {
    ctrl.current?.abort();
    const mine = ++seq.current;
    const c = new AbortController();
    ctrl.current = c;
    try {
      const value = await loadRef.current(c.signal);
      if (mine !== seq.current) return;
      setData(value);
      setError(undefined);
    } catch (err) {
      if (isAbort(err) || mine !== seq.current) return;
      setError(err instanceof ApiError ? err : new ApiError('INTERNAL', String(err)));
    } finally {
      if (ctrl.current === c) ctrl.current = null;
    }
  }, []);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (!document.hidden && ctrl.current === null) await refresh();
      if (!stopped) timer = setTimeout(tick, intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
      ctrl.current?.abort();
    };
  }, [intervalMs, refresh]);

  return { data, error, refresh };
}
