// cli.test.mjs — `kefu user add|list|passwd` and usage errors on a real store: exit 0 on success,
// 1 on bad input with a message naming the field, 2 on usage errors; the account logs in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, login, api } from './lib.mjs';
import { repoRoot } from '../e2e/server.mjs';

const bin = resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu');
const kefu = (args, input) => spawnSync(bin, args, { input, encoding: 'utf8', cwd: repoRoot });

test('kefu user add, list, passwd on a fresh store; the account logs in', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kefu-cli-'));
  const db = join(dir, 'k.db');
  try {
    let r = kefu(['user', 'add', 'zhang', '--role', 'agent', '--level', 'senior', '--skills', 'presale,aftersale', '--max-chats', '4', '--db', db], 'first-password\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^u_[0-9a-f]{16}\n$/);
    r = kefu(['user', 'add', 'zhang', '--role', 'agent', '--db', db], 'another-password\n');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /name: an account named zhang already exists/);
    r = kefu(['user', 'add', 'li', '--role', 'wizard', '--db', db], 'long-enough-pw\n');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /role/);
    r = kefu(['user', 'add', 'li', '--role', 'agent', '--db', db], 'short\n');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /password/);
    r = kefu(['user', 'add', '--role', 'agent', '--db', db], '');
    assert.equal(r.status, 2, 'missing name is a usage error');
    r = kefu(['user', 'frobnicate', '--db', db]);
    assert.equal(r.status, 2);
    r = kefu(['user', 'list', '--format', 'json', '--db', db]);
    assert.equal(r.status, 0);
    const users = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(users.map((u) => u.name), ['zhang'], 'failed adds stored nothing');
    assert.deepEqual(users[0].skills, ['presale', 'aftersale']);
    assert.ok(!('pw_hash' in users[0]));
    r = kefu(['user', 'passwd', 'zhang', '--db', db], 'second-password\n');
    assert.equal(r.status, 0, r.stderr);
    r = kefu(['user', 'passwd', 'nobody', '--db', db], 'second-password\n');
    assert.equal(r.status, 1);

    const srv = await startServer({ args: ['--db', db] });
    try {
      await assert.rejects(login(srv.url, 'zhang', 'first-password'), /401/);
      const token = await login(srv.url, 'zhang', 'second-password');
      const me = await api(srv.url, 'GET', '/api/v1/me', token);
      assert.equal(me.json.role, 'senior');
      assert.equal(me.json.max_chats, 4);
    } finally {
      await srv.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2 and --help exits 0', () => {
  assert.equal(kefu([]).status, 2);
  assert.equal(kefu(['nonsense']).status, 2);
  assert.equal(kefu(['--help']).status, 0);
  assert.equal(kefu(['serve', '--help']).status, 0);
  assert.equal(kefu(['serve', '--bogus']).status, 2);
  const bad = kefu(['serve', '--listen', 'nowhere']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /listen/);
});
