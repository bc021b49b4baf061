/* html_report.h — `kefu assess --format html` (DESIGN §5.3): one self-contained HTML file with the
 * ranking table and ECharts charts (score distribution per post, grade counts, FRT vs CSAT (D-4),
 * per-agent dimension bars), the minified library inlined. */
#ifndef KEFU_CLI_HTML_REPORT_H
#define KEFU_CLI_HTML_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "base/err.h"

/* Where the library is looked for: $KEFU_ECHARTS, else web/dist/vendor/echarts.min.js under the
 * working directory, else under the source tree (written by `node web/build.mjs`). */
#define HTML_REPORT_ECHARTS "web/dist/vendor/echarts.min.js"

/* Writes the report of an assessment (kpi_assess_results output) to f. Returns 0, or -KEFU_EIO
 * with err naming the missing library and how to get it (nothing is written then). */
int html_report(FILE *f, const json_t *res, struct kefu_err *err);

#endif
