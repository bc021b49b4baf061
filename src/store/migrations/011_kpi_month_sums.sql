-- 011_kpi_month_sums: the people (007) and ticket (010) metrics of a kept calendar month as one row
-- per agent, like kpi_span_agents (005) for the session metrics: a month's assessment reads 500
-- rows instead of summing 15,000 day rows per table (which cost more than the rest of the month's
-- assessment). Filled in the same step as kpi_span_agents (assess_store_span_put) from the day
-- rows, read only while kpi_spans holds the month (a recomputed day drops the month from it).
CREATE TABLE kpi_people_span (
	day_from INTEGER NOT NULL,
	day_to INTEGER NOT NULL,
	agent TEXT NOT NULL,
	viol INTEGER NOT NULL,
	viol_blocked INTEGER NOT NULL,
	security INTEGER NOT NULL,
	viol_sessions INTEGER NOT NULL,
	exam_n INTEGER NOT NULL,
	exam_pass INTEGER NOT NULL,
	np_exam_n INTEGER NOT NULL,
	np_exam_pass INTEGER NOT NULL,
	contrib INTEGER NOT NULL,
	contrib_any INTEGER NOT NULL,
	cited INTEGER NOT NULL,
	cited_any INTEGER NOT NULL,
	collab_n INTEGER NOT NULL,
	collab_sat INTEGER NOT NULL,
	qa_n INTEGER NOT NULL,
	qa_sum INTEGER NOT NULL,
	peer_n INTEGER NOT NULL,
	peer_sum INTEGER NOT NULL,
	self_n INTEGER NOT NULL,
	self_sum INTEGER NOT NULL,
	PRIMARY KEY (day_from, day_to, agent)
) WITHOUT ROWID;
CREATE TABLE kpi_ticket_span (
	day_from INTEGER NOT NULL,
	day_to INTEGER NOT NULL,
	agent TEXT NOT NULL,
	k11_n INTEGER NOT NULL,
	k11_in INTEGER NOT NULL,
	k27_n INTEGER NOT NULL,
	k27_in INTEGER NOT NULL,
	k28_n INTEGER NOT NULL,
	k28_in INTEGER NOT NULL,
	k29_n INTEGER NOT NULL,
	k29_sum_ms INTEGER NOT NULL,
	k33_n INTEGER NOT NULL,
	k33_ok INTEGER NOT NULL,
	k34_req INTEGER NOT NULL,
	k34_filled INTEGER NOT NULL,
	PRIMARY KEY (day_from, day_to, agent)
) WITHOUT ROWID;
-- a store that already keeps months gets their sums now, so every kept month reads the same as
-- before this migration
INSERT INTO kpi_people_span SELECT s.day_from, s.day_to, d.agent,
	sum(d.viol), sum(d.viol_blocked), sum(d.security), sum(d.viol_sessions), sum(d.exam_n),
	sum(d.exam_pass), sum(d.np_exam_n), sum(d.np_exam_pass), sum(d.contrib),
	sum(d.contrib_any), sum(d.cited), sum(d.cited_any), sum(d.collab_n), sum(d.collab_sat),
	sum(d.qa_n), sum(d.qa_sum), sum(d.peer_n), sum(d.peer_sum), sum(d.self_n), sum(d.self_sum)
FROM kpi_spans s JOIN kpi_people_daily d ON d.day >= s.day_from AND d.day <= s.day_to
GROUP BY s.day_from, s.day_to, d.agent;
INSERT INTO kpi_ticket_span SELECT s.day_from, s.day_to, d.agent,
	sum(d.k11_n), sum(d.k11_in), sum(d.k27_n), sum(d.k27_in), sum(d.k28_n), sum(d.k28_in),
	sum(d.k29_n), sum(d.k29_sum_ms), sum(d.k33_n), sum(d.k33_ok), sum(d.k34_req),
	sum(d.k34_filled)
FROM kpi_spans s JOIN kpi_ticket_daily d ON d.day >= s.day_from AND d.day <= s.day_to
GROUP BY s.day_from, s.day_to, d.agent;
