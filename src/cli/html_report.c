/* html_report.c — the HTML assessment report (html_report.h): the §5.3 object embedded as JSON,
 * a ranking table with pay, results and training suggestions, and four ECharts charts drawn by a
 * small inline script; the ECharts library (Apache-2.0) is read at run time from the web build and
 * inlined, so the file opens anywhere without a network. */
#include "cli/html_report.h"

#include <stdlib.h>
#include <string.h>

#include "base/datafile.h"

enum { ECHARTS_MAX_BYTES = 8 << 20 };

static const char *const CHARTS_JS =
    "(function () {\n"
    "  var R = JSON.parse(document.getElementById('kefu-data').textContent);\n"
    "  var A = R.agents || [];\n"
    "  var posts = [];\n"
    "  A.forEach(function (a) { if (posts.indexOf(a.post) < 0) posts.push(a.post); });\n"
    "  function chart(id, opt) {\n"
    "    var c = echarts.init(document.getElementById(id), null, { renderer: 'canvas' });\n"
    "    c.setOption(Object.assign({ animation: false, tooltip: {} }, opt));\n"
    "    return c;\n"
    "  }\n"
    "  var buckets = [];\n"
    "  for (var b = 0; b < 10; b++) buckets.push(b * 10 + '-' + (b * 10 + 10));\n"
    "  chart('c-dist', {\n"
    "    title: { text: '得分分布（按岗位） Score distribution per post', textStyle: { fontSize: 14 } },\n"
    "    legend: { top: 24 }, grid: { top: 60 },\n"
    "    xAxis: { type: 'category', data: buckets, name: '得分 score' },\n"
    "    yAxis: { type: 'value', name: '人数 agents', minInterval: 1 },\n"
    "    series: posts.map(function (p) {\n"
    "      var d = buckets.map(function () { return 0; });\n"
    "      A.forEach(function (a) { if (a.post === p) d[Math.min(9, Math.floor(a.score / 10))]++; });\n"
    "      return { name: p || '-', type: 'bar', data: d };\n"
    "    })\n"
    "  });\n"
    "  var grades = [];\n"
    "  A.forEach(function (a) { if (grades.indexOf(a.grade) < 0) grades.push(a.grade); });\n"
    "  chart('c-grades', {\n"
    "    title: { text: '等级人数 Grade counts', textStyle: { fontSize: 14 } },\n"
    "    xAxis: { type: 'category', data: grades },\n"
    "    yAxis: { type: 'value', minInterval: 1 },\n"
    "    series: [{ type: 'bar', data: grades.map(function (g) {\n"
    "      return A.filter(function (a) { return a.grade === g; }).length; }), label: { show: true, "
    "position: 'top' } }]\n"
    "  });\n"
    "  var pts = [];\n"
    "  A.forEach(function (a) {\n"
    "    var f = a.metrics && a.metrics['K-01'], c = a.metrics && a.metrics['K-06'];\n"
    "    if (f && c && f.value !== null && c.value !== null) pts.push([f.value, c.value * 100, a.id]);\n"
    "  });\n"
    "  chart('c-frt', {\n"
    "    title: { text: '首次响应时间 vs 满意度 FRT vs CSAT (D-4)', textStyle: { fontSize: 14 } },\n"
    "    tooltip: { formatter: function (p) { return p.value[2] + ': ' + p.value[0].toFixed(1) + ' s, ' + "
    "p.value[1].toFixed(1) + '%'; } },\n"
    "    xAxis: { type: 'value', name: 'FRT s', scale: true },\n"
    "    yAxis: { type: 'value', name: 'CSAT %', scale: true },\n"
    "    series: [{ type: 'scatter', symbolSize: 6, data: pts }]\n"
    "  });\n"
    "  var top = A.slice().sort(function (x, y) { return y.score - x.score; }).slice(0, 40);\n"
    "  var dims = [];\n"
    "  top.forEach(function (a) { Object.keys(a.dimensions || {}).forEach(function (d) { if (dims.indexOf(d) "
    "< 0) dims.push(d); }); });\n"
    "  document.getElementById('c-dims').style.height = Math.max(300, 40 + top.length * 18) + 'px';\n"
    "  chart('c-dims', {\n"
    "    title: { text: '各维度得分（前 ' + top.length + ' 名） Points per dimension (top ' + top.length + "
    "')', textStyle: { fontSize: 14 } },\n"
    "    legend: { top: 24 }, grid: { top: 60, left: 90 },\n"
    "    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },\n"
    "    xAxis: { type: 'value', max: 100 },\n"
    "    yAxis: { type: 'category', inverse: true, data: top.map(function (a) { return a.id; }) },\n"
    "    series: dims.map(function (d) {\n"
    "      return { name: d, type: 'bar', stack: 'score', data: top.map(function (a) { return (a.dimensions "
    "|| {})[d] || 0; }) };\n"
    "    })\n"
    "  });\n"
    "})();\n";

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

static const char *sget(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* JSON text safe inside <script>: '<' written as \u003c (only inside strings in JSON). */
static int json_script_cb(const char *buf, size_t size, void *arg)
{
	FILE *f = arg;
	for (size_t i = 0; i < size; i++) {
		if (buf[i] == '<')
			fputs("\\u003c", f);
		else
			fputc(buf[i], f);
	}
	return 0;
}

static void row(FILE *f, const json_t *ag)
{
	fputs("<tr><td class=l>", f);
	esc(f, sget(ag, "id"));
	fputs("</td><td class=l>", f);
	esc(f, sget(ag, "team"));
	fputs("</td><td class=l>", f);
	esc(f, sget(ag, "post"));
	fputs("</td><td class=l>", f);
	esc(f, json_object_get(ag, "scorecard") ? sget(ag, "scorecard") : "");
	if (json_is_true(json_object_get(ag, "trial")))
		fprintf(f, " (trial v%lld)",
			(long long)json_integer_value(json_object_get(ag, "definitions_version")));
	fprintf(f, "</td><td>%lld</td><td>%.1f</td><td class=l>",
		(long long)json_integer_value(json_object_get(ag, "rank")),
		json_number_value(json_object_get(ag, "score")));
	esc(f, sget(ag, "grade"));
	fputs("</td><td class=l>", f);
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(ag, "results"), i, x)
	{
		esc(f, json_string_value(x));
		fputc(' ', f);
	}
	fputs("</td>", f);
	json_t *pay = json_object_get(ag, "pay");
	static const char *const pk[] = {"base", "performance", "bonus"};
	for (int k = 0; k < 3; k++) {
		json_t *v = json_object_get(pay, pk[k]);
		if (json_is_number(v))
			fprintf(f, "<td>%.2f</td>", json_number_value(v));
		else
			fputs("<td></td>", f);
	}
	fputs("<td class=l>", f);
	json_array_foreach(json_object_get(ag, "training"), i, x)
	{
		esc(f, sget(x, "course"));
		fputs(" (", f);
		esc(f, sget(x, "metric"));
		fputs(") ", f);
	}
	fputs("</td></tr>\n", f);
}

int html_report(FILE *f, const json_t *res, struct kefu_err *err)
{
	char path[1024];
	char *lib = NULL;
	size_t len = 0;
	datafile_path("KEFU_ECHARTS", HTML_REPORT_ECHARTS, path, sizeof path);
	if (datafile_read(path, ECHARTS_MAX_BYTES, "echarts", &lib, &len, err) < 0)
		return KEFU_ERR(
		    err, KEFU_EIO, "echarts",
		    "the ECharts library is missing (%.200s): run `npm install && node web/build.mjs`, "
		    "or set KEFU_ECHARTS to echarts.min.js",
		    path);
	fputs("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>kefu 考核报告 ", f);
	esc(f, sget(res, "period"));
	fputs("</title><style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}"
	      "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td.l{text-align:left}"
	      ".charts{display:grid;grid-template-columns:1fr 1fr;gap:1em}.chart{height:320px}"
	      "#c-dims{grid-column:1/3}</style></head><body><h1>考核报告 Assessment ",
	      f);
	esc(f, sget(res, "period"));
	fputs("</h1><p>方案 profile: ", f);
	esc(f, sget(res, "profile"));
	fprintf(f, " · 口径版本 definitions v%lld · %zu 名客服 agents",
		(long long)json_integer_value(json_object_get(res, "definitions_version")),
		json_array_size(json_object_get(res, "agents")));
	if (json_object_get(res, "recorded")) {
		fputs(" · 结果已登记 results recorded ", f);
		esc(f, sget(json_object_get(res, "recorded"), "at"));
	}
	fputs("</p><div class=charts><div id=c-dist class=chart></div><div id=c-grades class=chart></div>"
	      "<div id=c-frt class=chart></div><div id=c-dims class=chart></div></div>\n"
	      "<h2>排名 Ranking</h2><table><tr><th>客服 agent</th><th>组 team</th><th>岗位 post</th>"
	      "<th>考核表 card</th><th>名次 rank</th><th>得分 score</th><th>等级 grade</th>"
	      "<th>结果 results</th><th>基本工资 base</th><th>绩效工资 performance</th><th>奖金 bonus</th>"
	      "<th>培训建议 training</th></tr>\n",
	      f);
	size_t i;
	json_t *ag;
	json_array_foreach(json_object_get(res, "agents"), i, ag) row(f, ag);
	fputs("</table>\n<script id=kefu-data type=\"application/json\">", f);
	json_dump_callback(res, json_script_cb, f, JSON_COMPACT | JSON_REAL_PRECISION(10));
	fputs("</script>\n<script>\n", f);
	fwrite(lib, 1, len, f);
	fputs("\n</script>\n<script>\n", f);
	fputs(CHARTS_JS, f);
	fputs("</script></body></html>\n", f);
	free(lib);
	return 0;
}
