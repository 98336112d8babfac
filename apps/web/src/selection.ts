import { BUCKET_NAME_RE, createBucketMatcher, regexpError, type BucketSelection, type DatasourceView } from '@bucketgate/contracts';

/**
 * How the operator picks buckets: ticking listed buckets, a regular expression (RE2, unanchored, the
 * server's own matcher), or typing names by hand (when listing is denied or not possible).
 */
export type PickMode = 'pick' | 'regexp' | 'manual';

export interface SelectionState {
  mode: PickMode;
  /** Ticked buckets (mode 'pick'). */
  picked: string[];
  /** The regular expression (mode 'regexp'). */
  pattern: string;
  /** Names typed by hand, separated by spaces, commas or new lines (mode 'manual'). */
  typed: string;
}

export const emptySelection: SelectionState = { mode: 'pick', picked: [], pattern: '', typed: '' };

/** The selection a saved datasource has, as the editor's starting state. */
export function selectionFromView(view: Pick<DatasourceView, 'buckets' | 'bucketsRegexp'>): SelectionState {
  if (view.bucketsRegexp !== null) return { ...emptySelection, mode: 'regexp', pattern: view.bucketsRegexp };
  const names = view.buckets ?? [];
  return { mode: 'pick', picked: names, pattern: '', typed: names.join('\n') };
}

export function parseTypedNames(text: string): { names: string[]; invalid: string[] } {
  const parts = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const names = [...new Set(parts)];
  return { names: names.filter((n) => BUCKET_NAME_RE.test(n)), invalid: names.filter((n) => !BUCKET_NAME_RE.test(n)) };
}

/** Live regex preview: which of `names` the server will serve, computed by the shared matcher. */
export function previewRegexp(pattern: string, names: readonly string[]): { error: string | null; matched: Set<string> } {
  if (pattern === '') return { error: null, matched: new Set() };
  const error = regexpError(pattern);
  if (error) return { error, matched: new Set() };
  const match = createBucketMatcher({ bucketsRegexp: pattern });
  return { error: null, matched: new Set(names.filter(match)) };
}

/** Why this selection cannot be saved yet, in plain words; null when it can. */
export function selectionProblem(s: SelectionState): string | null {
  switch (s.mode) {
    case 'pick':
      return s.picked.length === 0 ? 'Pick at least one bucket, or choose buckets with a regular expression.' : null;
    case 'regexp':
      if (s.pattern === '') return 'Type a regular expression, for example ^cells';
      return regexpError(s.pattern);
    case 'manual': {
      const { names, invalid } = parseTypedNames(s.typed);
      if (invalid.length) return `Not a valid bucket name: ${invalid.join(', ')}`;
      return names.length === 0 ? 'Type at least one bucket name.' : null;
    }
  }
}

/** The selection as the API takes it (exactly one of buckets / bucketsRegexp). */
export function selectionToRequest(s: SelectionState): BucketSelection {
  switch (s.mode) {
    case 'pick':
      return { buckets: [...s.picked] };
    case 'regexp':
      return { bucketsRegexp: s.pattern };
    case 'manual':
      return { buckets: parseTypedNames(s.typed).names };
  }
}

export function sameSelection(a: BucketSelection, b: Pick<DatasourceView, 'buckets' | 'bucketsRegexp'>): boolean {
  if (a.bucketsRegexp !== undefined) return a.bucketsRegexp === b.bucketsRegexp;
  if (b.buckets === null) return false;
  const x = [...a.buckets].sort();
  const y = [...b.buckets].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** One line describing a saved selection, for the datasources list. */
export function describeSelection(view: Pick<DatasourceView, 'buckets' | 'bucketsRegexp'>): string {
  if (view.bucketsRegexp !== null) return `regex ${view.bucketsRegexp}`;
  const names = view.buckets ?? [];
  if (names.length === 0) return 'no buckets';
  if (names.length <= 3) return names.join(', ');
  return `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/** The selection in a sentence: "the buckets matching ^cells", "the bucket photos", "the buckets a, b and c". */
export function selectionSentence(view: Pick<DatasourceView, 'buckets' | 'bucketsRegexp'>): string {
  if (view.bucketsRegexp !== null) return `the buckets matching ${view.bucketsRegexp}`;
  const names = view.buckets ?? [];
  if (names.length === 0) return 'no bucket';
  if (names.length === 1) return `the bucket ${names[0]}`;
  return `the buckets ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
