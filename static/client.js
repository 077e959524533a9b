// The one client module every page shares: connect with the right auth, reconnect with
// backoff (also after the server refused or dropped us), estimate the clock offset to the
// server, keep the model in step by seq and `sync`, and keep writes made offline in a
// queue in localStorage until the server has acknowledged them. Pages only render.

import { lang, nt, t } from "/static/i18n.js";
import { io } from "/vendor/socket.io.esm.min.js";
import { applyEvent, fromSnapshot, toSnapshot } from "/static/model.js";

// Writes that are safe to resend: the server answers a repeat with the first result.
const QUEUEABLE = new Set([
  "note.add", "note.support", "note.hide", "note.restore", "keypoint.add", "keypoint.publish",
  "response.log", "correction.submit", "correction.resolve",
  "keypoint.unpublish", "keypoint.remove", "response.withdraw",
  "vote.cast", // a vote again replaces it: a resend after a drop counts once
]);
const NEEDS_CLIENT_ID = new Set(["note.add", "keypoint.add", "response.log", "correction.submit"]);
// Errors that will not go away by sending again: drop the write and tell the user.
const FINAL_ERRORS = new Set(["invalid", "forbidden", "not_found", "too_large", "conflict"]);
const ACK_TIMEOUT_MS = 10000;
const SAVE_EVERY_MS = 1000;
const SAVED_MAX_CHARS = 2_000_000; // localStorage holds about 5 MB a site; leave room

/**
 * Keep this page and the files it loaded for when the network is gone: the service
 * worker (/sw.js) caches them. Browsers allow that only in a secure context (https, or
 * localhost); over a venue's plain http the page keeps its queue while it stays open.
 */
function keepShell() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  const tell = (worker) => {
    const files = performance.getEntriesByType("resource").map((r) => r.name)
      .filter((u) => u.startsWith(location.origin) && !u.includes("/socket.io/"));
    worker?.postMessage({ type: "keep", page: location.href, files });
  };
  navigator.serviceWorker.register("/sw.js", { scope: "/" })
    .then(() => navigator.serviceWorker.ready)
    .then((reg) => {
      tell(reg.active);
      // Files loaded later (markdown-it when a pack shows) are kept the next time.
      setTimeout(() => tell(reg.active), 15000);
    })
    .catch(() => { /* no offline shell: the live page still works */ });
  // A new release took over (its worker replaced the kept files): load it, once, when
  // nobody is typing; drafts and queued writes are in localStorage and survive.
  const hadController = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (!hadController) {
      navigator.serviceWorker.ready.then((reg) => tell(reg.active)); // first install
      return;
    }
    const typing = () => document.activeElement?.matches?.("input, textarea, select, [contenteditable]");
    const reload = () => { if (!typing()) location.reload(); };
    reload();
    document.addEventListener("focusout", () => setTimeout(reload, 500));
    document.addEventListener("visibilitychange", reload);
  });
}

/** A random UUID v4; crypto.randomUUID needs https, a venue server is often plain http. */
export function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const store = {
  get(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch { return fallback; }
  },
  set(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* private mode: memory only */ }
  },
  del(key) { try { localStorage.removeItem(key); } catch { /* ignore */ } },
};

/** The secret at the end of this page's URL: a staff token or a join code. */
export const secretFromPath = () => decodeURIComponent(location.pathname.replace(/\/+$/, "").split("/").pop());

/** The host of `url` when it is this machine itself (phones cannot reach it), else null. */
export function loopbackHost(url) {
  let host;
  try { host = new URL(url).hostname; } catch { return null; }
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  const loop = h === "localhost" || h.endsWith(".localhost") || /^127\./.test(h) || h === "::1"
    || /^::ffff:(127\.|7f)/.test(h);
  return loop ? host : null;
}

const identityKey = (joinCode) => `townhall:participant:${joinCode}`;
const groupIdentityKey = (groupId) => `townhall:group:${groupId}`;

/**
 * What this device holds for a join link: its identity under that code, or else the one
 * it holds for the same group under an earlier code (the code was rotated, a new QR
 * was scanned). {} when it never joined. `groupId` is the group the page says it opens.
 */
export function storedIdentity(joinCode, groupId = null) {
  const own = store.get(identityKey(joinCode), null);
  if (own && (own.token || own.name)) return own;
  return (groupId && store.get(groupIdentityKey(groupId), null)) || {};
}

/**
 * createClient({ token }) for staff and screen, or
 * createClient({ joinCode, groupId, name }) for a participant (remembers the device's
 * token, per join code and per group, so a rotated code still finds it).
 * Listen with client.on("change" | "status" | "event" | "error", fn); call client.start().
 */
export function createClient({ token = null, joinCode = null, groupId = null, name = null } = {}) {
  const idKey = joinCode ? identityKey(joinCode) : null;
  const identity = idKey ? { ...storedIdentity(joinCode, groupId) } : {};
  if (name) identity.name = name;
  // A participant's queue follows its identity (the code it first joined with), so notes
  // written before a rotation still go out from the new link.
  const queueKey = identity.queueKey ?? `townhall:queue:${joinCode ?? token}`;
  if (idKey) identity.queueKey = queueKey;
  let queue = store.get(queueKey, []);
  // What this device last saw, so a reload with no network still shows the day.
  const savedKey = queueKey.replace(/^townhall:queue:/, "townhall:saved:");
  const listeners = { change: [], status: [], event: [], error: [] };
  const emit = (kind, arg) => {
    listeners[kind].forEach((fn) => fn(arg));
    if (kind === "change") saveSoon();
  };

  const client = {
    model: null,
    offset: 0, // server clock minus ours, in ms
    rtt: null,
    status: { state: "connecting", pending: queue.length, message: "" },
    on(kind, fn) { listeners[kind].push(fn); return client; },
    /** Server time now, in ms: use it for every countdown. */
    now: () => Date.now() + client.offset,
    pending: () => queue.slice(),
    identity: () => ({ ...identity }),
    start,
    send,
    forget,
    everySecond,
  };

  const socket = io({
    autoConnect: false,
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    randomizationFactor: 0.5,
    auth: (cb) => cb(authPayload()),
  });
  client.socket = socket;

  function authPayload() {
    if (token) return { token };
    if (identity.token) return { token: identity.token };
    return { join_code: joinCode, name: identity.name };
  }

  function setStatus(state, message = "", code = null) {
    const notesOnly = queue.every((item) => item.name === "note.add");
    client.status = { state, pending: queue.length, pendingNoun: notesOnly ? "note" : "change", message, code };
    emit("status", client.status);
  }

  // -- reconnect: socket.io retries a dropped transport itself, but not a refusal or a
  // server-side disconnect; those we retry here, with the same backoff and jitter.
  let retries = 0;
  let retryTimer = null;
  function retryLater() {
    clearTimeout(retryTimer);
    const delay = Math.min(15000, 500 * 2 ** Math.min(retries++, 5)) * (0.75 + Math.random() / 2);
    retryTimer = setTimeout(() => socket.connect(), delay);
  }

  socket.on("connect_error", (err) => {
    const code = err?.data?.code;
    if (code === "bad_token" && !token && joinCode && identity.name) {
      // The server no longer knows this device (a new day in the data dir): join again.
      delete identity.token;
      store.set(idKey, identity);
      if (identity.groupId) store.del(groupIdentityKey(identity.groupId));
      retries = 0;
      retryLater();
      return;
    }
    if (code && code !== "unavailable") {
      setStatus("refused", err.message, code);
      emit("error", { code, message: err.message });
      return;
    }
    setStatus("reconnecting", t("Reconnecting…"));
    if (!socket.active) retryLater();
  });

  // The organiser replaced this page's link (CONTRACT §11): say so, and stop trying.
  let revoked = false;
  socket.on("revoked", (r) => {
    revoked = true;
    // Said by the page itself, in its language: the server's words are for logs.
    setStatus("refused", "", "revoked");
    emit("error", { code: r?.code ?? "bad_token", message: r?.message ?? "" });
  });

  socket.on("disconnect", (reason) => {
    if (revoked) return;
    setStatus("reconnecting", t("Reconnecting…"));
    if (reason === "io server disconnect") retryLater();
  });

  socket.on("welcome", async (w) => {
    retries = 0;
    client.restoredAt = null;
    if (w.token && idKey) {
      identity.token = w.token;
      identity.participantId = w.participant_id;
      identity.groupId = w.group_id;
      store.set(idKey, identity);
      store.set(groupIdentityKey(w.group_id), identity);
    }
    const early = buffered.filter((e) => e.seq > w.last_seq);
    buffered = [];
    client.model = fromSnapshot(w);
    sampleClock(w.server_time, null);
    early.forEach((e) => applyEvent(client.model, e));
    emit("change", client.model);
    setStatus("connected");
    // Close any gap between the snapshot and the live stream, then send what waited.
    await resync();
    calibrate();
    flush();
  });

  // Log events arrive one (`event`) or several at a time (`events`, CONTRACT §7), in seq
  // order; a page redraws once per message, not once per event.
  let buffered = [];
  function receive(list) {
    if (!client.model) { buffered.push(...list); return; }
    let changed = false;
    for (const e of list) {
      if (applyEvent(client.model, e)) { changed = true; emit("event", e); }
    }
    if (changed) emit("change", client.model);
  }
  socket.on("event", (e) => receive([e]));
  socket.on("events", (list) => { if (Array.isArray(list)) receive(list); });
  // A poll's tally while it is open (CONTRACT §9), at most twice a second; `results` is
  // absent when the poll hides them until the close.
  socket.on("poll.results", (r) => {
    const poll = client.model?.polls.get(r?.poll_id);
    if (!poll || poll.closed_at != null) return;
    poll.results = r.results ?? { voters: r.voters };
    emit("change", client.model);
  });
  // How many are in this phone's group: a count, sent at most twice a second, instead
  // of every arrival's name.
  socket.on("presence", (p) => {
    const g = client.model?.groups.find((x) => x.id === p?.group_id);
    if (!g || typeof p.joined !== "number") return;
    g.joined = p.joined;
    emit("change", client.model);
  });

  // After a code rotation or a new group staff get the current codes (never logged). A
  // facilitator's page keeps its own group's code only; the rest follow every group.
  socket.on("join", (codes) => {
    if (!client.model || !codes || typeof codes !== "object") return;
    const own = client.model.role === "facilitator" ? client.model.groupId : null;
    for (const [gid, code] of Object.entries(codes)) {
      if (typeof code === "string" && (own == null || gid === own)) client.model.join[gid] = code;
    }
    emit("change", client.model);
  });
  // The organiser's links (the `townhall links --json` object) after the same changes.
  socket.on("links", (links) => {
    if (!client.model || !links || typeof links !== "object") return;
    client.model.links = links;
    emit("change", client.model);
  });

  async function resync() {
    let more = true;
    while (more && socket.connected) {
      const ack = await call("sync", { since: client.model.lastSeq }).catch(() => null);
      if (!ack?.ok) return;
      let changed = false;
      for (const e of ack.events) {
        if (applyEvent(client.model, e)) { changed = true; emit("event", e); }
      }
      // `until` covers events we may not see: nothing at or below it is missing.
      if (ack.until > client.model.lastSeq) client.model.lastSeq = ack.until;
      more = ack.more;
      if (changed) emit("change", client.model);
    }
  }

  // -- clock: offset = server time at the middle of the round trip minus ours; keep the
  // sample with the shortest round trip among recent ones, refresh every minute.
  let samples = [];
  function sampleClock(serverTime, rtt, sentAt = Date.now()) {
    const offset = serverTime - (rtt == null ? sentAt : sentAt + rtt / 2);
    samples.push({ offset, rtt: rtt ?? Infinity, at: Date.now() });
    samples = samples.filter((s) => Date.now() - s.at < 5 * 60000).slice(-12);
    const best = samples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
    client.offset = Math.round(best.offset);
    client.rtt = Number.isFinite(best.rtt) ? best.rtt : null;
  }

  let calibrating = false;
  async function calibrate(rounds = 5) {
    if (calibrating) return;
    calibrating = true;
    try {
      for (let i = 0; i < rounds && socket.connected; i++) {
        const sentAt = Date.now();
        const t0 = performance.now();
        const ack = await call("time").catch(() => null);
        if (ack?.ok) sampleClock(ack.server_time, performance.now() - t0, sentAt);
      }
      emit("change", client.model);
    } finally {
      calibrating = false;
    }
  }
  setInterval(() => socket.connected && calibrate(3), 60000);

  // -- writes --------------------------------------------------------------------

  function call(name, payload) {
    return socket.timeout(ACK_TIMEOUT_MS).emitWithAck(name, payload ?? {});
  }

  /**
   * Send a command. Safe-to-repeat writes are queued (in localStorage) while offline
   * and resolve once the server has them; others need a live connection.
   */
  function send(name, payload = {}) {
    const body = { ...payload };
    if (NEEDS_CLIENT_ID.has(name) && !body.client_id) body.client_id = uuid();
    if (!QUEUEABLE.has(name)) {
      if (!socket.connected) {
        return Promise.resolve({ ok: false, error: { code: "offline", message: t("Not connected: try again when the connection is back.") } });
      }
      return call(name, body).catch(() => ({ ok: false, error: { code: "timeout", message: t("No answer from the server: check and try again.") } }));
    }
    const item = { id: uuid(), name, payload: body, queuedAt: Date.now() };
    queue.push(item);
    store.set(queueKey, queue);
    setStatus(client.status.state, client.status.message, client.status.code);
    return new Promise((resolve) => {
      waiters.set(item.id, resolve);
      flush();
    });
  }

  const waiters = new Map();
  let flushing = false;
  async function flush() {
    if (flushing || !socket.connected || !client.model) return;
    flushing = true;
    try {
      while (queue.length && socket.connected) {
        const item = queue[0];
        let ack;
        try {
          ack = await call(item.name, item.payload);
        } catch {
          break; // no answer: keep it, try again on the next connect or write
        }
        if (!ack.ok && !FINAL_ERRORS.has(ack.error?.code)) {
          setTimeout(flush, ack.error?.code === "rate_limited" ? 5000 : 2000);
          break;
        }
        queue.shift();
        store.set(queueKey, queue);
        if (!ack.ok) emit("error", { ...ack.error, item });
        waiters.get(item.id)?.(ack);
        waiters.delete(item.id);
        setStatus(client.status.state, client.status.message, client.status.code);
      }
    } finally {
      flushing = false;
    }
  }

  /**
   * Call `fn` each time the shown countdown changes its second, aligned to server time:
   * a fixed interval flips digits at a random phase, so screens side by side would
   * disagree by up to the interval. Returns a function that stops it.
   */
  function everySecond(fn) {
    let timer = null;
    const step = () => {
      fn();
      const t = client.model?.timer;
      const now = client.now();
      const left = t?.status === "running" ? t.ends_at - now : null;
      const wait = left == null ? 1000 - (now % 1000) : ((left % 1000) + 1000) % 1000;
      timer = setTimeout(step, (wait || 1000) + 3);
    };
    step();
    return () => clearTimeout(timer);
  }

  // -- the day as last seen, kept on the device -------------------------------------

  let saveTimer = null;
  function saveSoon() {
    if (saveTimer != null || !client.model || (!token && !identity.token)) return;
    saveTimer = setTimeout(() => {
      saveTimer = null;
      const saved = { ...toSnapshot(client.model), offset: client.offset, saved_at: Date.now() };
      const text = JSON.stringify(saved);
      if (text.length < SAVED_MAX_CHARS) {
        try { localStorage.setItem(savedKey, text); } catch { /* full or private: the live page still works */ }
      }
    }, SAVE_EVERY_MS);
  }

  /** Show what this device last saw until the server answers (a reload offline). */
  function restore() {
    const saved = store.get(savedKey, null);
    if (!saved?.snapshot || client.model) return;
    try {
      client.model = fromSnapshot(saved);
    } catch {
      return; // from an older version of the page: wait for the server
    }
    client.offset = saved.offset ?? 0;
    client.restoredAt = saved.saved_at ?? null;
    emit("change", client.model);
  }

  // The network came back (the phone's Wi-Fi, not the server): try now, not at the
  // end of a back-off that may have grown long while it was gone.
  window.addEventListener("online", () => { if (!socket.connected) socket.connect(); });

  function start() {
    restore();
    setStatus("connecting", client.model ? t("Offline: showing what this device last saw") : t("Connecting…"));
    socket.connect();
    keepShell();
    return client;
  }

  /** Forget this device's identity (a participant leaving the group on this phone). */
  function forget() {
    if (idKey) store.del(idKey);
    if (identity.groupId) store.del(groupIdentityKey(identity.groupId));
    store.del(queueKey);
    store.del(savedKey);
  }

  return client;
}

/** The status line every page shows, in words a person understands, in their language. */
export function describeStatus(status) {
  const n = status.pending ?? 0;
  const notes = status.pendingNoun === "note";
  switch (status.state) {
    case "connected":
      if (!n) return t("Connected");
      return notes ? nt("Sending — your note is saved and will be sent", "Sending — {n} notes are saved and will be sent", n)
        : nt("Sending — your change is saved and will be sent", "Sending — {n} changes are saved and will be sent", n);
    case "refused": return refusal(status);
    case "connecting":
      if (!n) return t("Connecting…");
      return notes ? nt("Connecting… — your note is saved and will be sent", "Connecting… — {n} notes are saved and will be sent", n)
        : nt("Connecting… — your change is saved and will be sent", "Connecting… — {n} changes are saved and will be sent", n);
    default:
      if (!n) return t("Reconnecting");
      return notes ? nt("Reconnecting — your note is saved and will be sent", "Reconnecting — {n} notes are saved and will be sent", n)
        : nt("Reconnecting — your change is saved and will be sent", "Reconnecting — {n} changes are saved and will be sent", n);
  }
}

// Why the server would not let this device in, by the refusal's code (realtime.py). In
// English the server's own message says it precisely; other languages say what the code means.
const REFUSALS = {
  bad_token: () => t("This link is not valid any more: ask the organiser for a new one."),
  revoked: () => t("The organiser replaced this link: this page has stopped. Ask the organiser for the new link."),
  bad_join_code: () => t("This join code is not valid any more: scan the QR code on your table again."),
  bad_name: () => t("That name could not be used: please enter your first name again."),
  bad_auth: () => t("This link is incomplete: open the whole link again."),
  rate_limited: () => t("Too many attempts from this network: wait a minute, then try again."),
};

function refusal(status) {
  if (lang === "en" && status.message) return status.message;
  return REFUSALS[status.code]?.() ?? t("The server refused this link");
}
