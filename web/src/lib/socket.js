// socket: one WebSocket to /ws that reconnects with exponential backoff (0.5 s … 15 s, jittered)
// and sends `hello` with the resume map (last shown seq per session) on every (re)connect.
// The owner supplies getResume() and onFrame(frame); onState(state) reports
// 'connecting' | 'online' | 'offline'. send() returns false while disconnected.
export class Socket {
  constructor({ url, getResume, onFrame, onState, onGiveUp }) {
    this.url = url; // string or function returning the URL (the widget's token may change)
    this.getResume = getResume || (() => ({}));
    this.onFrame = onFrame;
    this.onState = onState || (() => {});
    this.onGiveUp = onGiveUp || null; // called after repeated failures before any open
    this.ws = null;
    this.attempt = 0;
    this.failuresBeforeOpen = 0;
    this.timer = null;
    this.stopped = false;
    this.state = 'connecting';
  }

  start() {
    this.stopped = false;
    this._connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000);
    this.ws = null;
  }

  _setState(s) {
    if (this.state !== s) {
      this.state = s;
      this.onState(s);
    }
  }

  _connect() {
    clearTimeout(this.timer);
    this._setState(this.attempt === 0 ? 'connecting' : 'offline');
    const url = typeof this.url === 'function' ? this.url() : this.url;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (_) {
      this._retry(false);
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.failuresBeforeOpen = 0;
      const resume = this.getResume();
      const hello = { type: 'hello' };
      if (resume && Object.keys(resume).length) hello.resume = resume;
      ws.send(JSON.stringify(hello));
      this._setState('online');
    };
    ws.onmessage = (ev) => {
      let f;
      try {
        f = JSON.parse(ev.data);
      } catch (_) {
        return;
      }
      if (f && typeof f.type === 'string') this.onFrame(f);
    };
    ws.onclose = () => {
      if (this.ws === ws) this.ws = null;
      if (!this.stopped) this._retry(opened);
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  _retry(wasOpen) {
    if (this.stopped) return;
    this._setState('offline');
    if (!wasOpen) {
      this.failuresBeforeOpen++;
      if (this.onGiveUp && this.failuresBeforeOpen === 3) this.onGiveUp();
    }
    const base = Math.min(15000, 500 * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 10);
    const delay = base / 2 + Math.random() * (base / 2);
    this.timer = setTimeout(() => this._connect(), delay);
  }

  // Reconnect now (e.g. after the token changed).
  reconnect() {
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = null;
      ws.close();
    }
    this.attempt = 0;
    this._connect();
  }

  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }
}

// A throttle for typing frames: at most one call per `ms`; a call inside the window is deferred
// to its end (trailing edge), so the other side always learns about the latest burst.
export function throttle(fn, ms) {
  let last = 0;
  let timer = null;
  let args = null;
  return (...a) => {
    const now = Date.now();
    if (now - last >= ms) {
      last = now;
      fn(...a);
    } else {
      args = a;
      if (!timer)
        timer = setTimeout(() => {
          timer = null;
          last = Date.now();
          fn(...args);
        }, ms - (now - last));
    }
  };
}
