import { useEffect, useId, useRef, useState, type InputHTMLAttributes, type ReactNode, type Ref } from 'react';
import type { ApiError } from '../api.js';
import { errorHeadline, errorHint } from '../errors.js';

/** A labelled text input with an optional hint and error, wired with aria-describedby / aria-invalid. */
export function TextField({
  label,
  hint,
  error,
  id: givenId,
  after,
  ref,
  ...input
}: { label: ReactNode; hint?: ReactNode; error?: string | null; after?: ReactNode; ref?: Ref<HTMLInputElement> } & InputHTMLAttributes<HTMLInputElement>) {
  const autoId = useId();
  const id = givenId ?? autoId;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="field-row">
        <input
          ref={ref}
          id={id}
          aria-invalid={error ? true : undefined}
          aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
          {...input}
        />
        {after}
      </div>
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A password-style input with a show/hide toggle (so a pasted secret can be checked). */
export function SecretField(props: Parameters<typeof TextField>[0]) {
  const [shown, setShown] = useState(false);
  return (
    <TextField
      {...props}
      type={shown ? 'text' : 'password'}
      autoComplete="new-password"
      spellCheck={false}
      autoCapitalize="off"
      after={
        <button type="button" className="secondary small" aria-pressed={shown} onClick={() => setShown((s) => !s)}>
          {shown ? 'Hide' : 'Show'}
        </button>
      }
    />
  );
}

/** An error from the server in plain words: a headline for its code, then the server's (remote's) reason. */
export function ApiErrorMessage({ error, children }: { error: ApiError; children?: ReactNode }) {
  const hint = errorHint(error);
  const issues = Array.isArray(error.details?.issues) ? (error.details.issues as { path?: string; message?: string }[]) : [];
  return (
    <div className="error-box" role="alert" data-error-code={error.code}>
      <p className="error-headline">{errorHeadline(error)}</p>
      {issues.length > 0 ? (
        <ul>
          {issues.map((i, n) => (
            <li key={n}>{i.path ? `${i.path}: ${i.message}` : i.message}</li>
          ))}
        </ul>
      ) : (
        <p className="error-reason">{error.message}</p>
      )}
      {hint && <p className="error-hint">{hint}</p>}
      {children}
    </div>
  );
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API refused (no permission, not a secure context): fall back to a hidden textarea.
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <button
      type="button"
      className="secondary small copy"
      aria-label={`Copy ${label}`}
      onClick={async () => {
        setState((await copyText(text)) ? 'copied' : 'failed');
        clearTimeout(timer.current);
        timer.current = setTimeout(() => setState('idle'), 2000);
      }}
    >
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy' : 'Copy'}</span>
    </button>
  );
}
