-- 001_init: the append-only event log and the first projections of docs/events.md.
-- Times are ms since the Unix epoch. JSON columns hold compact JSON text.
-- Hot tables keep few indexes: every commit writes each touched index page to the WAL.

CREATE TABLE events (
	id INTEGER PRIMARY KEY, -- never reused: rows are never deleted
	at_ms INTEGER NOT NULL,
	type TEXT NOT NULL,
	session TEXT,
	actor TEXT,
	data TEXT NOT NULL
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TABLE users (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	display TEXT NOT NULL,
	role TEXT NOT NULL,
	level TEXT NOT NULL,
	team TEXT NOT NULL,
	post TEXT NOT NULL,
	dept TEXT NOT NULL,
	skills TEXT NOT NULL, -- JSON array of skill-group names
	max_chats INTEGER NOT NULL,
	pw_hash TEXT NOT NULL,
	disabled INTEGER NOT NULL,
	created_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE tokens (
	hash TEXT PRIMARY KEY, -- hex of the token hash; the token itself is never stored
	user TEXT NOT NULL,
	expires_ms INTEGER NOT NULL,
	revoked INTEGER NOT NULL,
	created_ms INTEGER NOT NULL,
	client TEXT -- cookie|bearer
) WITHOUT ROWID;

CREATE TABLE presence (
	agent TEXT PRIMARY KEY,
	status TEXT NOT NULL, -- online|away|offline
	since_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE presence_log (
	agent TEXT NOT NULL,
	status TEXT NOT NULL,
	at_ms INTEGER NOT NULL
);

CREATE TABLE customers (
	id TEXT PRIMARY KEY,
	name TEXT,
	phone TEXT,
	type TEXT, -- new|returning|vip
	region TEXT,
	tags TEXT NOT NULL -- JSON array
) WITHOUT ROWID;

CREATE TABLE orders (
	id TEXT PRIMARY KEY,
	customer TEXT,
	at_ms INTEGER,
	amount, -- as given: integer, real or text
	status TEXT,
	item TEXT
) WITHOUT ROWID;
CREATE INDEX orders_customer ON orders(customer, at_ms);

CREATE TABLE sessions (
	id TEXT PRIMARY KEY,
	channel TEXT,
	customer TEXT,
	customer_type TEXT,
	visitor INTEGER NOT NULL,
	category TEXT,
	grp TEXT, -- skill group ("group" in events and JSON)
	region TEXT,
	state TEXT NOT NULL, -- open|queued|assigned|closed
	agent TEXT,
	priority INTEGER NOT NULL, -- 1 = VIP
	opened_ms INTEGER NOT NULL,
	queued_ms INTEGER,
	assigned_ms INTEGER,
	first_customer_ms INTEGER,
	first_agent_ms INTEGER, -- bot and system messages never count
	closed_ms INTEGER,
	summary TEXT,
	last_seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_state ON sessions(state);
CREATE INDEX sessions_customer ON sessions(customer, opened_ms);

CREATE TABLE messages (
	session TEXT NOT NULL,
	seq INTEGER NOT NULL,
	at_ms INTEGER NOT NULL,
	sender TEXT NOT NULL, -- "from": customer|agent|bot|system
	agent TEXT,
	text TEXT NOT NULL,
	client_id TEXT,
	PRIMARY KEY (session, seq)
) WITHOUT ROWID;

CREATE TABLE ratings (
	session TEXT PRIMARY KEY,
	score INTEGER NOT NULL, -- 1..5
	solved INTEGER, -- 1, 0 or NULL (not answered)
	at_ms INTEGER NOT NULL
) WITHOUT ROWID;
