import { Writable } from 'node:stream';
import { pino } from 'pino';
import { REDACT_PATHS } from './logger.js';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const logger = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  return { logger, text: () => lines.join('') };
}

describe('createLogger redaction', () => {
  it.each([
    [{ apiSecret: 'S3CRET-1' }],
    [{ req: { apiSecret: 'S3CRET-1', apiKey: 'AK' } }],
    [{ credentials: { secretAccessKey: 'S3CRET-1' } }],
    [{ datasource: { remote: { secretAccessKey: 'S3CRET-1' } } }],
    [{ headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AK/…, Signature=S3CRET-1' } }],
    [{ req: { headers: { authorization: 'S3CRET-1' } } }],
  ])('never writes a secret field: %j', (obj) => {
    const { logger, text } = capture();
    logger.info(obj, 'hello');
    expect(text()).toContain('hello');
    expect(text()).not.toContain('S3CRET-1');
    expect(text()).toContain('[redacted]');
  });
});
