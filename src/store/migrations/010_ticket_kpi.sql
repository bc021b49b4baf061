-- 010_ticket_kpi: tickets in the assessment (issue 6; SPEC K-11, K-27, K-28, K-29, K-33, K-34).
-- Imported tickets, returns and exchanges land in tickets / ticket_steps through the same
-- ticket.* events as live ones; these columns carry what the metrics need and live tickets did
-- not record. kpi_ticket_daily is the per-agent daily rollup of the ticket metrics (local day of
-- the ticket's creation), recomputed with kpi_daily (src/kpi/tickets.c).

ALTER TABLE tickets ADD COLUMN agent TEXT; -- the owning agent given by an import (attribution)
ALTER TABLE tickets ADD COLUMN complex INTEGER NOT NULL DEFAULT 0; -- K-11: a complex problem
ALTER TABLE tickets ADD COLUMN import_hash TEXT; -- imported: hash of its canonical content
CREATE INDEX tickets_created ON tickets(created_ms);

CREATE TABLE kpi_ticket_daily (
	agent TEXT NOT NULL,
	day INTEGER NOT NULL,
	k11_n INTEGER NOT NULL, -- complex tickets
	k11_in INTEGER NOT NULL, -- of those, resolved within 24 h of creation
	k27_n INTEGER NOT NULL, -- returns
	k27_in INTEGER NOT NULL, -- of those, audited within 24 h
	k28_n INTEGER NOT NULL, -- exchanges
	k28_in INTEGER NOT NULL, -- of those, shipped within 48 h (72 h remote)
	k29_n INTEGER NOT NULL, -- resolved tickets
	k29_sum_ms INTEGER NOT NULL, -- their created → resolved time
	k33_n INTEGER NOT NULL, -- resolved returns and complaint tickets
	k33_ok INTEGER NOT NULL, -- of those, flow steps exactly as prescribed
	k34_req INTEGER NOT NULL, -- required N-14 fields of the day's tickets
	k34_filled INTEGER NOT NULL, -- of those, filled
	PRIMARY KEY (agent, day)
) WITHOUT ROWID;
CREATE INDEX kpi_ticket_daily_day ON kpi_ticket_daily(day);
