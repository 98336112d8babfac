import type { IncomingMessage, ServerResponse } from 'node:http';
import { BucketgateError } from '@bucketgate/contracts';
import { sendError } from './rest-errors.js';

/** The largest JSON body the API accepts. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Past this many bytes an oversized body is no longer drained politely: the connection is dropped. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

/** application/json or application/<x>+json, optionally with charset=utf-8. */
export const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** What a wrong Content-Type gets told. */
export function notJsonMessage(type: string | undefined): string {
  return `send the request body as JSON with "Content-Type: application/json" (got ${type ? `"${type}"` : 'no Content-Type'})`;
}

function invalid(res: ServerResponse, message: string): void {
  sendError(res, 400, new BucketgateError('INVALID', message).toBody());
}

/**
 * Reads and parses JSON request bodies itself (instead of a generic body parser) so every way a body can be
 * wrong gets a 400 INVALID that says what is wrong: wrong Content-Type, more than 64 KiB, not UTF-8, not JSON.
 * A request without a body leaves `req.body` undefined.
 */
export function jsonBody() {
  return (req: IncomingMessage & { body?: unknown }, res: ServerResponse, next: () => void): void => {
    const method = req.method ?? 'GET';
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || !hasBody) {
      next();
      return;
    }
    const type = req.headers['content-type'];
    if (!type || !JSON_TYPE.test(type)) {
      req.resume();
      invalid(res, notJsonMessage(type));
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    const tooLarge = () => `the request body is larger than ${MAX_BODY_BYTES / 1024} KiB`;
    if (declared > MAX_DRAIN_BYTES) {
      res.setHeader('Connection', 'close');
      invalid(res, tooLarge());
      req.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        chunks.length = 0;
        if (size > MAX_DRAIN_BYTES && !failed) {
          failed = true;
          res.setHeader('Connection', 'close');
          invalid(res, tooLarge());
          req.destroy();
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      failed = true;
    });
    req.on('end', () => {
      if (failed) return;
      if (size > MAX_BODY_BYTES) return invalid(res, tooLarge());
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
      } catch {
        return invalid(res, 'the request body is not valid UTF-8');
      }
      if (text.trim() === '') {
        next();
        return;
      }
      try {
        req.body = JSON.parse(text);
      } catch (err) {
        return invalid(res, `the request body is not valid JSON: ${(err as Error).message}`);
      }
      next();
    });
  };
}
