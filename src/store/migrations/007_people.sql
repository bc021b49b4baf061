-- 007_people: the people and quality metrics (issue 5; SPEC K-30…K-44, K-52): the projections of the
-- import kinds exam, kb_contribution, case_citation, collab_rating and review, the guard's verdicts
-- against agent messages (live guard.hit events and the guard run over imported agent messages),
-- and their daily rollup per agent (src/kpi/people.c). Times are ms since the Unix epoch; days are
-- local days of the organisation's zone as days since 1970-01-01.

-- exam.recorded (K-42, K-52); pass = passed when given, else score >= pass_mark
CREATE TABLE kpi_exams (
	id TEXT PRIMARY KEY,
	agent TEXT NOT NULL,
	at_ms INTEGER NOT NULL,
	score REAL NOT NULL, -- 0..100
	pass_mark REAL, -- 0..100 or NULL
	passed INTEGER, -- 1, 0 or NULL (not given)
	topic TEXT -- product|policy|new_product|service or NULL
) WITHOUT ROWID;
CREATE INDEX kpi_exams_at ON kpi_exams(at_ms);

-- kb.contribution_imported (K-40): contributions from another system; live ones are kb_contributions
CREATE TABLE kpi_kb_contributions (
	id TEXT PRIMARY KEY,
	agent TEXT NOT NULL,
	at_ms INTEGER NOT NULL, -- the review time (accepted, rejected) or the proposal time (pending)
	article TEXT,
	state TEXT NOT NULL -- accepted|rejected|pending
) WITHOUT ROWID;
CREATE INDEX kpi_kb_contributions_at ON kpi_kb_contributions(at_ms);
CREATE INDEX kb_contributions_reviewed ON kb_contributions(reviewed_ms);

-- kb.case_cited_imported (K-41): a case (its author) cited by an agent; live ones are kb_citations
-- joined with kb_articles.author
CREATE TABLE kpi_case_citations (
	case_id TEXT NOT NULL,
	author TEXT NOT NULL,
	by_agent TEXT NOT NULL,
	at_ms INTEGER NOT NULL,
	session TEXT NOT NULL, -- "" when not given
	PRIMARY KEY (case_id, by_agent, session)
) WITHOUT ROWID;
CREATE INDEX kpi_case_citations_at ON kpi_case_citations(at_ms);
CREATE INDEX kb_citations_at ON kb_citations(at_ms);

-- collab.rated (K-43): a department's rating of an agent, 1..5
CREATE TABLE kpi_collab_ratings (
	id TEXT PRIMARY KEY,
	agent TEXT NOT NULL,
	department TEXT NOT NULL,
	at_ms INTEGER NOT NULL,
	score INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX kpi_collab_ratings_at ON kpi_collab_ratings(at_ms);

-- review.recorded (K-35 qa, K-44 peer, K-44.self self): a score 1..10
CREATE TABLE kpi_reviews (
	id TEXT PRIMARY KEY,
	agent TEXT NOT NULL,
	at_ms INTEGER NOT NULL,
	type TEXT NOT NULL, -- qa|peer|self
	score INTEGER NOT NULL,
	session TEXT,
	reviewer TEXT
) WITHOUT ROWID;
CREATE INDEX kpi_reviews_at ON kpi_reviews(at_ms);

-- guard.hit with role agent (K-30, K-31, K-32): one row per agent message with a hit (a blocked
-- attempt or a delivered message); agent NULL = the session's agent (imported message without agent)
CREATE TABLE kpi_violations (
	session TEXT NOT NULL,
	seq INTEGER NOT NULL, -- the message's seq, 0 for a blocked (never stored) message
	at_ms INTEGER NOT NULL,
	agent TEXT,
	delivered INTEGER NOT NULL, -- 0: blocked before it reached the customer
	security INTEGER NOT NULL, -- 1: delivered with a C-08 hit or a blocking C-07 hit (K-31)
	rules TEXT NOT NULL -- the hit rules, comma-separated ("C-01,C-07")
);
CREATE INDEX kpi_violations_session ON kpi_violations(session);
-- the agent guard verdicts recorded before this migration
INSERT INTO kpi_violations(session, seq, at_ms, agent, delivered, security, rules)
SELECT e.session, coalesce(json_extract(e.data, '$.seq'), 0), e.at_ms, e.actor,
       coalesce(json_extract(e.data, '$.delivered'), 1),
       coalesce(json_extract(e.data, '$.delivered'), 1) AND EXISTS (
	SELECT 1 FROM json_each(e.data, '$.hits') h WHERE json_extract(h.value, '$.rule') = 'C-08'
	OR (json_extract(h.value, '$.rule') = 'C-07' AND json_extract(h.value, '$.severity') = 'block')),
       coalesce((SELECT group_concat(json_extract(h.value, '$.rule')) FROM json_each(e.data, '$.hits') h), '')
FROM events e WHERE e.type = 'guard.hit' AND json_extract(e.data, '$.role') = 'agent'
AND e.session IS NOT NULL;

-- daily rollup per agent and local day (src/kpi/people.c); K-30..K-32 by the day of the session's start
CREATE TABLE kpi_people_daily (
	agent TEXT NOT NULL,
	day INTEGER NOT NULL,
	viol INTEGER NOT NULL, -- agent messages with a guard hit (K-30)
	viol_blocked INTEGER NOT NULL, -- of those, blocked
	security INTEGER NOT NULL, -- K-31
	viol_sessions INTEGER NOT NULL, -- the agent's sessions with >= 1 violating agent message (K-32)
	exam_n INTEGER NOT NULL,
	exam_pass INTEGER NOT NULL,
	np_exam_n INTEGER NOT NULL, -- topic new_product (K-52)
	np_exam_pass INTEGER NOT NULL,
	contrib INTEGER NOT NULL, -- accepted contributions (K-40)
	contrib_any INTEGER NOT NULL, -- contributions in any state (whether K-40 has data)
	cited INTEGER NOT NULL, -- citations of the agent's cases by others (K-41)
	cited_any INTEGER NOT NULL, -- citations recorded, any author (whether K-41 has data)
	collab_n INTEGER NOT NULL,
	collab_sat INTEGER NOT NULL, -- score >= satisfied_min (K-43)
	qa_n INTEGER NOT NULL,
	qa_sum INTEGER NOT NULL,
	peer_n INTEGER NOT NULL,
	peer_sum INTEGER NOT NULL,
	self_n INTEGER NOT NULL,
	self_sum INTEGER NOT NULL,
	PRIMARY KEY (agent, day)
) WITHOUT ROWID;
CREATE INDEX kpi_people_daily_day ON kpi_people_daily(day);
