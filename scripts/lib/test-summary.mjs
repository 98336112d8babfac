// Adds up test results from runner output: Jest ("Tests:  1 failed, 3 passed, 4 total") and
// Vitest ("      Tests  1 failed | 3 passed (4)"), per package; turbo prefixes lines with "<pkg>:test: ".
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const TURBO = /^(\S+?):(test(?::\S+)?): ?(.*)$/;
const JEST_TESTS = /^\s*Tests:\s+(.+)$/;
const JEST_SUITES = /^\s*Test Suites:\s+(.+)$/;
const VITEST_TESTS = /^\s*Tests\s+(.+?)\s*\(\d+\)\s*$/;
const VITEST_FILES = /^\s*Test Files\s+(.+?)\s*\(\d+\)\s*$/;
const TURBO_FAILED = /^\s*Failed:\s+(\S+)#(\S+)\s*$/;

/** "1 failed, 2 skipped, 10 passed, 13 total" or "1 failed | 12 passed" → { failed: 1, skipped: 2, passed: 10 } */
export function parseCounts(text) {
  const out = {};
  for (const m of text.matchAll(/(\d+)\s+(passed|failed|skipped|todo|pending)/g)) out[m[2]] = (out[m[2]] ?? 0) + Number(m[1]);
  return out;
}

export function createSummary() {
  /** @type {Map<string, {passed:number, failed:number, skipped:number, suitesFailed:number, seen:boolean, exit?:number}>} */
  const pkgs = new Map();
  const failedTasks = new Set();
  const get = (name) => {
    if (!pkgs.has(name)) pkgs.set(name, { passed: 0, failed: 0, skipped: 0, suitesFailed: 0, seen: false });
    return pkgs.get(name);
  };

  function line(source, raw) {
    const text = raw.replace(ANSI, '');
    let m;
    if ((m = JEST_TESTS.exec(text)) || (m = VITEST_TESTS.exec(text))) {
      const c = parseCounts(m[1]);
      const p = get(source);
      // a package may run its runner more than once: add up
      p.passed += c.passed ?? 0;
      p.failed += c.failed ?? 0;
      p.skipped += (c.skipped ?? 0) + (c.todo ?? 0) + (c.pending ?? 0);
      p.seen = true;
    } else if ((m = JEST_SUITES.exec(text)) || (m = VITEST_FILES.exec(text))) {
      const c = parseCounts(m[1]);
      const p = get(source);
      p.suitesFailed += c.failed ?? 0;
      p.seen = true;
    }
  }

  return {
    line,
    /** A line of `turbo run test` output. */
    turboLine(raw) {
      const text = raw.replace(ANSI, '');
      const t = TURBO.exec(text);
      if (t) return line(t[1], t[3]);
      const f = TURBO_FAILED.exec(text);
      if (f) failedTasks.add(f[1]);
    },
    /** The exit code of a whole step: non-zero without a counted failure still fails the run. */
    exitCode(step, code) {
      if (code !== 0) get(step).exit = code;
    },
    result() {
      for (const name of failedTasks) get(name).taskFailed = true;
      const anyCounted = [...pkgs.values()].some((q) => q.failed > 0 || q.suitesFailed > 0 || q.taskFailed);
      let passed = 0;
      let failed = 0;
      let skipped = 0;
      const rows = [];
      for (const [name, p] of pkgs) {
        // a suite that fails to load (compile error, crash in beforeAll) has no failed test but counts as one
        let f = Math.max(p.failed, p.suitesFailed);
        const notes = [];
        if (p.suitesFailed > p.failed) notes.push(`${p.suitesFailed} suite(s) failed`);
        if (f === 0 && p.taskFailed) { f = 1; notes.push('its test command failed; see its output'); }
        if (f === 0 && p.exit !== undefined && (p.seen || !anyCounted)) { f = 1; notes.push(`exited with code ${p.exit}`); }
        if (!p.seen && f === 0) continue;
        passed += p.passed;
        failed += f;
        skipped += p.skipped;
        rows.push(`  ${name.padEnd(34)} ${p.passed} passed, ${f} failed${p.skipped ? `, ${p.skipped} skipped` : ''}${notes.length ? `  (${notes.join('; ')})` : ''}`);
      }
      return { passed, failed, skipped, report: rows.join('\n') || '  (no test results found)' };
    },
  };
}
