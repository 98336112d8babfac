import { useId, useMemo, useState } from 'react';
import { validateNewBucketName } from '@bucketgate/contracts';
import { ApiError, type ListBucketsInput } from '../api.js';
import { useApi } from '../api-context.js';
import { parseTypedNames, previewRegexp, type PickMode, type SelectionState } from '../selection.js';
import type { Listing } from '../useBucketListing.js';
import { ApiErrorMessage, TextField } from './ui.js';

const MODES: { mode: PickMode; label: string }[] = [
  { mode: 'pick', label: 'Pick from the list' },
  { mode: 'regexp', label: 'Match a regular expression' },
  { mode: 'manual', label: 'Type names by hand' },
];

function listedBuckets(listing: Listing) {
  if (listing.phase === 'ok') return listing.buckets;
  if (listing.phase === 'loading') return listing.buckets ?? [];
  return [];
}

function ListingStatus({ listing, idleText, count }: { listing: Listing; idleText: string; count: number }) {
  let text: string;
  switch (listing.phase) {
    case 'idle':
      text = idleText;
      break;
    case 'loading':
      text = 'Listing the buckets…';
      break;
    case 'ok':
      text = count === 0 ? 'This storage has no buckets yet: create one below.' : `${count} bucket${count === 1 ? '' : 's'} on this storage.`;
      break;
    case 'error':
      text = 'The buckets could not be listed.';
      break;
  }
  return (
    <p className="listing-status" role="status" aria-live="polite" data-phase={listing.phase}>
      {listing.phase === 'loading' && <span className="spinner" aria-hidden="true" />}
      {text}
    </p>
  );
}

export function BucketPicker({
  listing,
  value,
  onChange,
  access,
  onBucketCreated,
  idleText,
}: {
  listing: Listing;
  value: SelectionState;
  onChange: (next: SelectionState) => void;
  /** What createBucket needs; null while the key and secret are not filled in. */
  access: ListBucketsInput | null;
  onBucketCreated: (name: string) => void;
  idleText: string;
}) {
  const buckets = listedBuckets(listing);
  const listedNames = useMemo(() => buckets.map((b) => b.name), [buckets]);
  const modeName = useId();

  return (
    <fieldset className="buckets">
      <legend>Buckets the gateway serves</legend>
      <ListingStatus listing={listing} idleText={idleText} count={buckets.length} />
      {listing.phase === 'error' && (
        <ApiErrorMessage error={listing.error}>
          {listing.error.code === 'ACCESS_DENIED' && value.mode !== 'manual' && (
            <button type="button" className="secondary" onClick={() => onChange({ ...value, mode: 'manual' })}>
              Type bucket names by hand
            </button>
          )}
        </ApiErrorMessage>
      )}

      <fieldset className="modes">
        <legend>Choose buckets by</legend>
        <div className="segmented">
          {MODES.map((m) => (
            <label key={m.mode} className={value.mode === m.mode ? 'active' : undefined}>
              <input
                type="radio"
                name={modeName}
                value={m.mode}
                checked={value.mode === m.mode}
                onChange={() => onChange({ ...value, mode: m.mode })}
              />
              {m.label}
            </label>
          ))}
        </div>
      </fieldset>

      {value.mode === 'pick' && <PickList listing={listing} listedNames={listedNames} value={value} onChange={onChange} discovered={buckets} />}
      {value.mode === 'regexp' && <RegexpPanel listedNames={listedNames} listing={listing} value={value} onChange={onChange} />}
      {value.mode === 'manual' && <ManualPanel value={value} onChange={onChange} />}

      <CreateBucketRow access={access} existing={listedNames} onCreated={onBucketCreated} />
    </fieldset>
  );
}

function PickList({
  listing,
  listedNames,
  value,
  onChange,
  discovered,
}: {
  listing: Listing;
  listedNames: string[];
  value: SelectionState;
  onChange: (next: SelectionState) => void;
  discovered: { name: string; createdAt: string | null }[];
}) {
  const picked = new Set(value.picked);
  const listedSet = new Set(listedNames);
  const names = [...listedNames, ...value.picked.filter((n) => !listedSet.has(n))];
  const dates = new Map(discovered.map((b) => [b.name, b.createdAt]));
  const toggle = (name: string, on: boolean) =>
    onChange({ ...value, picked: on ? [...value.picked.filter((n) => n !== name), name] : value.picked.filter((n) => n !== name) });

  if (names.length === 0) {
    const text =
      listing.phase === 'ok'
        ? 'No buckets to pick yet.'
        : listing.phase === 'error'
          ? 'Nothing to pick from: type the names by hand or match a regular expression.'
          : 'The buckets appear here as soon as they are listed.';
    return <p className="hint">{text}</p>;
  }
  return (
    <div className="pick">
      <div className="toolbar">
        <span className="count">
          {value.picked.length} of {names.length} selected
        </span>
        <button type="button" className="secondary small" onClick={() => onChange({ ...value, picked: [...names] })}>
          Select all
        </button>
        <button type="button" className="secondary small" onClick={() => onChange({ ...value, picked: [] })}>
          Select none
        </button>
      </div>
      <ul className="bucket-list" aria-label="Buckets">
        {names.map((name) => {
          const date = dates.get(name);
          const missing = listing.phase === 'ok' && !listedSet.has(name);
          return (
            <li key={name} className={picked.has(name) ? 'match' : undefined} data-bucket={name} data-match={picked.has(name)}>
              <label>
                <input type="checkbox" checked={picked.has(name)} onChange={(e) => toggle(name, e.target.checked)} />
                <span className="bucket-name">{name}</span>
                {missing && <span className="tag warn">not on the storage</span>}
                {date && (
                  <span className="date">
                    <span className="visually-hidden">, created </span>
                    {new Date(date).toLocaleDateString()}
                  </span>
                )}
              </label>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function RegexpPanel({
  listedNames,
  listing,
  value,
  onChange,
}: {
  listedNames: string[];
  listing: Listing;
  value: SelectionState;
  onChange: (next: SelectionState) => void;
}) {
  const { error, matched } = useMemo(() => previewRegexp(value.pattern, listedNames), [value.pattern, listedNames]);
  return (
    <div className="regexp">
      <TextField
        label="Regular expression"
        value={value.pattern}
        onChange={(e) => onChange({ ...value, pattern: e.target.value })}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        className="mono"
        placeholder="^cells"
        hint={
          <>
            RE2 syntax, not anchored: <code>cells</code> matches every name containing “cells”, <code>^cells</code> only names that start with
            it. Buckets created later that match are served too.
          </>
        }
        error={error ? `Invalid regular expression: ${error.replace(/^bucketsRegexp does not compile: /, '')}` : null}
      />
      {listedNames.length > 0 ? (
        <>
          <p className="count" role="status" aria-live="polite">
            {error || value.pattern === '' ? 'Preview: type a valid expression' : `Preview: ${matched.size} of ${listedNames.length} buckets match`}
          </p>
          <ul className="bucket-list preview" aria-label="Preview of the buckets the expression selects">
            {listedNames.map((name) => {
              const on = matched.has(name);
              return (
                <li key={name} className={on ? 'match' : 'nomatch'} data-bucket={name} data-match={on}>
                  <span className="mark" aria-hidden="true">
                    {on ? '✓' : '·'}
                  </span>
                  <span className="bucket-name">{name}</span>
                  <span className="visually-hidden">{on ? ' (served)' : ' (not served)'}</span>
                </li>
              );
            })}
          </ul>
        </>
      ) : (
        <p className="hint">{listing.phase === 'ok' ? 'No buckets to preview yet.' : 'The preview appears when the buckets are listed.'}</p>
      )}
    </div>
  );
}

function ManualPanel({ value, onChange }: { value: SelectionState; onChange: (next: SelectionState) => void }) {
  const id = useId();
  const { names, invalid } = parseTypedNames(value.typed);
  return (
    <div className="field">
      <label htmlFor={id}>Bucket names</label>
      <textarea
        id={id}
        rows={4}
        className="mono"
        spellCheck={false}
        autoCapitalize="off"
        value={value.typed}
        aria-invalid={invalid.length ? true : undefined}
        aria-describedby={`${id}-hint${invalid.length ? ` ${id}-error` : ''}`}
        onChange={(e) => onChange({ ...value, typed: e.target.value })}
      />
      <p className="hint" id={`${id}-hint`}>
        One per line, or separated by spaces or commas. {names.length > 0 && `${names.length} name${names.length === 1 ? '' : 's'}.`}
      </p>
      {invalid.length > 0 && (
        <p className="field-error" id={`${id}-error`}>
          Not a valid bucket name: {invalid.join(', ')}
        </p>
      )}
    </div>
  );
}

function CreateBucketRow({
  access,
  existing,
  onCreated,
}: {
  access: ListBucketsInput | null;
  existing: string[];
  onCreated: (name: string) => void;
}) {
  const api = useApi();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const problem = name === '' ? null : existing.includes(name) ? 'a bucket with this name is already listed' : validateNewBucketName(name);

  const create = async () => {
    if (!access || name === '' || problem || busy) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await api.createBucket({ ...access, bucket: name });
      setDone(name);
      setName('');
      onCreated(name);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError('INTERNAL', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="create-bucket">
      <summary>Create a bucket on this storage</summary>
      <TextField
        label="New bucket name"
        value={name}
        onChange={(e) => {
          setName(e.target.value.trim());
          setDone(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault(); // not the datasource form's submit
            void create();
          }
        }}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        className="mono"
        hint={access ? '3–63 lowercase letters, digits, dots and dashes. Created in the datasource’s region.' : 'Fill in the API key and secret first.'}
        error={problem}
        after={
          <button type="button" onClick={() => void create()} disabled={!access || name === '' || !!problem || busy}>
            {busy ? 'Creating…' : 'Create bucket'}
          </button>
        }
      />
      {done && (
        <p className="success" role="status">
          Bucket {done} created.
        </p>
      )}
      {error && <ApiErrorMessage error={error} />}
    </details>
  );
}
