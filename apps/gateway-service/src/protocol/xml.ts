import type { S3Error } from './s3-error.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
};

/**
 * Characters XML 1.0 cannot carry at all (C0 controls other than TAB/LF/CR, U+FFFE, U+FFFF, lone surrogates)
 * are replaced by U+FFFD so the document stays well-formed; `\r` is written as a character reference so a
 * parser does not normalise it away.
 */
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SPECIAL = /[&<>"'\r]/g;

export function xmlEscape(s: string): string {
  return s.replace(INVALID_XML, '\uFFFD').replace(SPECIAL, (c) => ESCAPES[c] ?? c);
}

/** A valid XML element name (letters, digits, '-', '_', '.', not starting with a digit, '-', '.' or "xml"). */
const XML_NAME = /^(?!xml)[A-Za-z_][A-Za-z0-9_.-]*$/i;

export function xmlElement(name: string, value: string): string {
  return `<${name}>${xmlEscape(value)}</${name}>`;
}

/**
 * The XML body of an S3 error:
 * `<Error><Code/><Message/>…extra…<Resource/><RequestId/></Error>`. Extra entries whose name is not a valid
 * XML element name are skipped (they cannot be written safely); reserved names cannot be overridden.
 */
export function errorXml(err: S3Error, resource: string, requestId: string): string {
  let extra = '';
  if (err.extra) {
    for (const [name, value] of Object.entries(err.extra)) {
      if (!XML_NAME.test(name) || RESERVED.has(name)) continue;
      extra += xmlElement(name, value);
    }
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    xmlElement('Code', err.code) +
    xmlElement('Message', err.message) +
    extra +
    xmlElement('Resource', resource) +
    xmlElement('RequestId', requestId) +
    '</Error>'
  );
}

const RESERVED = new Set(['Code', 'Message', 'Resource', 'RequestId']);
