-- 004_kb: the knowledge base (issue 7; SPEC KB-1…KB-6, K-40, K-41). Projections of the kb.* events
-- of docs/events.md. kb_fts indexes kb_articles with kefu's own CJK tokenizer "kefu"
-- (src/kb/tokenizer.c, registered on every connection by src/store/kb_store.c); it is external
-- content, kept in step by the triggers below. Times are ms since the Unix epoch.

-- kb.article_saved: the current version of every article (deleted ones stay, flagged)
CREATE TABLE kb_articles (
	seq INTEGER PRIMARY KEY, -- kb_fts rowid; fixed for an id
	id TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL, -- faq|manual|script|risk|case (KB-1)
	title TEXT NOT NULL, -- an FAQ's question
	body TEXT NOT NULL, -- an FAQ's answer
	alternatives TEXT NOT NULL, -- JSON array of other phrasings of the title
	tags TEXT NOT NULL, -- JSON array
	alt_text TEXT NOT NULL, -- alternatives joined by newlines (indexed)
	tag_text TEXT NOT NULL, -- tags joined by newlines (indexed)
	product TEXT, -- product the article is about, or NULL
	version INTEGER NOT NULL, -- 1, 2, … (KB-4)
	author TEXT, -- who saved version 1 (K-41: a case's owner)
	updated_ms INTEGER NOT NULL,
	updated_by TEXT,
	deleted INTEGER NOT NULL -- 1: withdrawn, not searched
);

-- kb.article_saved: every version, whole, for history and diff views (KB-4)
CREATE TABLE kb_article_versions (
	article TEXT NOT NULL,
	version INTEGER NOT NULL,
	at_ms INTEGER NOT NULL,
	who TEXT, -- user id, or NULL for an import
	note TEXT NOT NULL, -- what changed
	source TEXT NOT NULL, -- import|api|contribution
	contribution TEXT, -- the accepted contribution, if any
	data TEXT NOT NULL, -- JSON object: kind, title, body, alternatives, tags, product, deleted
	PRIMARY KEY (article, version)
) WITHOUT ROWID;

-- kb.contribution_proposed / kb.contribution_reviewed (KB-4, K-40)
CREATE TABLE kb_contributions (
	id TEXT PRIMARY KEY,
	article TEXT, -- NULL: a new article is proposed
	proposer TEXT NOT NULL,
	proposed_ms INTEGER NOT NULL,
	proposal TEXT NOT NULL, -- JSON {"kind","title","body","alternatives","tags","product"}
	note TEXT NOT NULL,
	state TEXT NOT NULL, -- pending|accepted|rejected
	reviewer TEXT,
	reviewed_ms INTEGER,
	review_note TEXT
) WITHOUT ROWID;
CREATE INDEX kb_contributions_state ON kb_contributions(state, proposed_ms);

-- kb.case_cited (KB-5, K-41): one row per citing agent, session and case
CREATE TABLE kb_citations (
	article TEXT NOT NULL,
	agent TEXT NOT NULL, -- who cited
	session TEXT NOT NULL, -- where ("" when outside a session)
	at_ms INTEGER NOT NULL,
	PRIMARY KEY (article, agent, session)
) WITHOUT ROWID;

CREATE VIRTUAL TABLE kb_fts USING fts5(
	title, alt_text, body, tag_text,
	content = 'kb_articles', content_rowid = 'seq', tokenize = 'kefu'
);
CREATE TRIGGER kb_articles_ai AFTER INSERT ON kb_articles WHEN new.deleted = 0
BEGIN
	INSERT INTO kb_fts(rowid, title, alt_text, body, tag_text)
	VALUES (new.seq, new.title, new.alt_text, new.body, new.tag_text);
END;
CREATE TRIGGER kb_articles_au AFTER UPDATE ON kb_articles
BEGIN
	INSERT INTO kb_fts(kb_fts, rowid, title, alt_text, body, tag_text)
	SELECT 'delete', old.seq, old.title, old.alt_text, old.body, old.tag_text WHERE old.deleted = 0;
	INSERT INTO kb_fts(rowid, title, alt_text, body, tag_text)
	SELECT new.seq, new.title, new.alt_text, new.body, new.tag_text WHERE new.deleted = 0;
END;
CREATE TRIGGER kb_articles_ad AFTER DELETE ON kb_articles WHEN old.deleted = 0
BEGIN
	INSERT INTO kb_fts(kb_fts, rowid, title, alt_text, body, tag_text)
	VALUES ('delete', old.seq, old.title, old.alt_text, old.body, old.tag_text);
END;
