-- 009_assess_results: recorded assessment results (SPEC A-8), the projection of
-- assess.result_recorded events. One row per (period, profile, agent, result); recording a
-- period+profile a second time is a no-op, so a paid bonus is never silently rewritten.
CREATE TABLE kpi_results (
  period TEXT NOT NULL,
  profile TEXT NOT NULL,
  agent TEXT NOT NULL,
  result TEXT NOT NULL,
  data TEXT NOT NULL, -- the event payload (amounts, grade, score, definitions_version)
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (period, profile, agent, result)
) WITHOUT ROWID;
