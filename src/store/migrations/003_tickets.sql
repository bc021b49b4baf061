-- 003_tickets: tickets, their steps and the SLA timers every deadline runs on (issue 6; SPEC N-06,
-- N-13…N-20, N-26, K-11, K-27…K-29, K-33, K-34). Projections of the ticket.* and sla.* events of
-- docs/events.md. Times are ms since the Unix epoch.

-- ticket.created / .claimed / .step / .escalated / .resolved
CREATE TABLE tickets (
	id TEXT PRIMARY KEY, -- "tk_…"
	kind TEXT NOT NULL, -- general|complaint|return|exchange
	type TEXT NOT NULL, -- N-14 problem type (N-12 category or sub-item)
	priority TEXT NOT NULL, -- N-13 pool: P1|P2|P3
	department TEXT NOT NULL, -- logistics|warehouse|tech|legal|product|service
	order_id TEXT, -- N-14 order number
	customer TEXT, -- customer id
	session TEXT, -- the chat it came from (its history is linked), or NULL
	channel TEXT NOT NULL, -- chat|api|form|email
	description TEXT NOT NULL, -- N-14 problem description
	plan TEXT, -- N-14 handling plan
	region TEXT, -- customer region (N-18 remote regions)
	state TEXT NOT NULL, -- open|claimed|resolved
	step TEXT NOT NULL, -- current flow step (N-16 complaint steps, N-18 return/exchange steps)
	claimed_by TEXT, -- user id of the department member or agent who claimed it
	created_by TEXT, -- user id, or NULL for a customer form
	created_ms INTEGER NOT NULL,
	claimed_ms INTEGER,
	resolved_ms INTEGER,
	escalated_to TEXT, -- N-19/N-20: senior|tech|supervisor, or NULL
	progress_hash TEXT UNIQUE, -- N-26: hash of the customer's unguessable progress link
	fields_required INTEGER NOT NULL, -- K-34: required fields for its kind
	fields_filled INTEGER NOT NULL -- K-34: of those, filled at creation
) WITHOUT ROWID;
CREATE INDEX tickets_dept ON tickets(department, state, created_ms);

-- every step of a ticket, in order (progress page, K-33 process compliance)
CREATE TABLE ticket_steps (
	ticket TEXT NOT NULL,
	at_ms INTEGER NOT NULL,
	step TEXT NOT NULL,
	actor TEXT,
	note TEXT, -- shown to the customer when public = 1
	public INTEGER NOT NULL
);
CREATE INDEX ticket_steps_ticket ON ticket_steps(ticket, at_ms);

-- sla.started / .paused / .resumed / .warned / .breached / .stopped: the timer definitions the
-- SLA engine is rebuilt from at start (src/ticket/sla_persist.c)
CREATE TABLE sla_timers (
	id TEXT PRIMARY KEY, -- "tk_…/claim"
	ticket TEXT, -- owning ticket, or NULL
	name TEXT NOT NULL, -- deadline name in policy: claim, answer, accept, solve, audit, ship, …
	basis TEXT NOT NULL, -- wall|business
	start_ms INTEGER NOT NULL,
	due_ms INTEGER NOT NULL,
	warn_ms INTEGER NOT NULL,
	warned INTEGER NOT NULL,
	paused INTEGER NOT NULL,
	left_ms INTEGER NOT NULL, -- while paused: basis ms left to due
	warn_left_ms INTEGER NOT NULL, -- while paused and not warned: basis ms left to warn
	state TEXT NOT NULL, -- running|paused|met|breached|cancelled
	ended_ms INTEGER -- when it was met, breached or cancelled
) WITHOUT ROWID;
CREATE INDEX sla_timers_ticket ON sla_timers(ticket);
CREATE INDEX sla_timers_live ON sla_timers(due_ms) WHERE state IN ('running', 'paused');
