// Test harness: child processes with captured logs, temporary directories, and cleanup that
// runs even when a test fails or times out. Every process a test starts is tracked here and
// stopped by its own PID (SIGTERM, then SIGKILL after a grace period); nothing is ever
// killed by name.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import test from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

const kLogTailLines = 60;
const kMaxKeptLines = 20000;

/** A child process whose stdout and stderr are kept (and written to a log file). */
export class Proc {
  constructor(name, command, args, { env, cwd, logFile } = {}) {
    this.name = name;
    this.command = command;
    this.args = args;
    this.startedAt = Date.now();
    this.lines = [];
    this.result = null; // { code, signal, error } once the process has ended
    this.log = logFile ? createWriteStream(logFile, { flags: 'a' }) : null;
    this.note(`$ ${[command, ...args].map(quoteArg).join(' ')}`);
    this.child = spawn(command, args, {
      cwd,
      env: env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.pid = this.child.pid;
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        // Spawn failure (ENOENT, EACCES): 'close' may never come.
        if (this.result) return;
        this.result = { code: null, signal: null, error };
        this.note(`spawn failed: ${error.message}`);
        resolve(this.result);
      });
      this.child.once('close', (code, signal) => {
        if (this.result) return;
        this.result = { code, signal, error: null };
        this.note(`exited code=${code} signal=${signal}`);
        this.log?.end();
        resolve(this.result);
      });
    });
    for (const [stream, tag] of [[this.child.stdout, 'out'], [this.child.stderr, 'err']]) {
      readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.add(tag, line));
    }
  }

  add(tag, line) {
    const stamped = `+${((Date.now() - this.startedAt) / 1000).toFixed(3)}s ${tag} ${line}`;
    this.lines.push(stamped);
    if (this.lines.length > kMaxKeptLines) this.lines.splice(0, this.lines.length - kMaxKeptLines);
    if (this.log && !this.log.writableEnded) this.log.write(stamped + '\n');
    if (process.env.E2E_VERBOSE) process.stderr.write(`[${this.name}] ${stamped}\n`);
  }

  note(text) {
    this.add('---', text);
  }

  get running() {
    return this.result === null;
  }

  /** Everything the process printed so far (stdout and stderr, interleaved by arrival). */
  output() {
    return this.lines.join('\n');
  }

  tail(n = kLogTailLines) {
    return this.lines.slice(-n).join('\n');
  }

  /** Resolves to the exit result, or null if still running after timeoutMs. */
  async waitExit(timeoutMs) {
    const timer = sleep(timeoutMs, null, { ref: false });
    return Promise.race([this.exited, timer]);
  }

  /** Resolves once a line matching `re` was printed; rejects on exit or timeout. */
  async waitForLine(re, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((line) => re.test(line));
      if (hit) return hit;
      if (!this.running) throw new Error(`${this.name} exited before printing ${re}\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print ${re} within ${timeoutMs} ms\n${this.tail()}`);
      await sleep(50);
    }
  }

  /** Sends `signal` to this process (by PID) and waits up to timeoutMs for it to exit; then SIGKILL. */
  async stop(signal = 'SIGTERM', timeoutMs = 10000) {
    if (!this.running) return { ...this.result, ms: 0, timedOut: false };
    const t0 = Date.now();
    this.note(`sending ${signal}`);
    try {
      this.child.kill(signal);
    } catch {
      // already gone
    }
    const result = await this.waitExit(timeoutMs);
    if (result) return { ...result, ms: Date.now() - t0, timedOut: false };
    this.note(`still running ${timeoutMs} ms after ${signal}: sending SIGKILL`);
    try {
      this.child.kill('SIGKILL');
    } catch {
      // already gone
    }
    const killed = await this.exited;
    return { ...killed, ms: Date.now() - t0, timedOut: true };
  }
}

function quoteArg(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${String(arg).replace(/'/g, `'\\''`)}'`;
}

/**
 * Per-test resources. Everything registered here is released by cleanup(), which the
 * e2eTest wrapper runs from t.after so it also runs on failure and timeout.
 */
export class Harness {
  constructor(name) {
    this.name = name;
    this.procs = [];
    this.cleanups = [];
    this.root = null;
    // One keep-alive pool per test, like a real player; destroyed at cleanup.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  }

  /** A fresh directory under this test's temporary root. */
  async dir(sub) {
    if (!this.root) {
      const slug = this.name.replace(/[^a-zA-Z0-9]+/g, '-').slice(0, 40);
      this.root = await fs.mkdtemp(path.join(os.tmpdir(), `vela-e2e-${slug}-`));
    }
    const dir = path.join(this.root, sub);
    await fs.mkdir(dir, { recursive: true });
    return dir;
  }

  /** Starts a tracked child process; its output goes to <root>/<name>.log too. */
  async spawn(name, command, args, options = {}) {
    const logDir = await this.dir('logs');
    this.spawned ??= new Map();
    const nth = (this.spawned.get(name) ?? 0) + 1;
    this.spawned.set(name, nth);
    const logName = nth > 1 ? `${name}-${nth}` : name;
    const proc = new Proc(logName, command, args, { ...options, logFile: path.join(logDir, `${logName}.log`) });
    this.procs.push(proc);
    return proc;
  }

  /** Registers an async cleanup step; steps run newest first, before processes are stopped. */
  defer(fn) {
    this.cleanups.push(fn);
  }

  async cleanup({ failed }) {
    const problems = [];
    while (this.cleanups.length) {
      const fn = this.cleanups.pop();
      try {
        await Promise.race([fn(), sleep(15000, null, { ref: false }).then(() => { throw new Error('cleanup step timed out'); })]);
      } catch (err) {
        problems.push(`cleanup step failed: ${err?.message ?? err}`);
      }
    }
    // Publishers and clients first, the server last, each by its own PID.
    const order = [...this.procs].reverse();
    for (const proc of order) {
      if (!proc.running) continue;
      const result = await proc.stop(proc.name.startsWith('ffmpeg') ? 'SIGINT' : 'SIGTERM', 10000);
      if (result.timedOut) problems.push(`${proc.name} (pid ${proc.pid}) had to be killed at cleanup`);
    }
    this.agent.destroy();
    if (this.root && !failed && !process.env.E2E_KEEP_TMP) {
      await fs.rm(this.root, { recursive: true, force: true }).catch(() => {});
    }
    return problems;
  }

  /** Log tails of every process, for a failure report. */
  report() {
    const parts = [];
    for (const proc of this.procs) {
      const state = proc.running ? 'running' : `exited code=${proc.result.code} signal=${proc.result.signal}`;
      parts.push(`----- ${proc.name} (pid ${proc.pid}, ${state}), last ${kLogTailLines} lines -----\n${proc.tail()}`);
    }
    if (this.root) parts.push(`----- full logs and files kept in ${this.root} -----`);
    return parts.join('\n');
  }
}

/**
 * node:test `test()` with a Harness: fn(t, h). On failure or timeout the harness's process
 * logs are printed as diagnostics and its temporary files are kept.
 */
export function e2eTest(name, options, fn) {
  if (typeof options === 'function') [options, fn] = [{}, options];
  return test(name, { timeout: 120000, ...options }, async (t) => {
    const h = new Harness(name);
    let finished = false;
    let failed = false;
    // Subtests (t.test) report their failures to the parent without throwing: note them.
    const subtest = t.test.bind(t);
    t.test = (subName, subOptions, subFn) => {
      if (typeof subOptions === 'function') [subOptions, subFn] = [{}, subOptions];
      return subtest(subName, subOptions, async (st) => {
        try {
          await subFn(st);
        } catch (err) {
          failed = true;
          throw err;
        }
      });
    };
    t.after(async () => {
      if (!finished) failed = true; // timed out or cancelled
      const problems = await h.cleanup({ failed });
      for (const problem of problems) t.diagnostic(problem);
      if (failed) for (const line of h.report().split('\n')) t.diagnostic(line);
    });
    try {
      await fn(t, h);
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      finished = true;
    }
  });
}

/**
 * Polls fn() until it returns a truthy value (which is returned). Errors thrown by fn count
 * as "not yet"; the last one is reported on timeout.
 */
export async function waitFor(fn, { timeoutMs = 20000, intervalMs = 200, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${detail}`);
    }
    await sleep(intervalMs);
  }
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export { sleep };
