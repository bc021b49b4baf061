-- 008_kb_cases: the rest of the knowledge base (issue 7; SPEC KB-1, KB-5, KB-6, N-21, N-25).
-- Projections of kb.* events of docs/events.md. Times are ms since the Unix epoch.

-- kb.article_saved with "case": a case saved from a closed chat (KB-1, KB-5): its source session and
-- the agent who served it (the case's owner for K-41; kb_articles.author is set to that agent)
CREATE TABLE kb_cases (
	article TEXT PRIMARY KEY,
	session TEXT NOT NULL, -- the closed chat it was made from
	agent TEXT NOT NULL, -- who served that chat (author)
	saved_by TEXT, -- who saved it (senior, lead, supervisor, manager)
	at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX kb_cases_session ON kb_cases(session); -- one case per chat

-- kb.bot_handover (KB-6, N-21): the FAQ bot handed a queued chat to a human
CREATE TABLE kb_bot_handovers (
	session TEXT PRIMARY KEY,
	at_ms INTEGER NOT NULL,
	reason TEXT NOT NULL, -- asked|unsure
	to_seq INTEGER NOT NULL -- last message of the bot's part of the chat
) WITHOUT ROWID;

-- kb.query_logged (N-25): normalised customer questions, bot queries and agent searches counted per
-- day (+08:00) for the weekly list of high-frequency questions. Holds customer text (normalised),
-- never written to logs; only the counts, no session or user.
CREATE TABLE kb_query_counts (
	day TEXT NOT NULL, -- YYYY-MM-DD in +08:00
	source TEXT NOT NULL, -- bot|agent
	query TEXT NOT NULL, -- normalised query text
	article TEXT NOT NULL, -- top hit's id, '' for none
	n INTEGER NOT NULL,
	PRIMARY KEY (day, source, query, article)
) WITHOUT ROWID;
