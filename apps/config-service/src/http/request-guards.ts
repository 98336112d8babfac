import type { IncomingMessage, ServerResponse } from 'node:http';
import { BucketgateError } from '@bucketgate/contracts';
import { JSON_TYPE, notJsonMessage } from './json-body.js';
import { sendError } from './rest-errors.js';

/** Who may talk to the service from a browser: see CONFIG_ALLOWED_HOSTS and CONFIG_ALLOWED_ORIGINS in the README. */
export interface GuardPolicy {
  /** CONFIG_HOST, lower-case (the listen address is always an accepted Host). */
  listenHost: string;
  /** Extra Host values (`name` = any port, `name:port`), or `['*']` for any. */
  allowedHosts: string[];
  /** Normalized origins (scheme://host[:port]) trusted besides the service's own. */
  allowedOrigins: string[];
}

/** Methods that never change state; everything else must come from the service's own page or a non-browser client. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface HostPort {
  /** lower-case host name, IPv4 address, or bracketed IPv6 address (`[::1]`) */
  name: string;
  port: string | undefined;
}

/** A Host header (or CONFIG_ALLOWED_HOSTS entry): `name`, `name:port`, `[v6]`, `[v6]:port`; undefined when malformed. */
export function parseHostHeader(value: string): HostPort | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]\s/@?#]+)(?::([0-9]{1,5}))?$/.exec(value.trim().toLowerCase());
  if (!m) return undefined;
  return { name: m[1]!, port: m[2] };
}

export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name === '[::1]' || /^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/.test(name);
}

/**
 * DNS-rebinding guard: a page on evil.example.com whose name is re-pointed at 127.0.0.1 reaches the service with
 * `Host: evil.example.com`. Accepted: loopback names and addresses (any port), CONFIG_HOST, CONFIG_ALLOWED_HOSTS.
 * A request without Host (HTTP/1.0) is accepted: browsers always send one.
 */
export function hostAllowed(header: string | undefined, policy: GuardPolicy): boolean {
  if (policy.allowedHosts.includes('*') || header === undefined) return true;
  const host = parseHostHeader(header);
  if (!host) return false;
  if (isLoopbackName(host.name)) return true;
  const listen = policy.listenHost.includes(':') && !policy.listenHost.startsWith('[') ? `[${policy.listenHost}]` : policy.listenHost;
  if (host.name === listen) return true;
  return policy.allowedHosts.some((entry) => {
    const allowed = parseHostHeader(entry);
    return allowed !== undefined && allowed.name === host.name && (allowed.port === undefined || allowed.port === host.port);
  });
}

/**
 * CSRF guard: true when there is no Origin (not a cross-site browser request: curl, SDKs, same-origin GETs) or the
 * Origin is the service's own (scheme://Host, http or https, default ports equal) or listed in CONFIG_ALLOWED_ORIGINS.
 * `Origin: null` (sandboxed frames, file:// pages, cross-site redirects) is never trusted.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowedOrigins: string[]): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (allowedOrigins.includes(url.origin)) return true;
  const own = host === undefined ? undefined : parseHostHeader(host);
  if (!own) return false;
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  return url.hostname === own.name && (url.port || defaultPort) === (own.port ?? defaultPort);
}

function refuse(req: IncomingMessage, res: ServerResponse, status: 400 | 403, err: BucketgateError): void {
  req.resume();
  sendError(res, status, err.toBody());
}

const shown = (value: string) => JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);

/** Refuses (403) every request, web page included, whose Host is not one the service answers to. */
export function hostGuard(policy: GuardPolicy) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const host = req.headers.host;
    if (hostAllowed(host, policy)) return next();
    refuse(
      req,
      res,
      403,
      new BucketgateError(
        'ACCESS_DENIED',
        `this service does not answer to Host ${shown(host ?? '')}: add the name to CONFIG_ALLOWED_HOSTS (comma-separated, or * behind a proxy that checks it) or use 127.0.0.1/localhost`,
      ),
    );
  };
}

/**
 * Refuses state-changing requests a foreign web page could send: a cross-origin Origin → 403 ACCESS_DENIED; a
 * Content-Type other than JSON, even on an empty body (HTML forms always send one) → 400 INVALID. A bodyless call
 * without Content-Type (the web page's DELETE and credential re-issue) passes: its Origin is absent or trusted here.
 */
export function csrfGuard(policy: GuardPolicy) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (SAFE_METHODS.has(req.method ?? 'GET')) return next();
    const origin = req.headers.origin;
    if (!originAllowed(origin, req.headers.host, policy.allowedOrigins)) {
      refuse(
        req,
        res,
        403,
        new BucketgateError(
          'ACCESS_DENIED',
          `a page from Origin ${shown(origin ?? '')} may not change bucketgate: only the service's own web page or an origin listed in CONFIG_ALLOWED_ORIGINS may`,
        ),
      );
      return;
    }
    const type = req.headers['content-type'];
    if (type !== undefined && !JSON_TYPE.test(type)) {
      refuse(req, res, 400, new BucketgateError('INVALID', notJsonMessage(type)));
      return;
    }
    next();
  };
}
