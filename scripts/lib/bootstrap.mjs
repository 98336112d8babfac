// Makes a fresh machine ready to run bucketgate: pnpm 10, node_modules, Debian packages, a build.
// Node builtins only: this runs before any dependency is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

const tag = '[bootstrap]';
export const say = (msg) => console.log(`${tag} ${msg}`);

export class BootstrapError extends Error {
  name = 'BootstrapError';
}

/** Where a command lives (PATH plus the sbin folders a root shell has), or undefined. */
export function which(cmd) {
  if (cmd.includes('/')) return existsSync(cmd) ? cmd : undefined;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const file = join(dir, cmd);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** Run a command in the foreground with inherited output; throws a BootstrapError naming it on failure. */
export function run(cmd, args, { cwd = ROOT, env = process.env, what } = {}) {
  const res = spawnSync(cmd, args, { cwd, env, stdio: 'inherit' });
  if (res.error) throw new BootstrapError(`${what ?? cmd}: could not run ${cmd}: ${res.error.message}`);
  if (res.status !== 0) {
    throw new BootstrapError(`${what ?? cmd} failed (${cmd} ${args.join(' ')} exited with ${res.status ?? res.signal})`);
  }
}

function capture(cmd, args) {
  const res = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : undefined;
}

// ---- pnpm -----------------------------------------------------------------

export function ensurePnpm() {
  const bin = which('pnpm');
  const version = bin ? capture(bin, ['--version']) : undefined;
  if (version && version.split('.')[0] === '10') return bin;
  say(version ? `pnpm ${version} found; this repo needs pnpm 10 (pnpm 11 does not run on Node 20): installing pnpm@10`
    : 'pnpm not found: installing pnpm@10 with npm');
  if (!which('npm')) throw new BootstrapError('npm is not installed: install Node.js 20 with npm first');
  run('npm', ['install', '--global', '--no-fund', '--no-audit', 'pnpm@10'], { what: 'installing pnpm 10' });
  // npm's global bin may not be on PATH yet
  const prefix = capture('npm', ['prefix', '--global']);
  if (prefix) process.env.PATH = `${join(prefix, 'bin')}${delimiter}${process.env.PATH ?? ''}`;
  const after = which('pnpm');
  const v = after ? capture(after, ['--version']) : undefined;
  if (!v || v.split('.')[0] !== '10') throw new BootstrapError(`pnpm 10 is still not available after npm install -g pnpm@10 (found ${v ?? 'none'})`);
  say(`pnpm ${v} ready`);
  return after;
}

// ---- node_modules ---------------------------------------------------------

export function ensureDependencies() {
  const lock = join(ROOT, 'pnpm-lock.yaml');
  const marker = join(ROOT, 'node_modules', '.modules.yaml');
  let reason;
  if (!existsSync(marker)) reason = 'node_modules is missing';
  else if (statSync(lock).mtimeMs > statSync(marker).mtimeMs) reason = 'pnpm-lock.yaml is newer than node_modules';
  if (!reason) return;
  say(`${reason}: pnpm install --frozen-lockfile`);
  try {
    run('pnpm', ['install', '--frozen-lockfile', '--config.confirmModulesPurge=false'], {
      what: 'installing dependencies',
      env: { ...process.env, CI: process.env.CI ?? 'true' },
    });
  } catch (err) {
    throw new BootstrapError(`${err.message}. If pnpm says the lockfile is not up to date, a package.json changed without ` +
      'pnpm-lock.yaml: run `pnpm install` and commit pnpm-lock.yaml. Otherwise check the npm registry is reachable.');
  }
}

// ---- Debian packages ------------------------------------------------------

/** command that proves the package is installed → Debian package */
export const RUNTIME_PACKAGES = [['nats-server', 'nats-server']];
export const TEST_PACKAGES = [
  ['ceph-mon', 'ceph-mon'],
  ['ceph-mgr', 'ceph-mgr'],
  ['ceph-osd', 'ceph-osd'],
  ['radosgw', 'radosgw'],
  ['radosgw-admin', 'ceph-common'],
  ['ceph-authtool', 'ceph-common'],
  ['/usr/bin/aws', 'awscli'],
  ['rclone', 'rclone'],
  ['chromium', 'chromium'],
  ['curl', 'curl'],
  ['/usr/sbin/haproxy', 'haproxy'], // runs docker/haproxy.cfg in the load-balancer e2e test
];

let aptUpdated = false;

export function ensureAptPackages(pairs) {
  const missing = [...new Set(pairs.filter(([cmd]) => !which(cmd)).map(([, pkg]) => pkg))];
  if (missing.length === 0) return;
  const cmds = pairs.filter(([, pkg]) => missing.includes(pkg)).map(([cmd]) => cmd);
  say(`missing ${cmds.join(', ')}: installing Debian packages ${missing.join(' ')}`);
  if (!which('apt-get')) {
    throw new BootstrapError(`cannot install ${missing.join(' ')}: apt-get is not available (this setup expects Debian or Ubuntu); install them by hand`);
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new BootstrapError(`cannot install ${missing.join(' ')}: apt-get needs root. Run: sudo apt-get install -y ${missing.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lockWait = ['-o', 'DPkg::Lock::Timeout=300'];
  if (!aptUpdated) {
    say('apt-get update');
    run('apt-get', [...lockWait, 'update', '-qq'], { env, what: 'apt-get update' });
    aptUpdated = true;
  }
  try {
    run('apt-get', [...lockWait, 'install', '-y', '-qq', '--no-install-recommends', ...missing], { env, what: `apt-get install ${missing.join(' ')}` });
  } catch (err) {
    throw new BootstrapError(`${err.message}. Are these packages available in your apt sources (Debian 12 "bookworm" has them all)?`);
  }
  const still = pairs.filter(([, pkg]) => missing.includes(pkg)).filter(([cmd]) => !which(cmd)).map(([cmd]) => cmd);
  if (still.length) throw new BootstrapError(`installed ${missing.join(' ')} but ${still.join(', ')} is still missing`);
  say(`installed ${missing.join(' ')}`);
}

// ---- build ----------------------------------------------------------------

export function build() {
  say('building (pnpm exec turbo run build)');
  // same env mode as test.mjs's turbo run, so its ^build dependencies come from this build's cache
  run('pnpm', ['exec', 'turbo', 'run', 'build', '--env-mode=loose', '--output-logs=errors-only'], {
    what: 'build',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
  });
}

/** Everything before start/test: pnpm, node_modules, Debian packages, build. */
export function bootstrap({ test = false, skipBuild = false } = {}) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) throw new BootstrapError(`Node.js ${process.versions.node} is too old: bucketgate needs Node 20 or newer`);
  ensurePnpm();
  ensureDependencies();
  ensureAptPackages(test ? [...RUNTIME_PACKAGES, ...TEST_PACKAGES] : RUNTIME_PACKAGES);
  if (!skipBuild && process.env.BUCKETGATE_SKIP_BUILD !== '1') build();
}
