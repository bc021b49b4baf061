/* calendar_int.h — internal to src/ticket: the layout of struct calendar, shared by calendar.c
 * (arithmetic) and calendar_load.c (policy parsing). Nothing outside src/ticket includes it. */
#ifndef KEFU_TICKET_CALENDAR_INT_H
#define KEFU_TICKET_CALENDAR_INT_H

#include "ticket/calendar.h"

struct calendar {
	char timezone[48]; /* zone name as written in the policy ("Asia/Shanghai", "+08:00") */
	int offset_min; /* fixed UTC offset, minutes */
	struct cal_hours week[7]; /* 0 = Monday … 6 = Sunday */
	int64_t *holidays; /* local day numbers (days since 1970-01-01), sorted, unique */
	size_t n_holidays;
	int64_t *workdays; /* make-up working days (调休), sorted, unique, never a holiday */
	size_t n_workdays;
};

#define CAL_DAY_MS 86400000LL

#endif
