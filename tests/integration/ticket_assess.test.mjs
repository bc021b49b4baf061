// ticket_assess.test.mjs — live tickets in the assessment (issue 6): a ticket an agent creates and
// resolves through a real `kefu serve` counts in that agent's K-29 (and K-34) in `kefu assess`,
// `--explain AGENT K-29` lists it, and `kefu assess --rebuild` gives the same numbers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, login, api, DEMO } from './lib.mjs';
import { repoRoot } from '../e2e/server.mjs';

const bin = resolve(repoRoot, process.env.KEFU_BIN || 'build/kefu');
let srv;
let dir;
let ticket;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kefu-tkassess-'));
  srv = await startServer({ args: ['--db', join(dir, 'kefu.db')] });
  const senior = await login(srv.url, ...DEMO.senior);
  const c = await api(srv.url, 'POST', '/api/v1/tickets', senior, {
    kind: 'general', type: '咨询', priority: 'P3', department: 'product', description: '希望增加夜间配送',
    plan: '转产品部评估', complex: true,
  });
  assert.equal(c.status, 201, c.text);
  const r = await api(srv.url, 'POST', `/api/v1/tickets/${c.json.id}/resolve`, senior, { resolution: '已转交' });
  assert.ok(r.status === 200 || r.status === 202, r.text);
  const g = await api(srv.url, 'GET', `/api/v1/tickets/${c.json.id}`, senior);
  assert.equal(g.status, 200, g.text);
  ticket = g.json;
  assert.equal(ticket.state, 'resolved');
  assert.equal(ticket.complex, 1); // K-11: kept on the ticket
  await srv.stop();
  srv = null;
});
after(async () => {
  await srv?.stop();
  await rm(dir, { recursive: true, force: true });
});

function kefu(...args) {
  const r = spawnSync(bin, [...args, '--db', join(dir, 'kefu.db')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const period = () => ticket.created_at.slice(0, 7); // the local month of its creation

function agentOf(report) {
  const a = report.agents.find((x) => x.id === ticket.created_by);
  assert.ok(a, `${ticket.created_by} in ${report.agents.map((x) => x.id)}`);
  return a;
}

test('a ticket created and resolved through the API counts in its agent\'s K-29, K-11 and K-34', () => {
  const [report] = kefu('assess', '--period', period(), '--format', 'json');
  const m = agentOf(report).metrics;
  assert.equal(m['K-29'].n, 1);
  assert.equal(typeof m['K-29'].value, 'number');
  assert.equal(m['K-29'].unit, 'h');
  assert.equal(m['K-11'].n, 1); // marked complex on create
  assert.equal(m['K-11'].value, 1); // and resolved right away: within 24 h
  assert.equal(m['K-34'].n, 5); // a general ticket without an order: five N-14 fields
  assert.equal(m['K-34'].value, 1);
  assert.equal(m['K-27'].value, null); // no returns: null with n 0
  assert.equal(m['K-27'].n, 0);
  // another agent has no tickets
  const other = report.agents.find((x) => x.id !== ticket.created_by);
  assert.ok(other, 'the demo organisation has other agents');
  assert.equal(other.metrics['K-29'].n, 0);
});

test('--explain AGENT K-29 lists the ticket; --rebuild gives the same numbers', () => {
  const rows = kefu('assess', '--period', period(), '--explain', ticket.created_by, 'K-29');
  assert.equal(rows.length, 1);
  assert.equal(rows[0].ticket, ticket.id);
  assert.equal(rows[0].kind, 'general');
  assert.equal(typeof rows[0].hours, 'number');
  const [before] = kefu('assess', '--period', period(), '--format', 'json');
  kefu('assess', '--rebuild');
  const [after] = kefu('assess', '--period', period(), '--format', 'json');
  for (const id of ['K-11', 'K-27', 'K-28', 'K-29', 'K-33', 'K-34'])
    assert.deepEqual(agentOf(after).metrics[id], agentOf(before).metrics[id], id);
});
