/** One registered route: an Express path (`/api/datasources/:name`) and its methods (upper-case). */
export interface RouteEntry {
  path: string;
  methods: string[];
}

/** The order methods are listed in an `Allow` header. */
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** An Express/Nest route path as a RegExp with Express's defaults: case-insensitive, optional trailing slash, `:param` = one segment. */
export function compileRoutePath(path: string): RegExp {
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^/${segments.join('/')}/?$`, 'i');
}

/**
 * Which methods a path answers to, so a wrong method gets 405 + `Allow` instead of "no such route".
 * Routes are read on first use (Nest registers them while the app starts).
 */
export class RouteTable {
  private compiled: { re: RegExp; methods: string[] }[] | undefined;

  constructor(private readonly load: () => RouteEntry[]) {}

  /** The methods allowed on this path, in a stable order (HEAD with GET); empty when no route has this path. */
  allowedMethods(path: string): string[] {
    this.compiled ??= this.load().map((r) => ({ re: compileRoutePath(r.path), methods: r.methods.map((m) => m.toUpperCase()) }));
    const methods = new Set<string>();
    for (const route of this.compiled) {
      if (!route.re.test(path)) continue;
      for (const m of route.methods) methods.add(m);
      if (route.methods.includes('GET')) methods.add('HEAD');
    }
    return [...methods].sort((a, b) => rank(a) - rank(b));
  }
}

function rank(method: string): number {
  const i = METHOD_ORDER.indexOf(method);
  return i === -1 ? METHOD_ORDER.length : i;
}

/** The routes of an Express 5 app (`app.router.stack`, each layer's `route.path` and `route.methods`). */
export function expressRoutes(expressApp: unknown): RouteEntry[] {
  const stack = (expressApp as { router?: { stack?: unknown[] } }).router?.stack ?? [];
  const routes: RouteEntry[] = [];
  for (const layer of stack) {
    const route = (layer as { route?: { path?: unknown; methods?: Record<string, boolean> } }).route;
    if (!route || typeof route.path !== 'string' || !route.methods) continue;
    const methods = Object.keys(route.methods).filter((m) => m !== '_all' && route.methods![m]);
    if (methods.length > 0) routes.push({ path: route.path, methods });
  }
  return routes;
}
