// build.mjs: bundles the three browser apps with esbuild into web/dist/ (run by `make web`).
// Output: dist/{widget,workbench,console,progress}/{index.html,app.js,app.css} and dist/index.html.
// Deterministic (no timestamps; asset URLs carry a content hash), minified, offline.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src');
const dist = join(here, 'dist');

const apps = [
  { dir: 'widget', title: '在线客服 · kefu' },
  { dir: 'workbench', title: '客服工作台 · kefu' },
  { dir: 'console', title: '主管监控台 · kefu' },
  { dir: 'progress', title: '处理进度查询 · kefu' }, // issue 6: the customer's case page (N-26)
];

const t0 = Date.now();
await rm(dist, { recursive: true, force: true });

const result = await build({
  entryPoints: Object.fromEntries(apps.map((a) => [`${a.dir}/app`, join(src, a.dir, 'main.js')])),
  outdir: dist,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  legalComments: 'none',
  charset: 'utf8',
  sourcemap: false,
  metafile: true,
  logLevel: 'warning',
});

const hash = async (file) => createHash('sha256').update(await readFile(file)).digest('hex').slice(0, 10);
const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

for (const a of apps) {
  const out = join(dist, a.dir);
  const js = await hash(join(out, 'app.js'));
  const css = await hash(join(out, 'app.css'));
  // Relative asset paths so the pages work under any prefix (/widget/ → /widget/app.js).
  const page = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(a.title)}</title>
<link rel="stylesheet" href="app.css?v=${css}">
</head>
<body>
<div id="app"></div>
<noscript>请启用 JavaScript / Please enable JavaScript.</noscript>
<script type="module" src="app.js?v=${js}"></script>
</body>
</html>
`;
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'index.html'), page);
}

await writeFile(join(dist, 'index.html'), await readFile(join(src, 'landing.html')));

// ECharts (Apache-2.0) for `kefu assess --format html`: the C binary inlines this file into the
// self-contained report (src/cli/html_report.c finds it as web/dist/vendor/echarts.min.js).
const echarts = join(here, '..', 'node_modules', 'echarts');
await mkdir(join(dist, 'vendor'), { recursive: true });
await writeFile(join(dist, 'vendor', 'echarts.min.js'), await readFile(join(echarts, 'dist', 'echarts.min.js')));
await writeFile(join(dist, 'vendor', 'echarts.LICENSE'), await readFile(join(echarts, 'LICENSE')));
await writeFile(join(dist, 'vendor', 'echarts.NOTICE'), await readFile(join(echarts, 'NOTICE')));

const sizes = Object.entries(result.metafile.outputs)
  .map(([f, o]) => `${f.replace(/^.*dist\//, '')} ${(o.bytes / 1024).toFixed(1)} KB`)
  .join(', ');
console.log(`web: built ${apps.length} apps into web/dist in ${Date.now() - t0} ms (${sizes})`);
