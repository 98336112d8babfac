import { useCallback, useEffect, useRef, useState } from 'react';
import type { DiscoveredBucket } from '@bucketgate/contracts';
import { ApiError, isAbort, type Api, type ListBucketsInput } from './api.js';

export const LISTING_DEBOUNCE_MS = 400;

export type Listing =
  /** Not enough input yet (key or secret missing, endpoint invalid). */
  | { phase: 'idle' }
  /** Waiting for the operator to stop typing, or for the server; `buckets` are the last ones for the same input. */
  | { phase: 'loading'; buckets?: DiscoveredBucket[] }
  | { phase: 'ok'; buckets: DiscoveredBucket[] }
  | { phase: 'error'; error: ApiError };

/**
 * Lists the remote's buckets as soon as `access` is complete, debounced, with no button. Every request
 * carries a sequence number and an AbortController: only the answer to the newest request is ever shown,
 * so a slow stale answer can never overwrite a newer one.
 */
export function useBucketListing(api: Api, access: ListBucketsInput | null, delayMs = LISTING_DEBOUNCE_MS) {
  const [listing, setListing] = useState<Listing>({ phase: 'idle' });
  const seq = useRef(0);
  const inflight = useRef<AbortController | null>(null);
  const key = access ? JSON.stringify(access) : null;
  const accessRef = useRef(access);
  accessRef.current = access;
  const lastOk = useRef<{ key: string; buckets: DiscoveredBucket[] } | null>(null);

  const run = useCallback(
    (forKey: string) => {
      const current = accessRef.current;
      if (!current) return;
      const mine = ++seq.current;
      inflight.current?.abort();
      const ctrl = new AbortController();
      inflight.current = ctrl;
      api.listBuckets(current, ctrl.signal).then(
        (buckets) => {
          if (mine !== seq.current) return; // a newer request was made: this answer is stale
          lastOk.current = { key: forKey, buckets };
          setListing({ phase: 'ok', buckets });
        },
        (err: unknown) => {
          if (mine !== seq.current || isAbort(err)) return;
          const error = err instanceof ApiError ? err : new ApiError('INTERNAL', err instanceof Error ? err.message : String(err));
          setListing({ phase: 'error', error });
        },
      );
    },
    [api],
  );

  useEffect(() => {
    seq.current++; // anything still in flight is now stale
    inflight.current?.abort();
    if (key === null) {
      setListing({ phase: 'idle' });
      return;
    }
    const previous = lastOk.current?.key === key ? lastOk.current.buckets : undefined;
    setListing({ phase: 'loading', buckets: previous });
    const timer = setTimeout(() => run(key), delayMs);
    return () => clearTimeout(timer);
  }, [key, delayMs, run]);

  useEffect(() => () => inflight.current?.abort(), []);

  /** List again now (e.g. after creating a bucket), keeping the current list visible meanwhile. */
  const reload = useCallback(() => {
    if (key === null) return;
    setListing((l) => ({ phase: 'loading', buckets: l.phase === 'ok' ? l.buckets : l.phase === 'loading' ? l.buckets : undefined }));
    run(key);
  }, [key, run]);

  return { listing, reload };
}
