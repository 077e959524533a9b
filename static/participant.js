// The participant app: what a phone shows after scanning a table's QR code. It asks for
// a first name once, then keeps the group's notes, its information pack and the plenary
// (key points, the Board's responses, corrections) in step through the shared client.
// It only renders: connection, offline queue, clock and model live in client.js.
// All text from people goes in with textContent; lists are reconciled by key, so the
// element someone is typing in or has focused is never re-created.

import { createClient, describeStatus, secretFromPath, storedIdentity } from "/static/client.js";
import { currentSlot, formatRemaining, groupName, remainingMs } from "/static/model.js";
import { renderMarkdown } from "/static/markdown.js";

const $ = (id) => document.getElementById(id);
const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
};
const setText = (node, text) => { if (node.textContent !== text) node.textContent = text; };

const NOTE_MAX = 1000;
const NAME_MAX = 60;
const STANCES = { commit: "Commitment", consider: "Under consideration", decline: "Declined" };
// Stacked sections, in this order, with a bar of jump links at the bottom of the screen.
const SECTIONS = ["sec-notes", "plenary", "sec-info"];
const HEADINGS = { "sec-notes": "notes-heading", "sec-info": "info-heading", plenary: "plenary-heading" };
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

const joinCode = secretFromPath();
// The server names the group this link opens, or says the code is unknown (replaced):
// then only a phone that joined with it, or with an earlier code of that group, gets in.
const linkState = document.body.dataset.join;              // "open" | "unknown"
const linkGroupId = document.body.dataset.groupId || null;
const identityKey = `townhall:participant:${joinCode}`;
// Drafts follow the identity: after a rotation the old code's draft is still this phone's.
const draftKey = `townhall:draft:${storedIdentity(joinCode, linkGroupId).queueKey?.split(":").pop() ?? joinCode}`;
const storage = {
  get(key) { try { return JSON.parse(localStorage.getItem(key)); } catch { return null; } },
  set(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* private mode */ } },
  del(key) { try { localStorage.removeItem(key); } catch { /* ignore */ } },
};

let client = null;

// -- joining -----------------------------------------------------------------------

function showJoin(message = "") {
  $("join").hidden = false;
  $("topbar").hidden = true;
  $("tabbar").hidden = true;
  $("refused").hidden = true;
  SECTIONS.forEach((t) => { $(t).hidden = true; });
  setText($("join-error"), message);
  $("name").setAttribute("aria-invalid", message ? "true" : "false");
  $("name").focus();
}

$("join-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("name");
  const name = input.value.replace(/\s+/g, " ").trim();
  let problem = "";
  if (!name) problem = "Please enter your first name.";
  else if (name.length > NAME_MAX) problem = `Please use at most ${NAME_MAX} characters.`;
  if (problem) {
    setText($("join-error"), problem);
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  input.value = name;
  start({ joinCode, groupId: linkGroupId, name });
});

let stopTicking = null;

function start(options) {
  if (client) client.socket.disconnect();
  stopTicking?.();
  client = createClient(options);
  stopTicking = client.everySecond(tick);
  window.townhall = client;
  client.on("change", scheduleRender).on("status", onStatus).on("error", onError).on("event", onEvent);
  $("join").hidden = true;
  $("topbar").hidden = false;
  showSections(true);
  client.start();
  // A link or reload to #plenary lands there once the content above it has arrived.
  const wanted = location.hash.slice(1);
  pendingJump = SECTIONS.includes(wanted) ? wanted : null;
  render();
}
let pendingJump = null;

function showSections(shown) {
  SECTIONS.forEach((t) => { $(t).hidden = !shown; });
  $("tabbar").hidden = !shown;
  if (shown) trackSections();
}

// -- status, refusals and errors ---------------------------------------------------

function capitalise(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

function onStatus(status) {
  const line = $("status");
  line.dataset.state = status.state;
  setText(line, capitalise(describeStatus(status)));
  const refused = status.state === "refused";
  $("refused").hidden = !refused;
  if (refused) {
    setText($("refused-message"), capitalise(status.message || "The server refused this link."));
    // Nothing to show behind the message if we never got in.
    if (!client.model) showSections(false);
  } else if ($("tabbar").hidden) {
    showSections(true);
  }
  scheduleRender(); // the queue of unsent writes may have changed
}

const correctionErrors = new Map(); // response id -> message

function onError(error) {
  const item = error.item;
  if (!item) {
    if (error.code === "bad_name" || error.code === "bad_token") {
      // The server would not take this name, or no longer knows this phone (and we have
      // no name to join again with): forget it, not the queued notes, and ask again.
      client.socket.disconnect();
      storage.del(identityKey);
      if (linkGroupId) storage.del(`townhall:group:${linkGroupId}`);
      client = null;
      showJoin(error.code === "bad_name" ? capitalise(error.message)
        : "This phone needs to join its group again. Please enter your first name.");
    }
    return; // other refusals show through the status
  }
  const message = capitalise(error.message || "The server refused this.");
  if (item.name === "correction.submit") {
    correctionErrors.set(item.payload.response_id, message);
  } else {
    showNoteError(message);
    // Give the words back, so a refused note can be shortened and sent again.
    const area = $("note-text");
    if (item.name === "note.add" && !area.value) {
      area.value = item.payload.text;
      updateCount();
    }
  }
  scheduleRender();
}

// A note hidden before this phone joined is not in its snapshot, and `note.restored`
// carries only the id: fetch a fresh snapshot by reconnecting (rare, and cheap enough).
let refreshing = false;
function onEvent(e) {
  const m = client.model;
  if (e.type !== "note.restored" || !m || m.notes.has(e.data?.note_id) || refreshing) return;
  refreshing = true;
  const socket = client.socket;
  socket.disconnect();
  socket.connect();
  socket.once("welcome", () => { refreshing = false; });
}

function showNoteError(message) {
  setText($("note-error"), message);
  $("note-text").setAttribute("aria-invalid", message ? "true" : "false");
}

$("retry").addEventListener("click", () => location.reload());

// -- jump links --------------------------------------------------------------------

$("tabbar").addEventListener("click", (event) => {
  const link = event.target.closest("a[data-tab]");
  if (!link) return;
  event.preventDefault();
  goTo(link.dataset.tab);
});
window.addEventListener("hashchange", () => {
  const id = location.hash.slice(1);
  if (client && SECTIONS.includes(id)) goTo(id);
});

function goTo(id) {
  history.replaceState(null, "", `#${id}`);
  $(HEADINGS[id]).focus({ preventScroll: true });
  $(id).scrollIntoView({ block: "start", behavior: reducedMotion.matches ? "auto" : "smooth" });
}

// Keep anchor scrolls and focused fields clear of the sticky top bar, whatever its height
// (the status line wraps); CSSOM changes are fine under the page's CSP.
new ResizeObserver(() => {
  document.documentElement.style.scrollPaddingTop = `${$("topbar").offsetHeight + 8}px`;
}).observe($("topbar"));

/** Which sections are on screen (between the top bar and the jump links). */
function sectionsInView() {
  const top = $("topbar").getBoundingClientRect().bottom;
  const bottom = $("tabbar").hidden ? window.innerHeight : $("tabbar").getBoundingClientRect().top;
  return SECTIONS.filter((id) => {
    const r = $(id).getBoundingClientRect();
    return !$(id).hidden && r.bottom > top + 24 && r.top < bottom - 24;
  });
}

// The jump link of the section being read is marked; a dot marks a section where
// something new arrived while it was off screen.
const seen = new Map();
const latest = new Map();
let trackQueued = false;
function trackSections() {
  if (trackQueued) return;
  trackQueued = true;
  requestAnimationFrame(() => {
    trackQueued = false;
    const visible = sectionsInView();
    const atEnd = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 4;
    const current = atEnd ? visible[visible.length - 1] : visible[0];
    for (const link of $("tabbar").querySelectorAll("a[data-tab]")) {
      if (link.dataset.tab === current) link.setAttribute("aria-current", "location");
      else link.removeAttribute("aria-current");
    }
    for (const id of visible) if (latest.has(id)) seen.set(id, latest.get(id));
    updateDots();
  });
}
window.addEventListener("scroll", trackSections, { passive: true });
window.addEventListener("resize", trackSections);

function updateDots() {
  for (const id of ["sec-notes", "plenary"]) {
    const dot = $("tabbar").querySelector(`a[data-tab="${id}"] .dot`);
    dot.hidden = !latest.has(id) || seen.get(id) === latest.get(id);
  }
}

function renderBadges(m) {
  latest.set("sec-notes", [...m.notes.values()]
    .filter((n) => !n.hidden && n.author?.id !== m.participantId).length);
  let resolved = 0;
  for (const c of m.corrections.values()) if (c.outcome) resolved += 1;
  let published = 0;
  for (const k of m.keypoints.values()) if (k.published) published += 1;
  latest.set("plenary", `${m.focus}|${published}|${m.responses.size}|${resolved}`);
  for (const id of latest.keys()) if (!seen.has(id)) seen.set(id, latest.get(id)); // first look
  trackSections();
}

// -- rendering ---------------------------------------------------------------------

let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  const run = () => {
    if (!renderQueued) return;
    renderQueued = false;
    render();
  };
  requestAnimationFrame(run);
  setTimeout(run, 100); // rAF sleeps in background tabs; the page must still keep up
}

function render() {
  if (!client) return;
  const m = client.model;
  const pending = client.pending();
  if (m) {
    renderHeader(m);
    renderInfoPack(m);
    renderPlenary(m, pending);
    renderBadges(m);
  }
  renderNotes(m, pending);
  tick();
  if (m && pendingJump) {
    $(pendingJump).scrollIntoView({ block: "start" });
    pendingJump = null;
  }
}

function ownGroup(m) {
  return m.groups.find((g) => g.id === m.groupId) ?? null;
}

function renderHeader(m) {
  const name = ownGroup(m)?.name ?? m.groupId ?? "Your group";
  setText($("group-name"), name);
  const title = `${name} · townhall`;
  if (document.title !== title) document.title = title;
  setText($("slot-title"), currentSlot(m)?.title ?? "Not started yet");
  const me = m.name ?? client.identity().name;
  setText($("note-hint"), me
    ? `Your group sees your notes with your name, ${me}.`
    : "Your group sees your notes with your name.");
}

/** The countdown, on every change of its second in server time (client.everySecond). */
function tick() {
  const node = $("countdown");
  const timer = client?.model?.timer;
  const ms = timer && timer.slot_id ? remainingMs(timer, client.now()) : null;
  const paused = ms != null && timer.status === "paused";
  const text = ms == null ? "--:--" : `${formatRemaining(ms)}${paused ? " (paused)" : ""}`;
  setText(node, text);
  node.classList.toggle("over", ms != null && ms < 0);
  node.classList.toggle("paused", paused);
  node.classList.toggle("idle", ms == null);
}

/**
 * Make `list`'s children match `items`, keyed: existing nodes are updated in place and
 * only moved when the order really changed, so focus and typing inside them survive.
 */
function reconcile(list, items, keyOf, create, update) {
  const keys = new Set(items.map(keyOf));
  for (const child of [...list.children]) if (!keys.has(child.reconcileKey)) child.remove();
  const byKey = new Map([...list.children].map((child) => [child.reconcileKey, child]));
  let cursor = list.firstElementChild;
  let fresh = null; // consecutive new nodes go in together
  const flushFresh = () => {
    if (fresh) { list.insertBefore(fresh, cursor); fresh = null; }
  };
  for (const item of items) {
    const key = keyOf(item);
    let node = byKey.get(key);
    if (!node) {
      node = create(item);
      node.reconcileKey = key;
      update(node, item);
      (fresh ??= document.createDocumentFragment()).append(node);
      continue;
    }
    flushFresh();
    update(node, item);
    if (node === cursor) cursor = cursor.nextElementSibling;
    else list.insertBefore(node, cursor);
  }
  flushFresh();
}

const timeFormat = new Intl.DateTimeFormat([], { hour: "numeric", minute: "2-digit" });
function timeElement(ts) {
  const t = el("time", "when", timeFormat.format(ts));
  t.dateTime = new Date(ts).toISOString();
  return t;
}

// -- notes --------------------------------------------------------------------------

function renderNotes(m, pending) {
  const me = m?.participantId ?? client.identity().participantId ?? null;
  const notes = m
    ? [...m.notes.values()].filter((n) => !n.hidden && n.group_id === m.groupId).sort((a, b) => b.seq - a.seq)
    : [];
  const sent = new Set(notes.map((n) => n.client_id).filter(Boolean));
  const waiting = pending.filter((i) => i.name === "note.add" && !sent.has(i.payload.client_id)).reverse();
  const supporting = new Set(pending.filter((i) => i.name === "note.support").map((i) => i.payload.note_id));

  const items = [
    ...waiting.map((item) => ({ pending: true, item })),
    ...notes.map((note) => ({ pending: false, note })),
  ];
  reconcile($("notes"), items,
    (x) => (x.pending ? `p:${x.item.id}` : `n:${x.note.id}`),
    (x) => (x.pending ? createPendingNote(x.item) : createNote(x.note, me)),
    (node, x) => { if (!x.pending) updateNote(node, x.note, me, supporting.has(x.note.id)); });
  $("notes-empty").hidden = items.length > 0;
  setText($("notes-total"), notes.length ? `(${notes.length})` : "");
}

function createNote(note, me) {
  const li = el("li", "note");
  li.dataset.noteId = note.id;
  const mine = note.author?.id === me;
  if (mine) li.classList.add("mine");
  li.append(el("p", "note-text user-text", note.text));
  const foot = el("div", "note-foot");
  const meta = el("p", "note-meta");
  meta.append(el("span", "note-author", note.author?.name ?? "Someone"));
  if (mine) meta.append(" ", el("span", "you-tag", "(you)"));
  meta.append(" · ", timeElement(note.ts));
  const button = el("button", "support");
  button.type = "button";
  foot.append(meta, button);
  li.append(foot);
  return li;
}

function updateNote(li, note, me, queued) {
  setText(li.querySelector(".note-text"), note.text);
  const supported = note.supporters.includes(me);
  const count = note.supporters.length + (queued && !supported ? 1 : 0);
  const button = li.querySelector("button.support");
  setText(button, `Support (${count})`);
  const pressed = supported || queued ? "true" : "false";
  if (button.getAttribute("aria-pressed") !== pressed) button.setAttribute("aria-pressed", pressed);
}

function createPendingNote(item) {
  const li = el("li", "note pending");
  li.dataset.clientId = item.payload.client_id ?? "";
  li.append(el("p", "note-text user-text", item.payload.text));
  const meta = el("p", "note-meta");
  meta.append(el("span", "note-author", "You"), " · ", el("span", "sending", "sending…"));
  li.append(meta);
  return li;
}

$("notes").addEventListener("click", (event) => {
  const button = event.target.closest("button.support");
  if (!button || !client) return;
  if (button.getAttribute("aria-pressed") === "true") return; // support cannot be withdrawn
  const noteId = button.closest("li.note").dataset.noteId;
  showNoteError("");
  client.send("note.support", { note_id: noteId });
  scheduleRender();
});

const noteText = $("note-text");
function updateCount() {
  const n = noteText.value.length;
  const count = $("note-count");
  setText(count, `${n} / ${NOTE_MAX}`);
  count.classList.toggle("near", n > NOTE_MAX - 100);
}

let draftTimer = null;
noteText.addEventListener("input", () => {
  updateCount();
  if ($("note-error").textContent && noteText.value.trim()) showNoteError("");
  // Keep the draft: a sleeping phone may drop the page and reload it.
  clearTimeout(draftTimer);
  draftTimer = setTimeout(() => {
    if (noteText.value) storage.set(draftKey, noteText.value); else storage.del(draftKey);
  }, 300);
});
noteText.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    $("note-form").requestSubmit();
  }
});

$("note-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (!client) return;
  const text = noteText.value.trim();
  if (!text) {
    showNoteError("Write your note first.");
    noteText.focus();
    return;
  }
  showNoteError("");
  client.send("note.add", { text });
  noteText.value = "";
  clearTimeout(draftTimer);
  storage.del(draftKey);
  updateCount();
  scheduleRender();
});

// -- information pack ---------------------------------------------------------------

let shownPack;
function renderInfoPack(m) {
  const pack = ownGroup(m)?.info_pack ?? "";
  if (pack === shownPack) return;
  shownPack = pack;
  const box = $("info-pack");
  if (pack.trim()) box.replaceChildren(renderMarkdown(pack, 3));
  else box.replaceChildren(el("p", "empty", "There is no information pack for your group."));
}

// -- plenary ------------------------------------------------------------------------

function renderPlenary(m, pending) {
  const focus = m.focus ?? null;
  setText($("focus-group"), focus ? groupName(m, focus) : "No group presenting yet");
  $("focus-mine").hidden = !focus || focus !== m.groupId;

  // Published only; by group (in the assembly's order), then in the order the group set.
  const groupRank = new Map(m.groups.map((g, i) => [g.id, i]));
  const keypoints = [...m.keypoints.values()]
    .filter((k) => k.published && (!focus || k.group_id === focus))
    .sort((a, b) => (groupRank.get(a.group_id) ?? 1e9) - (groupRank.get(b.group_id) ?? 1e9)
      || (a.order ?? Infinity) - (b.order ?? Infinity)
      || (a.published_at ?? a.ts) - (b.published_at ?? b.ts));
  setText($("keypoints-heading"), focus ? `Key points from ${groupName(m, focus)}` : "Key points from all groups");
  reconcile($("keypoints"), keypoints, (k) => k.id, createKeypoint, (li, k) => {
    setText(li.querySelector(".keypoint-text"), k.text);
    const label = li.querySelector(".keypoint-group");
    label.hidden = Boolean(focus);
    setText(label, groupName(m, k.group_id));
  });
  $("keypoints-empty").hidden = keypoints.length > 0;
  setText($("keypoints-empty"), focus ? "No key points published for this group yet." : "No key points published yet.");

  const corrections = new Map();
  for (const c of m.corrections.values()) {
    if (!corrections.has(c.response_id)) corrections.set(c.response_id, []);
    corrections.get(c.response_id).push(c);
  }
  // Queued corrections, shown as "sending…" until acknowledged (the model does not keep a
  // correction's client_id, so one may show twice for the moment between event and ack).
  const waiting = new Map();
  for (const item of pending) {
    if (item.name !== "correction.submit") continue;
    if (!waiting.has(item.payload.response_id)) waiting.set(item.payload.response_id, []);
    waiting.get(item.payload.response_id).push(item);
  }
  const responses = [...m.responses.values()].sort((a, b) => b.seq - a.seq);
  reconcile($("responses"), responses, (r) => r.id, createResponse, (li, r) => updateResponse(li, r, m,
    (corrections.get(r.id) ?? []).sort((a, b) => a.seq - b.seq), waiting.get(r.id) ?? []));
  $("responses-empty").hidden = responses.length > 0;
}

function createKeypoint() {
  const li = el("li", "keypoint");
  li.append(el("span", "keypoint-group"), el("p", "keypoint-text user-text"));
  return li;
}

let formCounter = 0;
function createResponse(r) {
  const li = el("li", "response card");
  li.dataset.responseId = r.id;
  const head = el("p", "response-head");
  head.append(el("span", "stance"), " ", el("span", "response-group"));
  const text = el("p", "response-text user-text");
  const by = el("p", "response-by");
  by.append("— ", el("span", "member"));
  const reason = el("p", "reason");
  reason.append(el("span", "reason-label", "Reason: "), el("span", "reason-text user-text"));
  const list = el("ul", "corrections");
  list.setAttribute("aria-label", "Corrections");
  const error = el("p", "error correction-error");
  error.setAttribute("role", "alert");
  const toggle = el("button", "suggest", "Suggest a correction");
  toggle.type = "button";
  toggle.setAttribute("aria-expanded", "false");
  const form = createCorrectionForm(++formCounter);
  toggle.setAttribute("aria-controls", form.id);
  li.append(head, text, by, reason, list, error, toggle, form);
  return li;
}

function createCorrectionForm(n) {
  const form = el("form", "correction-form");
  form.id = `correction-form-${n}`;
  form.hidden = true;
  form.noValidate = true;
  const label = el("label", null, "Your correction: what was actually said or meant?");
  label.htmlFor = `correction-text-${n}`;
  const area = el("textarea");
  area.id = `correction-text-${n}`;
  area.name = "text";
  area.maxLength = NOTE_MAX;
  area.rows = 3;
  const actions = el("div", "form-actions");
  const send = el("button", "primary", "Send correction");
  send.type = "submit";
  const cancel = el("button", "cancel", "Cancel");
  cancel.type = "button";
  actions.append(send, cancel);
  form.append(label, area, actions);
  return form;
}

function updateResponse(li, r, m, corrections, waiting) {
  const stance = li.querySelector(".stance");
  const stanceClass = `stance ${STANCES[r.stance] ? r.stance : ""}`.trim();
  if (stance.className !== stanceClass) stance.className = stanceClass;
  setText(stance, STANCES[r.stance] ?? r.stance);
  setText(li.querySelector(".response-group"), `to ${groupName(m, r.group_id)}`);
  setText(li.querySelector(".response-text"), r.text);
  setText(li.querySelector(".member"), r.member);
  const reason = li.querySelector(".reason");
  reason.hidden = !r.reason;
  setText(reason.querySelector(".reason-text"), r.reason ?? "");
  setText(li.querySelector(".correction-error"), correctionErrors.get(r.id) ?? "");

  // Corrections hold nothing focusable: rebuild them when they changed.
  const signature = JSON.stringify([corrections.map((c) => [c.id, c.outcome, c.text]), waiting.map((i) => i.id)]);
  const list = li.querySelector(".corrections");
  if (list.signature === signature) return;
  list.signature = signature;
  const frag = document.createDocumentFragment();
  for (const c of corrections) {
    const item = el("li", "correction");
    item.dataset.correctionId = c.id;
    item.append(el("p", "correction-text user-text", c.text));
    const meta = el("p", "correction-meta");
    const outcome = c.outcome ?? "waiting for the Board";
    meta.append(el("span", `outcome ${c.outcome ?? "waiting"}`, outcome));
    if (c.author?.id === m.participantId) meta.append(" · ", el("span", "you-tag", "suggested by you"));
    item.append(meta);
    frag.append(item);
  }
  for (const p of waiting) {
    const item = el("li", "correction pending");
    item.append(el("p", "correction-text user-text", p.payload.text));
    const meta = el("p", "correction-meta");
    meta.append(el("span", "sending", "sending…"), " · ", el("span", "you-tag", "suggested by you"));
    item.append(meta);
    frag.append(item);
  }
  list.replaceChildren(frag);
  list.hidden = !corrections.length && !waiting.length;
}

function closeCorrection(li, { focusToggle = true } = {}) {
  const form = li.querySelector(".correction-form");
  const toggle = li.querySelector("button.suggest");
  form.hidden = true;
  toggle.hidden = false;
  toggle.setAttribute("aria-expanded", "false");
  if (focusToggle) toggle.focus();
}

$("responses").addEventListener("click", (event) => {
  const li = event.target.closest("li.response");
  if (!li) return;
  if (event.target.closest("button.suggest")) {
    const form = li.querySelector(".correction-form");
    const toggle = li.querySelector("button.suggest");
    form.hidden = false;
    toggle.hidden = true;
    toggle.setAttribute("aria-expanded", "true");
    correctionErrors.delete(li.dataset.responseId);
    setText(li.querySelector(".correction-error"), "");
    form.querySelector("textarea").focus();
  } else if (event.target.closest("button.cancel")) {
    closeCorrection(li);
  }
});

$("responses").addEventListener("submit", (event) => {
  const form = event.target.closest("form.correction-form");
  if (!form) return;
  event.preventDefault();
  const li = form.closest("li.response");
  const area = form.querySelector("textarea");
  const text = area.value.trim();
  const responseId = li.dataset.responseId;
  if (!text) {
    correctionErrors.set(responseId, "Write your correction first.");
    setText(li.querySelector(".correction-error"), "Write your correction first.");
    area.focus();
    return;
  }
  correctionErrors.delete(responseId);
  setText(li.querySelector(".correction-error"), "");
  client.send("correction.submit", { response_id: responseId, text });
  area.value = "";
  closeCorrection(li);
  scheduleRender();
});

// -- start --------------------------------------------------------------------------

const draft = storage.get(draftKey);
if (typeof draft === "string") noteText.value = draft;
updateCount();

const known = storedIdentity(joinCode, linkGroupId);
if (known.token || (known.name && linkState === "open")) {
  $("unknown-link").hidden = true;
  start({ joinCode, groupId: linkGroupId });
} else if (linkState === "open") showJoin();
// else: the server's "This join link is not valid" stays, with nothing to join.
