/**
 * The Docker deployment files, checked without a Docker engine: docker/compose.yaml parsed with `yaml`, the
 * Dockerfile targets it builds, and the HAProxy config in front of the gateway replicas.
 * (`docker compose config` cannot run on a machine without the compose plugin; this is what we can check.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../src/paths.js';

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; target?: string };
  command?: string | string[];
  environment?: Record<string, string | number | null> | string[];
  ports?: (string | number | { published?: string | number; target?: number })[];
  expose?: (string | number)[];
  volumes?: (string | { source?: string; target?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  deploy?: { replicas?: number };
  healthcheck?: { test?: string | string[] };
  restart?: string;
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const DOCKER_DIR = join(REPO_ROOT, 'docker');
const COMPOSE_FILE = join(DOCKER_DIR, 'compose.yaml');
const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as Compose;
const svc = (name: string): ComposeService => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker/compose.yaml has no service "${name}"`);
  return s;
};

function env(s: ComposeService): Record<string, string> {
  const e = s.environment ?? {};
  if (Array.isArray(e)) return Object.fromEntries(e.map((kv) => [kv.split('=')[0], kv.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** "8080:8080", "127.0.0.1:8080:8080/tcp", {published, target} → { published, target } */
function ports(s: ComposeService): { published?: number; target: number }[] {
  return (s.ports ?? []).map((p) => {
    if (typeof p === 'object') return { published: p.published === undefined ? undefined : Number(p.published), target: Number(p.target) };
    const parts = String(p).replace(/\/(tcp|udp)$/, '').split(':');
    if (parts.length === 1) return { target: Number(parts[0]) };
    return { published: Number(parts[parts.length - 2]), target: Number(parts[parts.length - 1]) };
  });
}

function command(s: ComposeService): string[] {
  return Array.isArray(s.command) ? s.command : (s.command ?? '').split(/\s+/).filter(Boolean);
}

/** Stage names declared in a Dockerfile (`FROM <image> AS <name>`). */
function dockerfileTargets(file: string): Map<string, string> {
  const stages = new Map<string, string>();
  for (const m of readFileSync(file, 'utf8').matchAll(/^FROM\s+(\S+)\s+AS\s+(\S+)\s*$/gim)) stages.set(m[2].toLowerCase(), m[1]);
  return stages;
}

const OUR_SERVICES = ['config', 'discovery', 'gateway'];

describe('docker/compose.yaml', () => {
  it('has nats, minio, config, discovery, a gateway with 2 replicas and a load balancer', () => {
    for (const name of ['nats', 'minio', 'config', 'discovery', 'gateway', 'lb']) expect(compose.services[name]).toBeDefined();
    expect(svc('gateway').deploy?.replicas).toBe(2);
  });

  it('publishes the web/REST port 8080 and the S3 port 9100 (through the load balancer only)', () => {
    expect(ports(svc('config'))).toContainEqual({ published: 8080, target: 8080 });
    expect(ports(svc('lb'))).toContainEqual({ published: 9100, target: 9100 });
    // replicas cannot share a fixed host port
    expect(ports(svc('gateway')).filter((p) => p.published !== undefined)).toEqual([]);
  });

  it('runs NATS with JetStream on a volume', () => {
    const cmd = command(svc('nats'));
    expect(cmd.some((a) => a === '--jetstream' || a === '-js')).toBe(true);
    const storeIdx = cmd.findIndex((a) => a === '--store_dir' || a === '-sd');
    expect(storeIdx).toBeGreaterThan(-1);
    const store = cmd[storeIdx + 1];
    const mounts = (svc('nats').volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':') : [v.source, v.target]));
    const named = mounts.find(([, target]) => target === store);
    expect(named).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(named![0]);
  });

  it('gives every bucketgate service the NATS_URL of the nats service', () => {
    for (const name of OUR_SERVICES) {
      const url = env(svc(name)).NATS_URL;
      expect(url).toBeDefined();
      const first = new URL(url.split(',')[0]);
      expect(first.hostname).toBe('nats');
      expect(first.port || '4222').toBe('4222');
    }
  });

  it('builds every bucketgate service from a Dockerfile target that exists', () => {
    for (const name of OUR_SERVICES) {
      const build = svc(name).build;
      expect(build).toBeDefined();
      const b = typeof build === 'string' ? { context: build } : build!;
      const context = resolve(DOCKER_DIR, b.context ?? '.');
      const dockerfile = resolve(context, b.dockerfile ?? 'Dockerfile');
      expect(existsSync(join(context, 'pnpm-lock.yaml'))).toBe(true); // the context is the repository root
      expect(existsSync(dockerfile)).toBe(true);
      expect(b.target).toBeDefined();
      expect([...dockerfileTargets(dockerfile).keys()]).toContain(b.target!.toLowerCase());
    }
  });

  it('waits only on services that have a health check, and restarts long-running services', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      const deps = Array.isArray(s.depends_on) ? {} : s.depends_on ?? {};
      for (const [dep, cond] of Object.entries(deps)) {
        expect(compose.services[dep]).toBeDefined();
        if (cond.condition === 'service_healthy') expect({ name, dep, healthcheck: !!compose.services[dep].healthcheck }).toEqual({ name, dep, healthcheck: true });
      }
      if (name !== 'minio-init') expect({ name, restart: s.restart }).toEqual({ name, restart: expect.stringMatching(/always|unless-stopped|on-failure/) });
    }
    expect(svc('gateway').depends_on).toMatchObject({ nats: { condition: 'service_healthy' } });
  });

  it('keeps the config service data (master key file) on a volume', () => {
    const keyFile = env(svc('config')).BUCKETGATE_MASTER_KEY_FILE;
    expect(keyFile).toMatch(/^\//);
    const mounts = (svc('config').volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[1] : v.target));
    expect(mounts.some((m) => m && keyFile.startsWith(`${m}/`))).toBe(true);
  });

  it('creates the demo buckets in MinIO with a one-shot init job', () => {
    const init = Object.entries(compose.services).find(([, s]) => (s.image ?? '').includes('minio/mc'));
    expect(init).toBeDefined();
    const [, job] = init!;
    expect(job.depends_on).toMatchObject({ minio: { condition: 'service_healthy' } });
    expect(JSON.stringify(job.command)).toMatch(/mc mb/);
  });
});

describe('the load balancer config', () => {
  const lb = svc('lb');
  const mount = (lb.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':') : [v.source ?? '', v.target ?? ''])).find(([src]) => src.startsWith('.'));
  const cfgFile = mount ? resolve(DOCKER_DIR, mount[0]) : '';
  const cfg = existsSync(cfgFile) ? readFileSync(cfgFile, 'utf8') : '';

  it('is a file in docker/ mounted into the load balancer', () => {
    expect(mount).toBeDefined();
    expect(dirname(cfgFile)).toBe(DOCKER_DIR);
    expect(cfg.length).toBeGreaterThan(0);
  });

  it('sends traffic to the gateway service on the port the gateway listens on', () => {
    const gwPort = Number(env(svc('gateway')).GATEWAY_PORT);
    expect(gwPort).toBeGreaterThan(0);
    expect((svc('gateway').expose ?? []).map(Number)).toContain(gwPort);
    const targets = [...cfg.matchAll(/^\s*server(?:-template)?\s+\S+\s+(?:\d+\s+)?([\w.-]+):(\d+)/gm)].map((m) => ({ host: m[1], port: Number(m[2]) }));
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) expect(t).toEqual({ host: 'gateway', port: gwPort });
  });

  it('listens on the port compose publishes and health-checks the gateways on /_health', () => {
    const binds = [...cfg.matchAll(/^\s*bind\s+\S*:(\d+)/gm)].map((m) => Number(m[1]));
    for (const p of ports(lb)) expect(binds).toContain(p.target);
    expect(cfg).toMatch(/option httpchk GET \/_health/);
  });
});

describe('docker/Dockerfile', () => {
  const file = join(DOCKER_DIR, 'Dockerfile');
  const text = readFileSync(file, 'utf8');
  const stages = dockerfileTargets(file);

  it('builds on Node 20 with pnpm 10 and a frozen lockfile', () => {
    expect(text).toMatch(/node:20-bookworm-slim/);
    expect(text).toMatch(/pnpm@10/);
    expect(text).toMatch(/pnpm install [^\n]*--frozen-lockfile/);
    expect(text).toMatch(/turbo run build/);
  });

  it('runs every service target as a non-root user on the runtime stage', () => {
    const runtime = text.slice(text.search(/^FROM\s+\S+\s+AS\s+runtime\s*$/im));
    expect(runtime).toMatch(/^USER\s+(?!root\b)\S+/m);
    for (const name of OUR_SERVICES) expect(stages.get(name)).toBe('runtime');
  });

  it('keeps node_modules, build output and .git out of the build context', () => {
    const ignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git']));
  });
});
