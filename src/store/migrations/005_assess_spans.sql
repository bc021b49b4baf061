-- 005_assess_spans: a period's sums per agent kept for whole calendar months, so a month's
-- assessment reads one row per agent instead of every day row; K-26 counts distinct customers over
-- the whole period, which day rows cannot sum. The rollup keeps every month it touches (local days
-- [day_from, day_to]); kpi_spans lists the spans whose rows are current; clearing a day's rollups
-- drops the spans that contain it. Columns as kpi_daily, summed, plus presence and K-26 counts.
CREATE TABLE kpi_spans (
	day_from INTEGER NOT NULL,
	day_to INTEGER NOT NULL,
	PRIMARY KEY (day_from, day_to)
) WITHOUT ROWID;
CREATE TABLE kpi_span_agents (
	day_from INTEGER NOT NULL,
	day_to INTEGER NOT NULL,
	agent TEXT NOT NULL,
	sessions INTEGER NOT NULL,
	frt_n INTEGER NOT NULL,
	frt_sum_ms INTEGER NOT NULL,
	frt_within INTEGER NOT NULL,
	art_n INTEGER NOT NULL,
	art_sum_ms INTEGER NOT NULL,
	rated INTEGER NOT NULL,
	satisfied INTEGER NOT NULL,
	score_sum INTEGER NOT NULL,
	resolved INTEGER NOT NULL,
	conv INTEGER NOT NULL,
	new_n INTEGER NOT NULL,
	new_conv INTEGER NOT NULL,
	rv_n INTEGER NOT NULL,
	rv_conv INTEGER NOT NULL,
	complaints INTEGER NOT NULL,
	escalated INTEGER NOT NULL,
	online_ms INTEGER NOT NULL,
	presence_days INTEGER NOT NULL, -- days with online_ms > 0
	served INTEGER NOT NULL, -- K-26: distinct customers the agent served in the span
	repurchased INTEGER NOT NULL, -- of those, with a repurchase after one of those sessions
	PRIMARY KEY (day_from, day_to, agent)
) WITHOUT ROWID;
