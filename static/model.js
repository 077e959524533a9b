// The client's copy of the day: the welcome snapshot, with each log event folded in.
// Mirrors server/townhall/state.py for what a client may see; pages only read it.

export function fromSnapshot(welcome) {
  const s = structuredClone(welcome.snapshot);
  const byId = (list) => new Map(list.map((x) => [x.id, x]));
  return {
    role: welcome.role,
    groupId: welcome.group_id,
    name: welcome.name,
    participantId: welcome.participant_id ?? null,
    assembly: s.assembly,
    groups: s.groups,
    agenda: s.agenda,
    timer: s.timer,
    runs: s.runs ?? [],
    focus: s.focus ?? null,
    participants: byId(s.participants ?? []),
    notes: byId(s.notes),
    keypoints: byId(s.keypoints),
    responses: byId(s.responses),
    corrections: byId(s.corrections),
    // §9: polls this client may see, with current results (and `my_choice` on a phone).
    polls: byId(s.polls ?? []),
    lastSeq: welcome.last_seq,
    // Group id -> ts of the group's last event (state.py's last_activity). The snapshot
    // does not carry it, so start from the newest timestamp it does show per group.
    lastActivity: snapshotActivity(s),
    // Group id -> the key point ids of its last keypoint.ordered (public), so a key point
    // first seen when it is published still lands in its place.
    keypointOrder: {},
    // Staff and the screen get {group_id: join_code} for late arrivals; others none.
    join: welcome.join ?? {},
    // The organiser's every link (welcome.links, then `links` messages); others none.
    links: welcome.links ?? null,
    // The address phones use (TOWNHALL_BASE_URL), else the one this page came from.
    baseUrl: (welcome.base_url ?? location.origin).replace(/\/+$/, ""),
  };
}

/**
 * The model in the shape of a welcome (the inverse of fromSnapshot), to keep it on the
 * device: a phone that reloads with no network shows the day as it last saw it.
 */
export function toSnapshot(m) {
  const list = (map) => [...map.values()];
  return {
    role: m.role, group_id: m.groupId, name: m.name, participant_id: m.participantId,
    last_seq: m.lastSeq, join: m.join, links: m.links, base_url: m.baseUrl,
    snapshot: {
      assembly: m.assembly, groups: m.groups, agenda: m.agenda, timer: m.timer, runs: m.runs,
      focus: m.focus, participants: list(m.participants), notes: list(m.notes),
      keypoints: list(m.keypoints), responses: list(m.responses), corrections: list(m.corrections),
      polls: list(m.polls),
    },
  };
}

function snapshotActivity(s) {
  const last = {};
  const see = (gid, ...ts) => {
    for (const t of ts) if (gid && typeof t === "number" && !(last[gid] >= t)) last[gid] = t;
  };
  for (const p of s.participants ?? []) see(p.group_id, p.ts);
  for (const n of s.notes ?? []) see(n.group_id, n.ts);
  for (const k of s.keypoints ?? []) see(k.group_id, k.ts, k.published_at);
  for (const r of s.responses ?? []) see(r.group_id, r.ts);
  for (const c of s.corrections ?? []) see(c.group_id, c.ts, c.resolved_at);
  // The lead's and organiser's snapshot says exactly (supports, hides, edits too).
  for (const g of s.groups ?? []) see(g.id, g.last_activity);
  return last;
}

/** May this client see the private side (notes, drafts) of `groupId`? (state.py's sees_group) */
export const seesGroup = (m, groupId) =>
  m.role === "lead" || m.role === "organiser"
  || (groupId != null && m.groupId === groupId && (m.role === "participant" || m.role === "facilitator"));

/** The order a new key point takes: after every one we know (state.py uses a count). */
function nextOrder(m) {
  let max = -1;
  for (const k of m.keypoints.values()) if (typeof k.order === "number" && k.order > max) max = k.order;
  return max + 1;
}

const fold = {
  "assembly.loaded"(m, e, d) {
    const { title, date, timezone = null, second_language = null, translations = {} } = d.definition;
    m.assembly = { title, date, timezone, second_language, translations };
    m.agenda = d.definition.agenda;
  },
  // §9: polls. Ballots never arrive; tallies come as `poll.results` (client.js).
  "poll.opened"(m, e, d) {
    const poll = {
      id: d.poll_id, question: d.question, kind: d.kind, options: d.options ?? [], group_id: d.group_id ?? null,
      response_id: d.response_id ?? null, purpose: d.purpose ?? null, anonymous: d.anonymous,
      hide_results: d.hide_results, public: e.group_id == null || Boolean(d.public),
      opened_by: e.actor, opened_at: e.ts, closed_at: null, seq: e.seq, my_choice: null,
    };
    // As the server sends it: a poll that hides its results until the close shows only
    // the number of voters to those who do not run it.
    const runs = m.role === "lead" || m.role === "organiser" || (m.role === "facilitator" && m.groupId === poll.group_id);
    poll.results = poll.hide_results && !runs ? { voters: 0 } : emptyResults(poll);
    m.polls.set(poll.id, poll);
  },
  "poll.closed"(m, e, d) {
    const poll = m.polls.get(d.poll_id);
    if (poll) Object.assign(poll, { closed_at: e.ts, results: d.results });
  },
  // §8: the day's shape changes while it runs.
  "assembly.updated"(m, e, d) {
    for (const key of ["title", "date", "timezone", "second_language"]) if (key in d) m.assembly[key] = d[key];
    for (const [lang, fields] of Object.entries(d.translations ?? {})) {
      translate(((m.assembly.translations ??= {})[lang] ??= {}), fields);
    }
  },
  "group.added"(m, e, d) {
    if (m.groups.some((g) => g.id === d.group_id)) return;
    const staff = m.role === "lead" || m.role === "organiser";
    m.groups.push({ id: d.group_id, name: d.name, info_pack: null, ...(staff ? { joined: 0, last_activity: e.ts } : {}) });
  },
  "group.updated"(m, e, d) {
    const g = m.groups.find((x) => x.id === d.group_id);
    if (!g) return;
    if ("name" in d) g.name = d.name;
    if ("info_pack" in d) g.info_pack = d.info_pack;
    for (const [lang, fields] of Object.entries(d.translations ?? {})) {
      const texts = ((m.assembly.translations ??= {})[lang] ??= {});
      translate(((texts.groups ??= {})[d.group_id] ??= {}), fields);
    }
  },
  "slot.added"(m, e, d) {
    insertSlot(m.agenda, { id: d.slot_id, title: d.title, minutes: d.minutes, kind: d.kind, group_id: d.group_id }, d.after);
  },
  "slot.updated"(m, e, d) {
    const slot = m.agenda.find((s) => s.id === d.slot_id);
    if (!slot) return;
    for (const key of ["title", "minutes", "kind", "group_id"]) if (key in d) slot[key] = d[key];
    // A running slot's new length moves its end on every screen, like an extension.
    if ("ends_at" in d) m.timer.ends_at = d.ends_at;
    if ("remaining_ms" in d) m.timer.remaining_ms = d.remaining_ms;
    const run = m.runs[m.runs.length - 1];
    if ("minutes" in d && run && run.slot_id === d.slot_id && run.ended_at == null) run.planned_ms = d.minutes * 60000;
  },
  "slot.moved"(m, e, d) {
    const i = m.agenda.findIndex((s) => s.id === d.slot_id);
    if (i < 0) return;
    const [slot] = m.agenda.splice(i, 1);
    insertSlot(m.agenda, slot, d.after);
  },
  "slot.removed"(m, e, d) {
    const i = m.agenda.findIndex((s) => s.id === d.slot_id);
    if (i >= 0) m.agenda.splice(i, 1);
  },
  "participant.joined"(m, e, d) {
    m.participants.set(d.participant_id, { id: d.participant_id, name: d.name, group_id: e.group_id, ts: e.ts });
    const g = m.groups.find((x) => x.id === e.group_id);
    if (g && typeof g.joined === "number") g.joined += 1;
  },
  "note.added"(m, e, d) {
    m.notes.set(d.note_id, {
      id: d.note_id, group_id: e.group_id, text: d.text, author: e.actor, ts: e.ts,
      seq: e.seq, supporters: [], hidden: false, client_id: d.client_id,
    });
  },
  "note.supported"(m, e, d) {
    const n = m.notes.get(d.note_id);
    if (n && !n.supporters.includes(e.actor.id)) n.supporters.push(e.actor.id);
  },
  "note.hidden"(m, e, d) {
    const n = m.notes.get(d.note_id);
    if (n) n.hidden = true;
  },
  "keypoint.added"(m, e, d) {
    m.keypoints.set(d.keypoint_id, {
      id: d.keypoint_id, group_id: e.group_id, text: d.text, note_ids: d.note_ids ?? [],
      author: e.actor, ts: e.ts, published: false, published_at: null, order: nextOrder(m),
      seq: e.seq,
    });
  },
  "keypoint.published"(m, e, d) {
    let k = m.keypoints.get(d.keypoint_id);
    if (!k) {
      const placed = (m.keypointOrder[e.group_id] ?? []).indexOf(d.keypoint_id);
      k = { id: d.keypoint_id, group_id: e.group_id, text: d.text, note_ids: [], author: e.actor, ts: e.ts,
        order: placed >= 0 ? placed : nextOrder(m) };
    }
    m.keypoints.set(d.keypoint_id, { ...k, text: d.text, published: true, published_at: e.ts, seq: e.seq });
  },
  // §12: off every public view; the group's own pages keep it as a draft.
  "keypoint.unpublished"(m, e, d) {
    const k = m.keypoints.get(d.keypoint_id);
    if (!k) return;
    if (seesGroup(m, e.group_id)) Object.assign(k, { published: false, published_at: null, seq: e.seq });
    else m.keypoints.delete(d.keypoint_id);
  },
  "keypoint.removed"(m, e, d) { m.keypoints.delete(d.keypoint_id); },
  "agenda.started"(m, e, d) {
    endRun(m, e.ts);
    const slot = m.agenda.find((s) => s.id === d.slot_id);
    m.timer = { slot_id: d.slot_id, status: "running", ends_at: d.ends_at, remaining_ms: null, started_at: e.ts };
    m.runs.push({ slot_id: d.slot_id, started_at: e.ts, ended_at: null, planned_ms: (slot?.minutes ?? 0) * 60000,
      extended_ms: 0, paused_ms: 0, paused_at: null });
  },
  // §12: the slot ends now; no countdown anywhere until the next start.
  "agenda.ended"(m, e, d) {
    endRun(m, e.ts);
    m.timer = { slot_id: null, status: "idle", ends_at: null, remaining_ms: null, ended_slot_id: d.slot_id, ended_at: e.ts };
  },
  "timer.paused"(m, e, d) {
    Object.assign(m.timer, { status: "paused", ends_at: null, remaining_ms: d.remaining_ms });
    const run = m.runs[m.runs.length - 1];
    if (run) run.paused_at = e.ts;
  },
  "timer.resumed"(m, e, d) {
    Object.assign(m.timer, { status: "running", ends_at: d.ends_at, remaining_ms: null });
    const run = m.runs[m.runs.length - 1];
    if (run) endPause(run, e.ts);
  },
  "timer.extended"(m, e, d) {
    if (m.timer.status === "running") m.timer.ends_at = d.ends_at;
    else m.timer.remaining_ms = d.remaining_ms;
    const run = m.runs[m.runs.length - 1];
    if (run) run.extended_ms += d.seconds * 1000;
  },
  "plenary.focused"(m, e, d) { m.focus = d.group_id; },
  // Beyond the contract (docs/protocol.md): the consoles' commands.
  "note.restored"(m, e, d) {
    const n = m.notes.get(d.note_id);
    if (n) n.hidden = false;
    else m.notes.set(d.note_id, { id: d.note_id, group_id: e.group_id, text: d.text, author: d.author,
      ts: d.ts, seq: d.seq, supporters: [], hidden: false });
  },
  "keypoint.edited"(m, e, d) {
    const k = m.keypoints.get(d.keypoint_id);
    if (k) { k.text = d.text; k.seq = e.seq; }
  },
  "keypoint.ordered"(m, e, d) {
    m.keypointOrder[e.group_id] = [...d.keypoint_ids];
    d.keypoint_ids.forEach((id, i) => {
      const k = m.keypoints.get(id);
      if (k) k.order = i;
    });
  },
  // The new code never enters the log: it comes in a separate `join` message (client.js).
  "joincode.rotated"() {},
  "response.logged"(m, e, d) {
    m.responses.set(d.response_id, {
      id: d.response_id, group_id: e.group_id, member: d.member, text: d.text, stance: d.stance,
      reason: d.reason, actor: e.actor, ts: e.ts, seq: e.seq, withdrawn: null,
    });
  },
  "response.withdrawn"(m, e, d) {
    const r = m.responses.get(d.response_id);
    if (r) r.withdrawn = { reason: d.reason, ts: e.ts, actor: e.actor };
  },
  "correction.submitted"(m, e, d) {
    m.corrections.set(d.correction_id, {
      id: d.correction_id, response_id: d.response_id, group_id: e.group_id, text: d.text,
      author: e.actor, ts: e.ts, seq: e.seq, outcome: null, resolved_at: null, resolved_by: null,
      client_id: d.client_id,
    });
  },
  "correction.resolved"(m, e, d) {
    const c = m.corrections.get(d.correction_id);
    if (c) Object.assign(c, { outcome: d.outcome, resolved_at: e.ts, resolved_by: e.actor });
  },
};

/** Set translated texts; null removes one, so the assembly's own text shows again. */
function translate(target, fields) {
  for (const [key, text] of Object.entries(fields)) {
    if (text == null) delete target[key];
    else target[key] = text;
  }
}

/** A new poll's results before any vote (polls.py's empty_results). */
export function emptyResults(poll) {
  const n = poll.kind === "rating" ? 5 : poll.options.length;
  if (poll.kind === "rank") return { voters: 0, scores: Array(n).fill(0) };
  return poll.kind === "rating" ? { voters: 0, counts: Array(n).fill(0), mean: null } : { voters: 0, counts: Array(n).fill(0) };
}

/** The labels of a poll's answers: its options, or 1..5 for a rating. */
export const pollLabels = (poll) => (poll.kind === "rating" ? ["1", "2", "3", "4", "5"] : poll.options);

/** Open polls this client may vote in, newest first (a phone shows the first by itself). */
export const openPolls = (m) => [...m.polls.values()].filter((p) => p.closed_at == null).sort((a, b) => b.seq - a.seq);

/** Put `slot` after the slot `after` (null: first), as state.py does. */
function insertSlot(agenda, slot, after) {
  const at = after == null ? 0 : agenda.findIndex((s) => s.id === after) + 1;
  agenda.splice(at > 0 || after == null ? at : agenda.length, 0, slot);
}

function endRun(m, ts) {
  const last = m.runs[m.runs.length - 1];
  if (last && last.ended_at == null) { endPause(last, ts); last.ended_at = ts; }
}

function endPause(run, ts) {
  if (run.paused_at != null) { run.paused_ms += ts - run.paused_at; run.paused_at = null; }
}

/** Fold one event in; false when it was already applied (seq at or below lastSeq). */
export function applyEvent(m, e) {
  if (e.seq <= m.lastSeq) return false;
  fold[e.type]?.(m, e, e.data);
  if (e.group_id) m.lastActivity[e.group_id] = e.ts;
  m.lastSeq = e.seq;
  return true;
}

export const currentSlot = (m) => m.agenda.find((s) => s.id === m.timer.slot_id) ?? null;

/**
 * What comes next: the first slot after the current one (in agenda order) that has not
 * run yet, else the first one before it that has not; null when every slot has run.
 * Slots taken out of order never show as "Next" after they ran.
 */
export function nextSlot(m) {
  const ran = new Set(m.runs.map((r) => r.slot_id));
  const current = m.timer.slot_id ?? m.timer.ended_slot_id ?? null;
  const idx = m.agenda.findIndex((s) => s.id === current);
  const open = (s) => !ran.has(s.id) && s.id !== current;
  return m.agenda.slice(idx + 1).find(open) ?? m.agenda.slice(0, Math.max(idx, 0)).find(open) ?? null;
}
export const groupName = (m, id) => m.groups.find((g) => g.id === id)?.name ?? id;

/** A group's key points (those this client sees) in the order its facilitator set. */
export const groupKeypoints = (m, groupId) =>
  [...m.keypoints.values()]
    .filter((k) => k.group_id === groupId)
    .sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || a.ts - b.ts);

/** Milliseconds left in the current slot at server time `now`; negative when over. */
export function remainingMs(timer, now) {
  if (timer.status === "running") return timer.ends_at - now;
  if (timer.status === "paused") return timer.remaining_ms;
  return null;
}

/** "12:05", or "+2:15 over" once the slot overruns: never a silent 0:00. */
export function formatRemaining(ms) {
  if (ms == null) return "--:--";
  const over = ms < 0;
  // Count down in whole seconds shown, like a kitchen timer: 0.4 s left still reads 0:01.
  const secs = over ? Math.floor(-ms / 1000) : Math.ceil(ms / 1000);
  const h = Math.floor(secs / 3600), mm = Math.floor((secs % 3600) / 60), ss = secs % 60;
  const body = (h ? `${h}:${String(mm).padStart(2, "0")}` : `${mm}`) + `:${String(ss).padStart(2, "0")}`;
  return over ? `+${body} over` : body;
}
