-- 006_ticket_email: the email / complaint-form channel (issue 6, N-06) and the end-of-day archive of
-- a case (N-20). Projections of ticket.mailed, mail.queued, mail.sent, mail.failed and
-- ticket.archived (docs/events.md). Times are ms since the Unix epoch.

-- ticket.archived: when the case was archived (N-20: before the end of its day), or NULL
ALTER TABLE tickets ADD COLUMN archived_ms INTEGER;

-- every mail of a ticket, in and out, by its Message-ID: a repeated inbound Message-ID is refused
-- and a reply (In-Reply-To / References) finds its ticket here
CREATE TABLE ticket_mail (
	message_id TEXT PRIMARY KEY, -- without the angle brackets
	ticket TEXT NOT NULL,
	direction TEXT NOT NULL, -- in|out
	address TEXT NOT NULL, -- the customer's address (sender of in, recipient of out)
	subject TEXT NOT NULL,
	at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX ticket_mail_ticket ON ticket_mail(ticket, at_ms);

-- the customer an email address belongs to (found or created on the first mail)
CREATE TABLE customer_emails (
	address TEXT PRIMARY KEY, -- lower case
	customer TEXT NOT NULL
) WITHOUT ROWID;

-- mail.queued / .sent / .failed: agent replies waiting for the mail relay (no network in kefu)
CREATE TABLE mail_outbox (
	id TEXT PRIMARY KEY, -- "mo_…"
	ticket TEXT NOT NULL,
	to_addr TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	message_id TEXT NOT NULL, -- the Message-ID the relay sends it with
	in_reply_to TEXT, -- the customer's Message-ID it answers
	status TEXT NOT NULL, -- queued|sent|failed
	created_ms INTEGER NOT NULL,
	attempts INTEGER NOT NULL, -- failures reported by the relay
	ended_ms INTEGER, -- when it was sent (or last failed)
	error TEXT -- the relay's last error
) WITHOUT ROWID;
CREATE INDEX mail_outbox_status ON mail_outbox(status, created_ms);
