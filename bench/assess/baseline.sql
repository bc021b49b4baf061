-- baseline.sql — the plain-SQL baseline of bench/assess/run.sh: one month's K-01 (FRT), K-06 (CSAT)
-- and K-10 (FCR) per agent, computed straight from the projections (sessions, messages, ratings)
-- by the rules of docs/metrics.md, without kefu's rollups. Parameters (set by run.sh with
-- .parameter set): :from, :to = the period's local days as ms [from, to). Prints one CSV row per
-- agent: agent, sessions, frt_n, frt_s, rated, csat, fcr (empty = null).
WITH s AS (
	SELECT id, agent, customer, category, opened_ms, coalesce(closed_ms, opened_ms) AS e
	FROM sessions WHERE opened_ms >= :from AND opened_ms < :to AND agent IS NOT NULL
),
-- messages without bot/system, numbered in (at, seq) order; c_rn = the first customer message
m AS (
	SELECT session, at_ms, sender, rn, min(CASE WHEN sender = 'customer' THEN rn END)
	    OVER (PARTITION BY session) AS c_rn
	FROM (SELECT m.session, m.at_ms, m.sender,
		     row_number() OVER (PARTITION BY m.session ORDER BY m.at_ms, m.seq) AS rn
	      FROM s JOIN messages m ON m.session = s.id
	      WHERE m.sender IN ('customer', 'agent'))
),
-- K-01: first round = from the first customer message to the next agent message, capped at 600 s;
-- unanswered counts 600 s unless an agent message came before it (then the session has no FRT)
f AS (
	SELECT session,
	       CASE WHEN ta IS NOT NULL THEN min(ta - t0, 600000)
		    WHEN before THEN NULL ELSE 600000 END AS frt_ms
	FROM (SELECT session,
		     min(CASE WHEN rn = c_rn THEN at_ms END) AS t0,
		     min(CASE WHEN sender = 'agent' AND rn > c_rn THEN at_ms END) AS ta,
		     max(sender = 'agent' AND rn < c_rn) AS before
	      FROM m WHERE c_rn IS NOT NULL GROUP BY session)
),
-- per session: FRT, rating, and FCR (not resolved: solved false, or the same customer opened a
-- session of the same category within [end, end + 72 h])
x AS (
	SELECT s.agent, f.frt_ms, r.score,
	       NOT (coalesce(r.solved = 0, 0) OR EXISTS (
		SELECT 1 FROM sessions s2 WHERE s2.customer = s.customer AND s2.category = s.category
		AND s2.id <> s.id AND s2.opened_ms >= s.e AND s2.opened_ms <= s.e + 259200000)) AS resolved
	FROM s LEFT JOIN f ON f.session = s.id LEFT JOIN ratings r ON r.session = s.id
)
SELECT agent, count(*), count(frt_ms), CASE WHEN count(frt_ms) THEN printf('%.6f', avg(frt_ms) / 1000.0) END, count(score),
       CASE WHEN count(score) THEN printf('%.6f', CAST(sum(score >= 4) AS REAL) / count(score)) END,
       printf('%.6f', CAST(sum(resolved) AS REAL) / count(*))
FROM x GROUP BY agent ORDER BY agent;
