// Load generator for townhall and the bare relays (bench/README.md).
//
//   node bench/loadgen.mjs CONFIG.json      (bench/run.py writes the config)
//
// One process drives the participants and facilitators of some groups (a group is
// never split between processes, so every check is local), its own screen, and (the
// first process) the lead. Phases run in the order of `config.phases`; between them
// the process prints {"type":"barrier"} on stdout and waits for a line on stdin
// (run.py lines all processes up and measures the servers meanwhile), unless
// `config.solo` is set. A phase listed in `config.chain` follows the previous one at
// once: the process only prints {"type":"mark"} (run.py samples the servers, nobody
// waits). Results: JSON lines on stdout, and the raw samples in `config.out`.
//
// The server may send `event` (one log event) or `events` (a list of log events in
// ascending seq, CONTRACT §7); each element of a list is checked exactly like an
// `event` (doubled, out of order, lost).
//
// The `polls` phase (vote-* scenarios, townhall only: the relays have no polls) opens
// hall polls from the lead, has every participant vote at a random moment of the vote
// window (some change their vote once), keeps notes flowing, and records every
// `poll.results` the screen receives with its arrival time.
import { io } from "socket.io-client";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";

const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const P = cfg.proc_index ?? 0;
const TOWNHALL = cfg.system === "townhall";
const ACK_TIMEOUT = cfg.ack_timeout_ms ?? 15000;
const SUPPORTS_PER_NOTE = cfg.supports_per_note ?? 0.5;
// townhall refuses a participant's 31st note within 60 s: never plan more than 25.
const MIN_GAP_S = TOWNHALL ? 2.4 : 0;

const now = () => performance.now();                       // ms, monotonic
const wall = () => performance.timeOrigin + performance.now(); // ms since epoch
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const r1 = (x) => Math.round(x * 10) / 10;

// -- stdin barriers ------------------------------------------------------------
const waiting = [];
const lines = [];
if (!cfg.solo) {
  createInterface({ input: process.stdin }).on("line", (l) => {
    if (waiting.length) waiting.shift()(l); else lines.push(l);
  });
}
async function barrier(name, info = {}) {
  out({ type: "barrier", proc: P, name, t: wall(), ...info });
  if (cfg.solo) return "go";
  return lines.length ? lines.shift() : new Promise((r) => waiting.push(r));
}
// A phase boundary nobody waits for: run.py samples the servers when every process has
// printed it.
function mark(name, info = {}) { out({ type: "mark", proc: P, name, t: wall(), ...info }); }

// -- measurement -----------------------------------------------------------------
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const phases = {}; // name -> stats
let phase = "setup";
function stats(name = phase) {
  return (phases[name] ??= {
    join: [], note_ack: [], write_ack: [], deliver: [], deliver_early: [], deliver_late: [],
    kp_screen: [], broadcast: [],
    resync: [], rewelcome: [], notes_sent: 0, notes_acked: 0, writes_acked: 0, supports_sent: 0,
    errors: {}, skipped_offline: 0, connect_errors: 0, started: now(), ended: null,
    cpu0: process.cpuUsage(), cpu: null, loop: null,
  });
}
function err(st, code) { st.errors[code] = (st.errors[code] ?? 0) + 1; }
function startPhase(name) { phase = name; loop.reset(); const st = stats(name); st.started = now(); st.cpu0 = process.cpuUsage(); return st; }
function endPhase(st) {
  st.ended = now();
  const c = process.cpuUsage(st.cpu0);
  st.cpu = r1(((c.user + c.system) / 1000) / (st.ended - st.started) * 100);
  st.loop = { p99_ms: r1(loop.percentile(99) / 1e6), max_ms: r1(loop.max / 1e6) };
}
function pct(a, p) {
  if (!a.length) return null;
  const s = Float64Array.from(a).sort();
  return r1(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]);
}
const summary = (a) => ({ n: a.length, p50: pct(a, 50), p99: pct(a, 99), max: a.length ? r1(Math.max(...a)) : null });

// Global tallies, across phases.
const tally = { doubled: 0, doubled_client_id: 0, overlap: 0, out_of_order: 0, resent: 0,
  resend_changed_id: 0, connect_errors: {}, disconnects: 0, failed_joins: 0,
  // What arrived on the wire: `event` messages, `events` messages and the log events in
  // them, malformed `events` (not a list), per role the log events received and the
  // `participant.joined` among them, and other messages by name (e.g. a group-size count).
  event_msgs: 0, events_msgs: 0, events_in_lists: 0, bad_events_msgs: 0, received: {}, joined_seen: {},
  other_msgs: {} };
const KNOWN_MSGS = new Set(["welcome", "event", "events"]);
const pendingNotes = new Map(); // client_id -> {t, c, phase, step, acked, delivered, note_id, seq}
const ackedByGroup = new Map(); // group -> Map(note_id -> seq)
const kpPublish = new Map();    // keypoint_id -> {t, phase, acked}
const pollResults = [];          // every poll.results at the screen: {t, poll_id, voters, results}
const pollEvents = new Map();     // poll_id -> {opened_t, closed_t, closed_results} at the screen
let writing = false;
let rampStep = null;
let lastEventAt = 0;

// -- clients ---------------------------------------------------------------------
const clients = [];
const urls = cfg.urls;
let rr = P;
class Client {
  constructor(kind, idx, group, auth) {
    this.kind = kind; this.idx = idx; this.group = group; this.auth = auth;
    this.url = urls[rr++ % urls.length];
    this.seen = new Map(); // seq -> "w" (wire) | "s" (sync)
    this.notes = new Set(); // note ids received
    this.noteCids = new Set();
    this.kps = new Set();
    this.lastSeq = 0; this.maxWire = 0; this.welcomeLastSeq = null;
    this.n = 0; this.timer = null; this.resend = [];
    this.dropped = false; this.resyncedAt = null; this.welcomed = null;
    clients.push(this);
  }
  // The socket object without a connection: a storm creates them all beforehand, so
  // opening 1,000 connections within 0.2 s costs the generator only the connecting.
  prepare() {
    if (this.sock) return this;
    const s = this.sock = io(this.url, {
      transports: ["websocket"], forceNew: true, reconnection: true,
      reconnectionDelay: 1000, reconnectionDelayMax: 5000, randomizationFactor: 0.5,
      timeout: 30000, auth: this.auth, autoConnect: false,
    });
    s.on("welcome", (w) => this.onWelcome(w));
    s.on("event", (e) => { tally.event_msgs++; this.onEvent(e, "w"); });
    s.on("events", (list) => { // CONTRACT §7: several log events in one message
      if (!Array.isArray(list)) { tally.bad_events_msgs++; return; }
      tally.events_msgs++; tally.events_in_lists += list.length;
      for (const e of list) this.onEvent(e, "w");
    });
    s.on("connect_error", (e) => {
      const code = e?.data?.code ?? e?.message ?? "error";
      tally.connect_errors[code] = (tally.connect_errors[code] ?? 0) + 1;
      stats().connect_errors++;
    });
    s.on("disconnect", () => { tally.disconnects++; });
    if (this.kind === "screen") {
      // poll.results is not a log event: every one, with its arrival time (phasePolls)
      s.on("poll.results", (m) => { if (m && typeof m === "object") pollResults.push({ t: now(), ...m }); });
    }
    s.onAny((name) => { if (!KNOWN_MSGS.has(name)) tally.other_msgs[name] = (tally.other_msgs[name] ?? 0) + 1; });
    return this;
  }
  connect() {
    this.prepare();
    const welcomed = new Promise((resolve) => { this.resolveWelcome = resolve; });
    this.t0 = now();
    this.sock.connect();
    return welcomed;
  }
  onWelcome(w) {
    const t = now();
    if (this.welcomeLastSeq === null) {
      this.welcomed = t;
      stats().join.push(t - this.t0);
      this.welcomeLastSeq = w.last_seq;
      this.lastSeq = Math.max(this.lastSeq, w.last_seq);
      this.snapshot = this.kind === "lead" ? w.snapshot : null;
      if (w.token) this.sock.auth = { token: w.token }; // a returning participant
      this.resolveWelcome?.(t);
      return;
    }
    if (this.dropped) { stats().rewelcome.push(t - dropAt); this.resync(); }
  }
  async resync() {
    // As a phone does after any reconnect: `sync` from the last seq it saw, page by page.
    let since = this.lastSeq;
    for (;;) {
      let a;
      try { a = await this.sock.timeout(ACK_TIMEOUT).emitWithAck("sync", { since }); }
      catch (e) { err(stats(), "sync_timeout"); continue; }
      if (!a?.ok) { err(stats(), "sync_" + (a?.error?.code ?? "bad")); return; }
      for (const e of a.events) this.onEvent(e, "s");
      if (!a.more) break;
      since = a.until;
    }
    this.dropped = false;
    this.resyncedAt = now();
    stats().resync.push(this.resyncedAt - dropAt);
    const again = this.resend.splice(0);
    for (const cid of again) { tally.resent++; sendNote(this, cid); }
  }
  onEvent(e, via) {
    if (!e || typeof e !== "object") { tally.bad_events_msgs++; return; }
    const prev = this.seen.get(e.seq);
    lastEventAt = now();
    if (via === "w") {
      tally.received[this.kind] = (tally.received[this.kind] ?? 0) + 1;
      if (e.type === "participant.joined") tally.joined_seen[this.kind] = (tally.joined_seen[this.kind] ?? 0) + 1;
    }
    if (prev) {
      if (prev === via) tally.doubled++; else tally.overlap++;
      return;
    }
    this.seen.set(e.seq, via);
    if (via === "w") {
      if (e.seq < this.maxWire) tally.out_of_order++;
      this.maxWire = Math.max(this.maxWire, e.seq);
    }
    if (e.seq > this.lastSeq) this.lastSeq = e.seq;
    const t = now();
    const d = e.data || {};
    switch (e.type) {
      case "note.added": {
        this.notes.add(d.note_id);
        if (this.kind === "facilitator") {
          if (this.noteCids.has(d.client_id)) tally.doubled_client_id++;
          this.noteCids.add(d.client_id);
          const em = pendingNotes.get(d.client_id);
          if (em && !em.delivered) {
            em.delivered = true;
            if (via === "w" && !em.resent) {
              stats(em.phase).deliver.push(t - em.t);
              if (em.step) em.step.deliver.push(t - em.t);
              if (em.early !== undefined) stats(em.phase)[em.early ? "deliver_early" : "deliver_late"].push(t - em.t);
            }
          }
        } else if (this.kind === "participant" && writing && !d.client_id?.startsWith(`${P}-${this.idx}-`)) {
          const p = SUPPORTS_PER_NOTE / Math.max(1, (groupSize.get(this.group) ?? 2) - 1);
          if (Math.random() < p) setTimeout(() => support(this, d.note_id), 500 + Math.random() * 2500);
        }
        break;
      }
      case "keypoint.published": {
        this.kps.add(d.keypoint_id);
        if (this.kind === "screen") {
          const em = kpPublish.get(d.keypoint_id);
          if (em && !em.delivered) { em.delivered = true; stats(em.phase).kp_screen.push(t - em.t); }
        }
        if (via === "w") stats().broadcast.push(wall() - e.ts);
        break;
      }
      case "poll.opened": case "poll.closed":
        if (this.kind === "screen" && d.poll_id) {
          const pe = pollEvents.get(d.poll_id) ?? {};
          pe[e.type === "poll.opened" ? "opened_t" : "closed_t"] = t;
          if (e.type === "poll.closed") pe.closed_results = d.results;
          pollEvents.set(d.poll_id, pe);
        }
        break;
      case "agenda.started": case "plenary.focused":
        if (via === "w") stats().broadcast.push(wall() - e.ts);
        break;
    }
  }
}

// Clients of this process.
const groupSize = new Map();
const facilitators = [];
const participants = [];
let active = participants; // those who got in
for (const g of cfg.groups) {
  groupSize.set(g.id, g.participants);
  ackedByGroup.set(g.id, new Map());
  facilitators.push(new Client("facilitator", facilitators.length, g.id, { token: g.facilitator_token }));
}
let pi = 0;
for (const g of cfg.groups) {
  for (let i = 0; i < g.participants; i++, pi++)
    participants.push(new Client("participant", pi, g.id, { join_code: g.join_code, name: `P${P}-${pi}` }));
}
const screen = new Client("screen", 0, null, { token: cfg.screen_token });
const lead = cfg.lead_token ? new Client("lead", 0, null, { token: cfg.lead_token }) : null;
const staff = [...facilitators, screen, ...(lead ? [lead] : [])];

// -- writes ------------------------------------------------------------------------
const LOREM = "we should make appointments easier to get for people who work shifts and cannot call at eight";
function sendNote(c, cid = null, extra = null) {
  if (!c.sock.connected) { stats().skipped_offline++; if (cid) c.resend.push(cid); return; }
  const resent = cid !== null;
  cid ??= `${P}-${c.idx}-${c.n++}`;
  const st = stats();
  let em = pendingNotes.get(cid);
  if (!em) {
    em = { t: now(), c, phase, step: rampStep, acked: false, delivered: false, ...extra };
    pendingNotes.set(cid, em);
    st.notes_sent++;
    if (rampStep) rampStep.sent++;
  } else em.resent = true;
  const t = now();
  c.sock.timeout(ACK_TIMEOUT).emit("note.add", { client_id: cid, text: `${c.auth.name ?? "F"} #${c.n}: ${LOREM}` }, (e, a) => {
    const s = stats(em.phase);
    if (e) {
      if (!c.sock.connected || c.dropped) { c.resend.push(cid); return; } // lost with the connection: send again
      err(s, "ack_timeout"); em.failed = true; if (em.step) em.step.errors++; return;
    }
    if (!a?.ok) { err(s, a?.error?.code ?? "bad_ack"); em.failed = true; if (em.step) em.step.errors++; return; }
    if (em.acked) { if (em.note_id !== a.note_id) tally.resend_changed_id++; return; }
    em.acked = true; em.note_id = a.note_id; em.seq = a.seq;
    const lat = now() - t;
    if (!resent) { s.note_ack.push(lat); if (em.step) em.step.ack.push(lat); }
    s.notes_acked++; s.writes_acked++;
    if (em.step) em.step.acked++;
    ackedByGroup.get(c.group)?.set(a.note_id, a.seq);
  });
}
function support(c, noteId) {
  if (!writing || !c.sock.connected) return;
  const st = stats(); st.supports_sent++;
  const t = now();
  c.sock.timeout(ACK_TIMEOUT).emit("note.support", { note_id: noteId }, (e, a) => {
    if (e) { if (c.sock.connected) err(st, "support_timeout"); return; }
    if (!a?.ok) { err(st, "support_" + (a?.error?.code ?? "bad")); return; }
    st.write_ack.push(now() - t); st.writes_acked++;
  });
}
// Every participant posts every `mean` seconds on average (uniform 2/3..4/3 of it).
function startWriting(rate) {
  writing = true;
  const n = active.length;
  const mean = Math.max(n / Math.max(rate, 1e-9), MIN_GAP_S * 1.25);
  const next = (c) => {
    const gap = Math.max(MIN_GAP_S, mean * (2 / 3 + Math.random() * 2 / 3)) * 1000;
    c.timer = setTimeout(() => { if (!writing) return; sendNote(c); next(c); }, gap);
  };
  for (const c of active) {
    c.timer = setTimeout(() => { if (!writing) return; sendNote(c); next(c); }, Math.random() * mean * 1000);
  }
  return n / mean; // the rate actually planned
}
function stopWriting() {
  writing = false;
  for (const c of participants) clearTimeout(c.timer);
}
async function drain(limitMs = 3000, pred = null) {
  const end = now() + limitMs;
  const done = pred ?? (() => [...pendingNotes.values()].every((e) => e.acked && e.delivered || now() - e.t > ACK_TIMEOUT));
  while (now() < end && !done()) await sleep(50);
}

// -- phases ------------------------------------------------------------------------
async function connectAll(list, windowMs) {
  const ps = [];
  const start = now();
  list.forEach((c, i) => {
    const at = list.length > 1 ? (windowMs * i) / list.length : 0;
    ps.push(new Promise((res) => setTimeout(() => c.connect().then(res), Math.max(0, start + at - now()))));
  });
  return Promise.race([Promise.all(ps), sleep(windowMs + (cfg.join_timeout_ms ?? 25000))]);
}

async function phaseJoin() {
  const st = startPhase("join");
  await connectAll(staff, 0);
  await connectAll(participants, (cfg.join_window_s ?? 5) * 1000);
  // Whoever is not in by the deadline counts as a failed join and leaves (a person
  // staring at a spinner gives up); the rest of the run goes on with those who got in.
  const late = participants.filter((c) => c.welcomed === null);
  for (const c of late) { c.failed = true; c.sock.disconnect(); }
  const failed = late.length;
  tally.failed_joins += failed;
  active = participants.filter((c) => !c.failed);
  endPhase(st);
  st.clients = clients.length;
  out({ type: "phase", proc: P, phase: "join", clients: clients.length, failed, join: summary(st.join), cpu: st.cpu, loop: st.loop });
}

// A join storm (issue 13): staff are in first (and the lead starts the group-work slot),
// then every participant of this process opens its connection within `storm.window_s`
// (evenly spread; 0.2 s by default); whoever has no `welcome` `storm.deadline_s` after
// the first attempt gives up and leaves. Processes line up on the `before:storm` barrier
// so their storms start together.
async function phaseStorm() {
  const st = startPhase("storm");
  const S = cfg.storm ?? {};
  await connectAll(staff, 0);
  st.staff_join = st.join.splice(0);
  const staffMissing = staff.filter((c) => c.welcomed === null).length;
  if (staffMissing) err(st, "staff_not_welcomed");
  if (lead && S.start_slot !== false && lead.welcomed !== null) {
    try {
      const a = await lead.sock.timeout(ACK_TIMEOUT).emitWithAck("agenda.start", { slot_id: agendaSlot("group_work") });
      if (!a?.ok) err(st, "agenda.start_" + (a?.error?.code ?? "bad"));
    } catch { err(st, "agenda.start_timeout"); }
  }
  for (const c of participants) c.prepare();
  await barrier("before:storm", { staff: staff.length, staff_missing: staffMissing });
  loop.reset(); st.cpu0 = process.cpuUsage(); st.started = now();
  const windowMs = (S.window_s ?? 0.2) * 1000;
  const deadlineMs = (S.deadline_s ?? 20) * 1000;
  const t0 = now();
  const n = participants.length;
  let openedAt = t0;
  const ps = participants.map((c, i) => new Promise((res) => {
    const at = n > 1 ? (windowMs * i) / (n - 1) : 0;
    setTimeout(() => { c.connect().then(res); openedAt = now(); }, at);
  }));
  await Promise.race([Promise.all(ps), sleep(deadlineMs)]);
  const late = participants.filter((c) => c.welcomed === null);
  for (const c of late) { c.failed = true; c.sock.disconnect(); }
  tally.failed_joins += late.length;
  active = participants.filter((c) => !c.failed);
  endPhase(st);
  st.clients = clients.length;
  st.participants_tried = n;
  st.welcomed = n - late.length;
  st.open_ms = openedAt - t0; // how long this generator took to open every connection
  st.all_in_ms = late.length ? null : Math.max(0, ...active.map((c) => c.welcomed - t0));
  // When each participant was in, from the first attempt (a curve, not only the last).
  st.in_at = active.map((c) => c.welcomed - t0);
  out({ type: "phase", proc: P, phase: "storm", clients: clients.length, failed: late.length,
    all_in_ms: st.all_in_ms === null ? null : r1(st.all_in_ms), open_ms: r1(st.open_ms),
    join: summary(st.join), cpu: st.cpu, loop: st.loop });
}

// Notes right after a storm (issue 13): `burst.notes` notes, sent evenly over
// `burst.over_s` seconds by the participants who got in, taking turns across groups (so
// each group gets its share and nobody nears the 30-a-minute limit). Note→facilitator is
// also split by when the note was sent: within `burst.early_ms` of the burst's start
// (right after the last welcome when chained to the storm) or later. The phase ends
// when every note is acked and at its facilitator, or after `burst.drain_s`.
async function phaseBurst() {
  const st = startPhase("burst");
  const B = cfg.burst ?? {};
  const n = B.notes ?? 100, overMs = (B.over_s ?? 1) * 1000, earlyMs = B.early_ms ?? 500;
  const byGroup = new Map();
  for (const c of active) {
    if (!byGroup.has(c.group)) byGroup.set(c.group, []);
    byGroup.get(c.group).push(c);
  }
  const lists = [...byGroup.values()];
  const order = [];
  for (let k = 0; order.length < active.length; k++) for (const l of lists) if (k < l.length) order.push(l[k]);
  const t0 = now();
  for (let i = 0; i < n && order.length; i++) {
    const wait = t0 + (overMs * i) / n - now();
    if (wait >= 1) await sleep(wait);
    const offset = now() - t0;
    sendNote(order[i % order.length], null, { early: offset < earlyMs, offset });
  }
  st.send_ms = now() - t0;
  st.notes_planned = n;
  const mine = [...pendingNotes.values()].filter((e) => e.phase === "burst");
  await drain((B.drain_s ?? 15) * 1000, () => mine.every((e) => e.failed || (e.acked && e.delivered)));
  endPhase(st);
  st.undelivered = mine.filter((e) => !e.delivered).length; // not at the facilitator by the end of the drain
  st.unacked = mine.filter((e) => !e.acked).length;
  st.burst_ms = now() - t0;
  out({ type: "phase", proc: P, phase: "burst", notes_sent: st.notes_sent, notes_acked: st.notes_acked,
    undelivered: st.undelivered, note_ack: summary(st.note_ack), deliver: summary(st.deliver),
    deliver_early: summary(st.deliver_early), deliver_late: summary(st.deliver_late),
    send_ms: r1(st.send_ms), errors: st.errors, cpu: st.cpu, loop: st.loop });
}

async function phaseWork(name = "work", seconds = cfg.work_s ?? 20, rate = cfg.notes_per_s) {
  const st = startPhase(name);
  if (lead && name === "work") {
    const slot = agendaSlot("group_work");
    lead.sock.timeout(ACK_TIMEOUT).emit("agenda.start", { slot_id: slot }, () => {});
  }
  st.planned_rate = startWriting(rate);
  await sleep(seconds * 1000);
  stopWriting();
  const wallWork = now() - st.started;
  await drain();
  endPhase(st);
  st.work_ms = wallWork;
  out({ type: "phase", proc: P, phase: name, planned_rate: r1(st.planned_rate), notes_acked: st.notes_acked,
    notes_per_s: r1(st.notes_acked / (wallWork / 1000)), note_ack: summary(st.note_ack),
    deliver: summary(st.deliver), errors: st.errors, cpu: st.cpu, loop: st.loop });
}

function agendaSlot(kind, skip = 0) {
  const agenda = lead?.snapshot?.agenda ?? [];
  const slots = agenda.filter((s) => s.kind === kind);
  return slots[skip]?.id ?? agenda[0]?.id ?? kind;
}

async function phaseKeypoints() {
  const st = startPhase("keypoints");
  const who = facilitators.slice(0, cfg.keypoint_groups ?? facilitators.length);
  const per = cfg.keypoints_per_group ?? 1;
  const windowMs = (cfg.keypoint_window_s ?? 3) * 1000;
  const jobs = [];
  who.forEach((f) => {
    for (let k = 0; k < per; k++) {
      jobs.push((async () => {
        await sleep(Math.random() * windowMs);
        const noteIds = [...f.notes].slice(0, 2);
        let a;
        try {
          a = await f.sock.timeout(ACK_TIMEOUT).emitWithAck("keypoint.add",
            { client_id: `kp-${P}-${f.idx}-${k}`, text: `Key point ${k + 1} of ${f.group}: ${LOREM}`, note_ids: noteIds });
        } catch { err(st, "kp_add_timeout"); return; }
        if (!a?.ok) { err(st, "kp_add_" + (a?.error?.code ?? "bad")); return; }
        const em = { t: now(), phase: "keypoints", delivered: false, acked: false };
        kpPublish.set(a.keypoint_id, em);
        let b;
        try { b = await f.sock.timeout(ACK_TIMEOUT).emitWithAck("keypoint.publish", { keypoint_id: a.keypoint_id }); }
        catch { err(st, "kp_publish_timeout"); return; }
        if (!b?.ok) { err(st, "kp_publish_" + (b?.error?.code ?? "bad")); return; }
        em.acked = true; st.writes_acked += 2;
      })());
    }
  });
  // A server that does not answer must not stretch the run: the phase has a deadline.
  await Promise.race([Promise.all(jobs), sleep(windowMs + (cfg.keypoint_deadline_ms ?? 6000))]);
  await drain(3000, () => [...kpPublish.values()].every((e) => !e.acked || e.delivered));
  endPhase(st);
  out({ type: "phase", proc: P, phase: "keypoints", published: kpPublish.size, kp_screen: summary(st.kp_screen),
    broadcast: summary(st.broadcast), errors: st.errors, cpu: st.cpu });
}

async function phasePlenary() {
  const st = startPhase("plenary");
  const calls = [];
  if (lead) {
    const call = (ev, payload) => calls.push(lead.sock.timeout(ACK_TIMEOUT).emitWithAck(ev, payload).then(
      (a) => { if (!a?.ok) err(st, `${ev}_${a?.error?.code ?? "bad"}`); else st.writes_acked++; },
      () => err(st, `${ev}_timeout`)));
    call("agenda.start", { slot_id: agendaSlot("plenary") });
    for (const g of (cfg.focus_groups ?? []).slice(0, 3)) {
      await sleep(300);
      call("plenary.focus", { group_id: g });
    }
  }
  await sleep(cfg.plenary_wait_ms ?? 1500); // let the broadcasts land everywhere
  await Promise.race([Promise.all(calls), sleep(2000)]);
  endPhase(st);
  out({ type: "phase", proc: P, phase: "plenary", broadcast: summary(st.broadcast), errors: st.errors, cpu: st.cpu });
}

let dropAt = 0;
async function phaseReconnect() {
  const st = startPhase("reconnect");
  startWriting(cfg.notes_per_s);
  await sleep(1500);
  const go = await barrier("drop");
  dropAt = now();
  const live = clients.filter((c) => !c.failed);
  for (const c of live) { c.dropped = true; c.resyncedAt = null; }
  for (const c of live) c.sock.io.engine.close(); // the network goes, the phone does not
  const limit = (cfg.resync_timeout_s ?? 30) * 1000;
  while (now() - dropAt < limit && live.some((c) => c.dropped)) await sleep(50);
  const notBack = live.filter((c) => c.dropped).length;
  st.all_resynced_ms = notBack ? null : Math.max(...live.map((c) => c.resyncedAt - dropAt));
  st.not_resynced = notBack;
  await sleep((cfg.after_reconnect_s ?? 2) * 1000);
  stopWriting();
  await drain(4000);
  endPhase(st);
  out({ type: "phase", proc: P, phase: "reconnect", all_resynced_ms: r1(st.all_resynced_ms ?? -1), not_resynced: notBack,
    rewelcome: summary(st.rewelcome), resync: summary(st.resync), notes_acked: st.notes_acked, errors: st.errors, cpu: st.cpu });
}

async function phaseRamp() {
  const st = startPhase("ramp");
  const R = cfg.ramp ?? {};
  const limitMs = R.p99_limit_ms ?? 250;
  const cap = TOWNHALL ? active.length / MIN_GAP_S / 1.25 : Infinity;
  let rate = R.start ?? 50, best = null, failAt = null, refine = R.refine ?? 1;
  st.steps = [];
  for (let i = 0; i < (R.max_steps ?? 10); i++) {
    if (rate > cap) { st.capped = r1(cap); if (best !== null && best >= cap * 0.95) break; rate = cap; }
    const step = rampStep = { rate: r1(rate), sent: 0, acked: 0, errors: 0, ack: [], deliver: [], t0: now() };
    const cpu0 = process.cpuUsage();
    startWriting(rate);
    await sleep((R.step_s ?? 5) * 1000);
    stopWriting();
    const sendMs = now() - step.t0;
    rampStep = null;
    const mine = [...pendingNotes.values()].filter((e) => e.step === step);
    await drain(R.drain_ms ?? 2500, () => mine.every((e) => e.acked && e.delivered || now() - e.t > ACK_TIMEOUT));
    const c = process.cpuUsage(cpu0);
    const undelivered = mine.filter((e) => !e.delivered).length;
    const res = { rate: step.rate, sent: step.sent, acked: step.acked, acked_per_s: r1(step.acked / (sendMs / 1000)),
      ack: summary(step.ack), deliver: summary(step.deliver), errors: step.errors, undelivered,
      gen_cpu: r1(((c.user + c.system) / 1000) / (now() - step.t0) * 100) };
    res.ok = step.errors === 0 && undelivered === 0 && res.deliver.p99 !== null && res.deliver.p99 <= limitMs
      && res.acked_per_s >= 0.85 * Math.min(rate, step.sent / (sendMs / 1000));
    res.why = res.ok ? null : step.errors ? "errors" : undelivered ? "undelivered" :
      (res.deliver.p99 ?? Infinity) > limitMs ? `p99 ${res.deliver.p99} ms > ${limitMs}` : "acks fell behind";
    st.steps.push(res);
    out({ type: "ramp_step", proc: P, ...res });
    if (res.ok) {
      best = Math.max(best ?? 0, rate);
      if (failAt === null) rate = rate >= cap ? Infinity : rate * (R.factor ?? 2);
      else if (refine-- > 0) rate = (best + failAt) / 2; else break;
      if (!isFinite(rate)) break;
    } else {
      failAt = rate;
      if (best === null || refine-- <= 0) break;
      rate = (best + failAt) / 2;
      await sleep(1000); // let a drowned server breathe before the next step
    }
  }
  st.best = best;
  st.fail_at = failAt;
  endPhase(st);
  out({ type: "phase", proc: P, phase: "ramp", best, fail_at: failAt, capped: st.capped ?? null, cpu: st.cpu });
}

// -- polls (the vote-* scenarios; townhall only) --------------------------------------
// Inside the `polls` phase, notes flow all the time (`notes_per_s`); each note counts in
// the window it was sent in (quiet-K before poll K opens, vote-K while its ballots
// land), and run.py samples the servers at each window's marks (CPU per window).
function openWindow(name) {
  phase = name;
  const st = stats(name);
  st.started = now(); st.cpu0 = process.cpuUsage(); loop.reset();
  mark(`before:${name}`);
  return st;
}
function closeWindow(st, name) { endPhase(st); mark(`after:${name}`); }
async function waitFor(pred, ms) {
  const end = now() + ms;
  while (!pred() && now() < end) await sleep(20);
  return pred();
}

// A ballot: a choice poll's option (some more popular than others: weights 1, 1/2,
// 1/3…), or a ranking, best first (60 % rank every option, the others their top 3..n-1).
// `not`: a changed vote differs from the first one.
function ballot(kind, n, not = null) {
  for (;;) {
    let c;
    if (kind === "rank") {
      const order = [...Array(n).keys()];
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      c = order.slice(0, Math.random() < 0.6 || n <= 3 ? n : 3 + Math.floor(Math.random() * (n - 3)));
    } else {
      const w = Array.from({ length: n }, (_, i) => 1 / (i + 1));
      let x = Math.random() * w.reduce((a, b) => a + b, 0);
      c = 0;
      while (c < n - 1 && (x -= w[c]) > 0) c++;
    }
    if (not === null || JSON.stringify(c) !== JSON.stringify(not)) return c;
  }
}
// What the server must show: each participant's last acknowledged ballot, counted once
// (choice: counts per option; rank: Borda, n-1 points for first of n, unranked none).
function tallyOf(kind, n, ballots) {
  if (kind === "rank") {
    const scores = Array(n).fill(0);
    for (const b of ballots) b.forEach((opt, place) => { scores[opt] += n - 1 - place; });
    return { voters: ballots.length, scores };
  }
  const counts = Array(n).fill(0);
  for (const b of ballots) counts[b]++;
  return { voters: ballots.length, counts };
}
function sameResults(kind, got, want) {
  if (!got || !want) return false;
  const key = kind === "rank" ? "scores" : "counts";
  return got.voters === want.voters && JSON.stringify(got[key]) === JSON.stringify(want[key]);
}
// The most of `times` (ms, ascending) within any window of `ms` (half-open).
function maxWithin(times, ms) {
  let best = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j] - times[i] >= ms) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

// One poll: the lead opens it; every participant votes once at a uniformly random
// moment of the window, `change_share` of them vote again (a different choice) at a
// random later moment still within it, once their first vote is acked; the screen's
// `poll.results` are checked against the tally of what was acked; the lead closes it.
async function pollRound(k, R, PL) {
  const n = R.options;
  const fig = { label: R.label ?? R.kind, round: k, kind: R.kind, options: n, participants: active.length,
    ballots_sent: 0, ballots_acked: 0, first_sent: 0, changes_sent: 0, refused: {}, vote_timeouts: 0 };
  phase = `open-${k}`;
  const options = Array.from({ length: n }, (_, i) => R.kind === "rank"
    ? `Key point ${i + 1}: ${LOREM}, and ${LOREM}`.slice(0, 140) : `Option ${i + 1}: ${LOREM}`.slice(0, 60));
  const question = R.kind === "rank" ? "Rank the hall's key points, most important first"
    : "Which of these should the assembly take up first?";
  const tOpen = now();
  let a;
  try {
    a = await lead.sock.timeout(ACK_TIMEOUT).emitWithAck("poll.open",
      { client_id: `poll-${P}-${k}-${Math.floor(wall())}`, question, kind: R.kind, options });
  } catch { err(stats(), "poll.open_timeout"); fig.error = "poll.open timed out"; return fig; }
  if (!a?.ok) {
    err(stats(), "poll.open_" + (a?.error?.code ?? "bad"));
    fig.error = `poll.open refused: ${a?.error?.code ?? "?"} ${a?.error?.message ?? ""}`;
    return fig;
  }
  const pid = fig.poll_id = a.poll_id;
  fig.open_ack_ms = r1(now() - tOpen);
  await waitFor(() => pollEvents.get(pid)?.opened_t !== undefined, 5000);
  const op = pollEvents.get(pid)?.opened_t;
  fig.open_to_screen_ms = op === undefined ? null : r1(op - tOpen);

  const name = `vote-${k}`;
  const st = openWindow(name);
  const windowMs = (PL.vote_s ?? 10) * 1000;
  // participant -> {order, choice}: its last acknowledged ballot, by the order they were
  // sent (a phone's second tap replaces the first even if the first is acked later)
  const last = new Map();
  const acks = [];
  let lastAckAt = null, lastSentAt = null;
  const cast = async (c, choice, order) => {
    fig.ballots_sent++;
    const t = now();
    lastSentAt = Math.max(lastSentAt ?? 0, t);
    let ack;
    try { ack = await c.sock.timeout(ACK_TIMEOUT).emitWithAck("vote.cast", { poll_id: pid, choice }); }
    catch { fig.vote_timeouts++; err(st, "vote_timeout"); return; }
    if (!ack?.ok) { // refusals, by code
      const code = ack?.error?.code ?? "bad_ack";
      fig.refused[code] = (fig.refused[code] ?? 0) + 1;
      err(st, "vote_" + code);
      return;
    }
    if (typeof ack.seq !== "number") fig.acks_without_seq = (fig.acks_without_seq ?? 0) + 1;
    const ta = now();
    acks.push(ta - t);
    fig.ballots_acked++;
    if ((last.get(c)?.order ?? -1) < order) last.set(c, { order, choice });
    lastAckAt = Math.max(lastAckAt ?? 0, ta);
  };
  // Everyone votes at a uniformly random moment of the window; the changers (a random
  // `change_share`) vote first within its first windowMs - 1 s and again at least 1 s
  // later, still within it, whether or not the first ack is back (two taps on a phone).
  const t0 = now();
  const jobs = active.map((c) => (async () => {
    const changes = windowMs > 1000 && Math.random() < (PL.change_share ?? 0.2);
    const t1 = Math.random() * (changes ? windowMs - 1000 : windowMs);
    await sleep(t0 + t1 - now());
    const first = ballot(R.kind, n);
    fig.first_sent++;
    const p1 = cast(c, first, 0);
    if (!changes) return p1;
    const t2 = t1 + 1000 + Math.random() * (windowMs - t1 - 1000);
    await sleep(t0 + t2 - now());
    fig.changes_sent++;
    return Promise.all([p1, cast(c, ballot(R.kind, n, first), 1)]);
  })());
  await Promise.race([Promise.all(jobs), sleep(windowMs + 2 * ACK_TIMEOUT + 2000)]);
  closeWindow(st, name); // the votes have landed: server CPU and note latency "during the votes"
  fig.vote_ack = summary(acks);
  fig.last_sent_ms = lastSentAt === null ? null : r1(lastSentAt - t0);
  fig.last_ack_ms = lastAckAt === null ? null : r1(lastAckAt - t0);
  fig.window_ms = r1(st.ended - st.started);

  // Is the screen current? The first poll.results after the last vote went out whose
  // voters and counts (scores) equal the tally of the acknowledged ballots.
  const settle = openWindow(`settle-${k}`);
  const expected = tallyOf(R.kind, n, [...last.values()].map((b) => b.choice));
  fig.expected = expected;
  fig.voters_expected = expected.voters;
  const mine = () => pollResults.filter((m) => m.poll_id === pid);
  const isFinal = (m) => m.t >= (lastSentAt ?? t0) && sameResults(R.kind, m.results, expected);
  await waitFor(() => mine().some(isFinal), (PL.settle_s ?? 5) * 1000);
  const match = mine().find(isFinal);
  fig.current_ms = match && lastAckAt !== null ? r1(match.t - lastAckAt) : null;
  fig.current_from_last_sent_ms = match ? r1(match.t - lastSentAt) : null;
  const lastMsg = mine().at(-1);
  fig.screen_last = lastMsg ? lastMsg.results ?? { voters: lastMsg.voters } : null;
  fig.screen_last_wrong = sameResults(R.kind, lastMsg?.results, expected) ? 0 : 1;

  const tClose = now();
  try {
    const c = await lead.sock.timeout(ACK_TIMEOUT).emitWithAck("poll.close", { poll_id: pid });
    if (!c?.ok) err(settle, "poll.close_" + (c?.error?.code ?? "bad"));
  } catch { err(settle, "poll.close_timeout"); }
  await waitFor(() => pollEvents.get(pid)?.closed_t !== undefined, 5000);
  const pe = pollEvents.get(pid) ?? {};
  fig.close_to_screen_ms = pe.closed_t === undefined ? null : r1(pe.closed_t - tClose);
  fig.final = pe.closed_results ?? null;
  fig.voters_final = pe.closed_results?.voters ?? null;
  fig.closed_wrong = sameResults(R.kind, pe.closed_results, expected) ? 0 : 1; // counted exactly once?
  await sleep(1000); // anything after the close would be a bug: poll.closed carries the final tally
  closeWindow(settle, `settle-${k}`);

  const msgs = mine();
  const times = msgs.map((m) => m.t);
  fig.results_msgs = msgs.length;
  fig.results_after_close = pe.closed_t === undefined ? null : msgs.filter((m) => m.t > pe.closed_t).length;
  fig.max_results_per_1s = maxWithin(times, 1000);
  fig.min_results_gap_ms = times.length > 1 ? r1(Math.min(...times.slice(1).map((t, i) => t - times[i]))) : null;
  fig.results_at_ms = times.map((t) => r1(t - t0)); // arrival at the screen, from the window's start
  return fig;
}

async function phasePolls() {
  const st = startPhase("polls");
  const PL = cfg.polls ?? {};
  st.poll_rounds = {};
  if (!lead) { err(st, "no_lead"); endPhase(st); return; }
  st.planned_rate = startWriting(cfg.notes_per_s);
  for (const [i, R] of (PL.rounds ?? []).entries()) {
    const k = i + 1;
    const q = openWindow(`quiet-${k}`);
    await sleep((PL.quiet_s ?? 10) * 1000);
    closeWindow(q, `quiet-${k}`);
    const fig = await pollRound(k, R, PL);
    st.poll_rounds[fig.label] = fig;
    out({ type: "poll", proc: P, label: fig.label, error: fig.error, sent: fig.ballots_sent, acked: fig.ballots_acked,
      refused: fig.refused, timeouts: fig.vote_timeouts, voters: fig.voters_final, closed_wrong: fig.closed_wrong,
      current_ms: fig.current_ms, max_per_1s: fig.max_results_per_1s, msgs: fig.results_msgs,
      vote_ack: fig.vote_ack, quiet: summary(stats(`quiet-${k}`).deliver), vote: summary(stats(`vote-${k}`).deliver) });
  }
  stopWriting();
  phase = "polls";
  await drain();
  endPhase(st);
  out({ type: "phase", proc: P, phase: "polls", planned_rate: r1(st.planned_rate), errors: st.errors, cpu: st.cpu });
}

// -- checks ------------------------------------------------------------------------
function lostReport() {
  // Every acked note of a group must reach that group's facilitator and every member
  // who was in before it (seq above the member's welcome seq), on the wire or by sync.
  let facMissing = 0, partMissing = 0, expected = 0, undeliveredUnacked = 0;
  for (const c of [...facilitators, ...participants]) {
    if (c.welcomeLastSeq === null) continue;
    for (const [id, seq] of ackedByGroup.get(c.group) ?? []) {
      if (seq <= c.welcomeLastSeq) continue;
      expected++;
      if (!c.notes.has(id)) { if (c.kind === "facilitator") facMissing++; else partMissing++; }
    }
  }
  for (const em of pendingNotes.values()) if (!em.acked && em.delivered) undeliveredUnacked++;
  let kpMissing = 0;
  for (const [id, em] of kpPublish) if (em.acked && !screen.kps.has(id)) kpMissing++;
  const acked = [...ackedByGroup.values()].reduce((n, m) => n + m.size, 0);
  return { notes_acked_total: acked, facilitator_missing: facMissing, participant_missing: partMissing,
    deliveries_expected: expected, delivered_but_unacked: undeliveredUnacked, keypoints_missing_on_screen: kpMissing,
    lead_notes_received: lead ? lead.notes.size : null };
}

// -- main --------------------------------------------------------------------------
const started = now();
const cpuStart = process.cpuUsage();
const PH = { join: phaseJoin, work: () => phaseWork(), keypoints: phaseKeypoints, plenary: phasePlenary,
  reconnect: phaseReconnect, ramp: phaseRamp, storm: phaseStorm, burst: phaseBurst,
  polls: phasePolls };
const chain = new Set(cfg.chain ?? []); // phases that start at once, without a barrier
for (const [i, name] of cfg.phases.entries()) {
  // join and storm connect the staff first: storm has its own barrier once they are in.
  if (i > 0 && chain.has(name)) mark(`before:${name}`);
  else if (i > 0 || (name !== "join" && name !== "storm")) await barrier(`before:${name}`);
  await PH[name]();
  const info = name === "join" || name === "storm" ? { clients: clients.length } : {};
  if (chain.has(cfg.phases[i + 1])) mark(`after:${name}`, info);
  else await barrier(`after:${name}`, info);
}
// Let the last fan-outs land: wait until nothing has arrived for a second (at most 8 s).
{
  const end = now() + 8000;
  while (now() < end && now() - lastEventAt < 1000) await sleep(100);
}
const lost = lostReport();
const total = process.cpuUsage(cpuStart);
const result = {
  type: "result", proc: P, system: cfg.system, label: cfg.label, clients: clients.length,
  participants: participants.length, tally, lost,
  gen_cpu_pct: r1(((total.user + total.system) / 1000) / (now() - started) * 100),
  gen_rss_mb: r1(process.memoryUsage().rss / 1048576),
  phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, { ...v, cpu0: undefined }])),
};
if (cfg.out) writeFileSync(cfg.out, JSON.stringify(result));
out({ type: "done", proc: P, tally, lost, gen_cpu_pct: result.gen_cpu_pct, gen_rss_mb: result.gen_rss_mb });
for (const c of clients) c.sock?.disconnect();
setTimeout(() => process.exit(0), 200);
