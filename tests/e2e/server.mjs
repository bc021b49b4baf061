// server.mjs: starts a real `kefu serve` for browser and integration tests, or points at one.
//   const srv = await serverFromEnv();   // KEFU_URL if set, else startServer()
//   srv.url  → "http://127.0.0.1:PORT"; await srv.stop() → SIGTERM, waits, removes the temp dir.
// startServer spawns `${KEFU_BIN:-build/kefu} serve --db <tmp>/kefu.db --listen 127.0.0.1:0 --demo
// --port-file <tmp>/port --static web/dist`, reads the port from the port file and waits for
// /healthz. The server's output goes to <tmp>/server.log (kept and printed when start-up fails;
// KEFU_KEEP_TMP=1 keeps the directory after stop). KEFU_MOCK=1 uses the contract mock instead.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createWriteStream, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function tail(file, n = 40) {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-n).join('\n');
  } catch (_) {
    return '(no log)';
  }
}

export async function startServer(opts = {}) {
  const bin = resolve(repoRoot, opts.bin || process.env.KEFU_BIN || 'build/kefu');
  const staticDir = resolve(repoRoot, opts.staticDir || 'web/dist');
  const timeoutMs = opts.timeoutMs ?? 60000; // ASan start-up (lexicon compile, WAL recovery) on a busy machine
  if (!existsSync(bin)) throw new Error(`kefu binary not found at ${bin} (run make build, or set KEFU_BIN/KEFU_URL)`);
  const dir = await mkdtemp(join(tmpdir(), 'kefu-test-'));
  const portFile = join(dir, 'port');
  const logFile = join(dir, 'server.log');
  const args = [
    'serve',
    '--db', join(dir, 'kefu.db'),
    '--listen', '127.0.0.1:0',
    '--demo',
    '--port-file', portFile,
    '--static', staticDir,
    ...(opts.args || []),
  ];
  const log = createWriteStream(logFile);
  const proc = spawn(bin, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(opts.env || {}) } });
  proc.stdout.pipe(log);
  proc.stderr.pipe(log);
  let exited = null;
  const exitP = new Promise((r) => proc.on('exit', (code, sig) => r((exited = { code, sig }))));

  const fail = async (why) => {
    if (!exited) proc.kill('SIGKILL');
    throw new Error(`${why}\n--- ${bin} ${args.join(' ')}\n--- server.log (${logFile}):\n${await tail(logFile)}`);
  };

  // 1. the port file appears (written once the socket is bound)
  const deadline = Date.now() + timeoutMs;
  let port = 0;
  while (!port) {
    if (exited) return fail(`kefu serve exited early (code ${exited.code}, signal ${exited.sig})`);
    if (Date.now() > deadline) return fail(`no port file after ${timeoutMs} ms`);
    try {
      const s = (await readFile(portFile, 'utf8')).trim();
      if (/^\d+$/.test(s) && +s > 0) port = +s;
    } catch (_) {}
    if (!port) await sleep(50);
  }
  const url = `http://127.0.0.1:${port}`;

  // 2. /healthz answers
  for (;;) {
    if (exited) return fail(`kefu serve exited (code ${exited.code}) before /healthz answered`);
    if (Date.now() > deadline) return fail(`/healthz did not answer within ${timeoutMs} ms`);
    try {
      const r = await fetch(url + '/healthz');
      if (r.ok) break;
    } catch (_) {}
    await sleep(50);
  }

  return {
    url,
    port,
    dir,
    proc,
    logFile,
    log: () => tail(logFile, 200),
    killed: false, // set by a test that kills the server on purpose
    async stop() {
      if (!exited) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => !exited && proc.kill('SIGKILL'), 10000);
        await exitP;
        clearTimeout(timer);
      }
      log.end();
      // KEFU_CHECK_EXIT=1 (scripts/test.sh): a server stopped with SIGTERM must exit 0, so a leak or
      // any sanitizer report in the ASan build fails the test that ran it. A test that killed the
      // server itself (kill -9) is not checked.
      if (process.env.KEFU_CHECK_EXIT && !this.killed && exited && (exited.code !== 0 || exited.sig)) {
        const tailLog = await tail(logFile, 60);
        if (!process.env.KEFU_KEEP_TMP) await rm(dir, { recursive: true, force: true });
        throw new Error(`kefu serve exited with code ${exited.code} signal ${exited.sig} after SIGTERM\n${tailLog}`);
      }
      if (!process.env.KEFU_KEEP_TMP) await rm(dir, { recursive: true, force: true });
      return exited;
    },
  };
}

// KEFU_URL → an already running server (stop() does nothing); KEFU_MOCK=1 → the contract mock;
// otherwise a fresh `kefu serve --demo`.
export async function serverFromEnv(opts = {}) {
  if (process.env.KEFU_URL) {
    const url = process.env.KEFU_URL.replace(/\/+$/, '');
    return { url, external: true, log: async () => '(external server)', stop: async () => {} };
  }
  if (process.env.KEFU_MOCK) {
    const { startMock } = await import('./mock-server.mjs');
    return startMock({ staticDir: resolve(repoRoot, 'web/dist') });
  }
  return startServer(opts);
}
