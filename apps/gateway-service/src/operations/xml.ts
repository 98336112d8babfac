/** Tiny, bounded XML helpers for the few S3 documents the gateway reads (no entity expansion, no DTDs). */

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function xmlUnescape(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? _m;
  });
}

const patterns = new Map<string, RegExp>();
/** `<tag …>…</tag>` with the content captured; compiled once per tag (the tags are the gateway's own constants). */
function tagPattern(tag: string, flags: '' | 'g'): RegExp {
  const k = flags + tag;
  let re = patterns.get(k);
  if (!re) {
    re = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, flags);
    patterns.set(k, re);
  }
  if (flags === 'g') re.lastIndex = 0;
  return re;
}

/** Text of the first `<tag>…</tag>` (unescaped), or undefined. */
export function xmlText(xml: string, tag: string): string | undefined {
  const m = tagPattern(tag, '').exec(xml);
  return m ? xmlUnescape(m[1]!) : undefined;
}

/** Every `<tag>…</tag>` block, raw. */
export function xmlBlocks(xml: string, tag: string): string[] {
  return [...xml.matchAll(tagPattern(tag, 'g'))].map((m) => m[0]);
}

/** The name of the document's root element (after the declaration and comments). */
export function xmlRoot(xml: string): string | undefined {
  const m = /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<([A-Za-z_][\w.-]*)/.exec(xml);
  return m?.[1];
}
