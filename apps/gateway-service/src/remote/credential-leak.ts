/** A window this long of the remote secret, found anywhere in a text, counts as the secret leaking. */
export const SECRET_WINDOW = 16;

function variants(text: string): string[] {
  const out = [text.toLowerCase()];
  try {
    const decoded = decodeURIComponent(text.replace(/\+/g, ' ')).toLowerCase();
    if (decoded !== out[0]) out.push(decoded);
  } catch {
    // not URL-encoded (a stray %): the text as is is checked
  }
  return out;
}

/**
 * True when `text` (e.g. a remote's error message) contains the remote access key or secret: exactly,
 * URL-encoded, in any case, or any SECRET_WINDOW-character piece of the secret. Such a text is never shown to a
 * client nor logged.
 */
export function revealsCredentials(text: string, creds: { accessKeyId: string; secretAccessKey: string }): boolean {
  if (text === '') return false;
  const haystacks = variants(text);
  const needles = new Set<string>();
  for (const value of [creds.accessKeyId, creds.secretAccessKey]) {
    if (value.length < 4) continue; // too short to mean anything (and would match everywhere)
    needles.add(value.toLowerCase());
    needles.add(encodeURIComponent(value).toLowerCase());
  }
  const secret = creds.secretAccessKey.toLowerCase();
  for (let i = 0; i + SECRET_WINDOW <= secret.length; i++) needles.add(secret.slice(i, i + SECRET_WINDOW));
  for (const h of haystacks) for (const n of needles) if (h.includes(n)) return true;
  return false;
}
