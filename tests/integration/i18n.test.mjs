// i18n.test.mjs — every text key the web apps pass to t('…') literally has a Simplified Chinese
// and an English text in web/src/i18n.js (a missing one shows the raw key, or Chinese in English
// mode). Keys built at run time (t('tk.state.' + s)) are checked where their prefix has entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(root, 'web/src');

function table(text, name) {
  const start = text.indexOf(`const ${name} = {`);
  assert.ok(start >= 0, `web/src/i18n.js has no "const ${name} = {"`);
  const open = text.indexOf('{', start);
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return new Function(`return ${text.slice(open, i + 1)};`)();
  }
  throw new Error(`web/src/i18n.js: "const ${name}" is not closed`);
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []);
}

test('every text key used by the web apps has a Chinese and an English text', () => {
  const i18n = readFileSync(join(src, 'i18n.js'), 'utf8');
  const zh = table(i18n, 'zh');
  const en = table(i18n, 'en');
  const missing = [];
  let used = 0;
  for (const f of files(src)) {
    if (f.endsWith('i18n.js')) continue;
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'([A-Za-z0-9_.-]+)'/g)) {
      const key = m[1];
      used++;
      if (key.endsWith('.')) { // a prefix completed at run time: some entry must carry it
        if (!Object.keys(zh).some((k) => k.startsWith(key))) missing.push(`${f}: zh ${key}*`);
        if (!Object.keys(en).some((k) => k.startsWith(key))) missing.push(`${f}: en ${key}*`);
        continue;
      }
      if (!(key in zh)) missing.push(`${f.slice(root.length + 1)}: zh '${key}'`);
      if (!(key in en)) missing.push(`${f.slice(root.length + 1)}: en '${key}'`);
    }
  }
  assert.ok(used > 100, `found only ${used} t('…') calls: the scan no longer matches the code`);
  assert.deepEqual(missing, []);
});

test('the Chinese and English tables have the same keys', () => {
  const i18n = readFileSync(join(src, 'i18n.js'), 'utf8');
  const zh = Object.keys(table(i18n, 'zh'));
  const en = Object.keys(table(i18n, 'en'));
  assert.deepEqual(zh.filter((k) => !en.includes(k)), [], 'keys with Chinese text only');
  assert.deepEqual(en.filter((k) => !zh.includes(k)), [], 'keys with English text only');
});
