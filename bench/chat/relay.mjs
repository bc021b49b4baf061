// bench/chat/relay.mjs — the baseline of the chat benchmark: a Node relay on the npm `ws` package
// doing kefu's live-chat routing without persistence (customer → assigned agent, ack to the
// sender). One process, one thread of JavaScript; bench/chat/run.sh pins it to one core. It owns
// nothing on disk except the port file it writes.
//
// Protocol (the minimal subset of docs/api.md that wsload drives; frames are JSON objects):
//   connect  ws://HOST:PORT/?role=customer|agent&id=ID
//   hello                         → welcome
//   presence {status:"online"}    → presence (agent becomes routable)
//   open                          → session {id,state:"assigned",agent} to the customer and
//                                   assigned {session:{…}} to the least-loaded online agent
//   send {session,text,client_id} → msg {session,seq,from:"customer",text,at} to the agent,
//                                   then ack {client_id,session,seq,at} to the sender
// Usage: node relay.mjs [--port 0] [--port-file FILE]
import { WebSocketServer } from 'ws';
import { writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
	const i = args.indexOf(name);
	return i >= 0 ? args[i + 1] : dflt;
};
const port = Number(opt('--port', '0'));
const portFile = opt('--port-file', '');

const agents = []; // online agents: {ws, id, load}
const sessions = new Map(); // session id → {agent, seq, customer}

const wss = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 65536, perMessageDeflate: false });

function errorFrame(ws, message, ref) {
	ws.send(JSON.stringify({ type: 'error', code: 'invalid', message, ref: ref ?? null }));
}

wss.on('connection', (ws, req) => {
	const q = new URL(req.url, 'http://x').searchParams;
	const role = q.get('role') === 'agent' ? 'agent' : 'customer';
	const id = q.get('id') || 'anon';
	let me = null; // agent record once online
	ws.on('message', (data) => {
		let f;
		try {
			f = JSON.parse(data);
		} catch {
			return errorFrame(ws, 'invalid JSON');
		}
		switch (f.type) {
		case 'hello':
			ws.send(JSON.stringify({ type: 'welcome', user: { id, role }, sessions: [] }));
			break;
		case 'presence':
			if (role !== 'agent') return errorFrame(ws, 'agents only');
			if (!me && f.status === 'online') {
				me = { ws, id, load: 0 };
				agents.push(me);
			}
			ws.send(JSON.stringify({ type: 'presence', status: f.status }));
			break;
		case 'open': {
			if (role !== 'customer') return errorFrame(ws, 'customers only');
			if (agents.length === 0) return errorFrame(ws, 'no agent online');
			let a = agents[0];
			for (const x of agents) if (x.load < a.load) a = x;
			a.load++;
			const sid = 's_' + id;
			const s = { id: sid, state: 'assigned', customer: id, agent: a.id };
			sessions.set(sid, { agent: a, seq: 0, customer: ws });
			a.ws.send(JSON.stringify({ type: 'assigned', session: s }));
			ws.send(JSON.stringify({ type: 'session', session: s }));
			break;
		}
		case 'send': {
			const s = sessions.get(f.session);
			if (!s || s.customer !== ws) return errorFrame(ws, 'not your session', f.client_id);
			if (typeof f.text !== 'string' || f.text.length === 0)
				return errorFrame(ws, 'text required', f.client_id);
			const seq = ++s.seq;
			const at = new Date().toISOString();
			s.agent.ws.send(JSON.stringify({ type: 'msg', session: f.session, seq, from: 'customer', text: f.text, at }));
			ws.send(JSON.stringify({ type: 'ack', client_id: f.client_id ?? null, session: f.session, seq, at }));
			break;
		}
		default:
			errorFrame(ws, 'unknown type');
		}
	});
	ws.on('close', () => {
		if (me) agents.splice(agents.indexOf(me), 1);
	});
	ws.on('error', () => {});
});

wss.on('listening', () => {
	const p = wss.address().port;
	if (portFile) writeFileSync(portFile, String(p));
	process.stdout.write(`relay listening on 127.0.0.1:${p} pid ${process.pid}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
