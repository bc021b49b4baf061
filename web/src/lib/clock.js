// clock: the workbench's response-time clocks computed from message times (N-01…N-03).
// FRT runs from the first customer message to the first agent (human) message after it;
// "wait" runs from the oldest customer message not yet answered by an agent. Bot and system
// messages never count as an agent reply.
export function chatClocks(msgs, nowMs) {
  let firstCustomer = null;
  let firstAgent = null;
  let oldestOpen = null;
  const gaps = [];
  for (const m of msgs) {
    const t = Date.parse(m.at);
    if (Number.isNaN(t)) continue;
    if (m.from === 'customer') {
      if (firstCustomer === null) firstCustomer = t;
      if (oldestOpen === null) oldestOpen = t;
    } else if (m.from === 'agent') {
      if (firstCustomer !== null && firstAgent === null) firstAgent = t;
      if (oldestOpen !== null) {
        gaps.push(t - oldestOpen);
        oldestOpen = null;
      }
    }
  }
  const frt = firstCustomer === null ? null : ((firstAgent ?? nowMs) - firstCustomer) / 1000;
  return {
    frt: frt === null ? null : Math.max(0, frt),
    frtRunning: firstCustomer !== null && firstAgent === null,
    wait: oldestOpen === null ? null : Math.max(0, (nowMs - oldestOpen) / 1000),
    art: gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length / 1000 : null,
  };
}

// 'ok' below warn_share of the norm, 'warn' from there up to the norm, 'late' past it.
export function level(seconds, normS, warnShare) {
  if (seconds === null || seconds === undefined || !normS) return 'ok';
  if (seconds > normS) return 'late';
  if (seconds >= normS * (warnShare ?? 0.66)) return 'warn';
  return 'ok';
}

// 75 → "1:15", 5 → "0:05".
export function fmtSecs(s) {
  if (s === null || s === undefined) return '—';
  const n = Math.floor(s);
  const h = Math.floor(n / 3600);
  const m = Math.floor((n % 3600) / 60);
  const sec = String(n % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export const DEFAULT_NORMS = {
  greeting_s: 30,
  frt_s: { web: 15, app: 15, phone: 10, im: 60 },
  art_s: 30,
  art_complex_s: 60,
  warn_share: 0.66,
};

export function frtNorm(norms, channel) {
  const f = (norms && norms.frt_s) || DEFAULT_NORMS.frt_s;
  return f[channel] ?? f.web ?? 15;
}
