-- 002_assess: what the assessment engine (issue 5, SPEC §6 K-, §7 A-) adds to the model.
-- Imported records land in the same projections as live chat (sessions, messages, ratings,
-- customers, orders); the tables below hold what live chat has no table for, plus the daily
-- rollups per agent that `kefu assess` reads and `kefu assess --rebuild` recomputes.
-- Days are local days of the organisation's time zone, as days since 1970-01-01.

-- agent.imported: agents known from imported files (live agents are `users` rows)
CREATE TABLE kpi_agents (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	team TEXT NOT NULL,
	post TEXT NOT NULL, -- presale|aftersale|complaint
	level TEXT -- junior|senior|lead|supervisor|manager or NULL
) WITHOUT ROWID;

ALTER TABLE sessions ADD COLUMN complex INTEGER; -- 1, 0 or NULL (not given)
ALTER TABLE orders ADD COLUMN new_product INTEGER; -- 1, 0 or NULL
ALTER TABLE orders ADD COLUMN recommended INTEGER; -- 1, 0 or NULL
CREATE INDEX sessions_opened ON sessions(opened_ms);
CREATE INDEX presence_log_agent ON presence_log(agent, at_ms);

-- complaint.recorded (K-20, K-21)
CREATE TABLE complaints (
	id TEXT PRIMARY KEY,
	customer TEXT NOT NULL,
	at_ms INTEGER NOT NULL,
	agent TEXT, -- as given; attribution falls back to the session's agent
	order_id TEXT,
	session TEXT,
	escalated INTEGER -- 1, 0 or NULL
) WITHOUT ROWID;
CREATE INDEX complaints_at ON complaints(at_ms);

-- presence.interval: an interval an agent was online (K-03, K-05); live presence is presence_log
CREATE TABLE presence_intervals (
	agent TEXT NOT NULL,
	from_ms INTEGER NOT NULL,
	to_ms INTEGER NOT NULL,
	PRIMARY KEY (agent, from_ms, to_ms)
) WITHOUT ROWID;

-- one row per imported file (sha-256 of its bytes): importing the same file again changes nothing
CREATE TABLE import_files (
	hash TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	lines INTEGER NOT NULL,
	at_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- daily rollup per agent and local day of the session start (DESIGN §5.2); sums in ms
CREATE TABLE kpi_daily (
	agent TEXT NOT NULL,
	day INTEGER NOT NULL,
	sessions INTEGER NOT NULL, -- K-03, K-10, K-13, K-20 denominators
	frt_n INTEGER NOT NULL, -- sessions with an FRT (K-01)
	frt_sum_ms INTEGER NOT NULL,
	frt_within INTEGER NOT NULL, -- K-01.within_target numerator
	art_n INTEGER NOT NULL, -- counted rounds (K-02)
	art_sum_ms INTEGER NOT NULL,
	rated INTEGER NOT NULL, -- K-06 denominator
	satisfied INTEGER NOT NULL, -- ratings with score >= satisfied_min
	score_sum INTEGER NOT NULL, -- K-06.mean numerator
	resolved INTEGER NOT NULL, -- K-10 numerator
	conv INTEGER NOT NULL, -- sessions credited with an order (K-13)
	new_n INTEGER NOT NULL, -- sessions of new customers
	new_conv INTEGER NOT NULL,
	rv_n INTEGER NOT NULL, -- sessions of returning or vip customers
	rv_conv INTEGER NOT NULL,
	complaints INTEGER NOT NULL, -- complaints with at on this day (K-20)
	escalated INTEGER NOT NULL, -- K-21 numerator
	online_ms INTEGER NOT NULL, -- merged presence within this day (K-03, K-05)
	PRIMARY KEY (agent, day)
) WITHOUT ROWID;
CREATE INDEX kpi_daily_day ON kpi_daily(day);

-- K-26: customers served by an agent on a day, and whether one of those sessions was followed by
-- an order within the repurchase window
CREATE TABLE kpi_customer_day (
	agent TEXT NOT NULL,
	day INTEGER NOT NULL,
	customer TEXT NOT NULL,
	repurchased INTEGER NOT NULL,
	PRIMARY KEY (agent, day, customer)
) WITHOUT ROWID;
CREATE INDEX kpi_customer_day_day ON kpi_customer_day(day);

-- local days whose rollups are stale (marked as events arrive, cleared by the refresh)
CREATE TABLE kpi_dirty (
	day INTEGER PRIMARY KEY
);
