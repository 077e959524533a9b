// The participant app: what a phone shows after scanning a table's QR code. It asks for
// a first name once, then keeps the group's notes, its information pack and the plenary
// (key points, the Board's responses, corrections) in step through the shared client.
// It only renders: connection, offline queue, clock and model live in client.js.
// All text from people goes in with textContent (dom.js) and carries dir="auto", so
// Arabic or Hebrew runs right to left; lists are reconciled by key, so the element
// someone is typing in or has focused is never re-created.
// Every word the page itself says is in the visitor's language (i18n.js, CONTRACT §10):
// t()/nt() in here, data-i18n in participant.html; times in the venue's time zone.

import {
  applyDocument, errorText, formatNumber, formatTime, groupText, lang, languagePicker, nt, t,
} from "/static/i18n.js";
import { createClient, describeStatus, secretFromPath, storedIdentity } from "/static/client.js";
import { el, withNodes } from "/static/dom.js";
import { currentSlot, formatRemaining, groupKeypoints, openPolls, pollLabels, remainingMs } from "/static/model.js";
import { renderMarkdown } from "/static/markdown.js";

const $ = (id) => document.getElementById(id);
const setText = (node, text) => { if (node.textContent !== text) node.textContent = text; };

const TEXT_MAX = 1000; // notes and corrections (CONTRACT §4)
const NAME_MAX = 60;
const STANCES = { commit: () => t("Commitment"), consider: () => t("Under consideration"), decline: () => t("Declined") };
// What a correction's outcome means, in plain words: its name, and a sentence around it.
const OUTCOMES = {
  accepted: () => [t("Accepted"), t("{outcome}: the Board agrees its response missed this and will take it into account.")],
  noted: () => [t("Noted"), t("{outcome}: the Board has recorded it.")],
};
// Stacked sections, in this order, with a bar of jump links at the bottom of the screen.
const SECTIONS = ["sec-notes", "plenary", "sec-info"];
const HEADINGS = { "sec-notes": "notes-heading", "sec-info": "info-heading", plenary: "plenary-heading" };
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

applyDocument();
document.title = t("Your group") + " · townhall";
$("language-slot").append(languagePicker({ id: "language" }));

const joinCode = secretFromPath();
// The server names the group this link opens, or says the code is unknown (replaced):
// then only a phone that joined with it, or with an earlier code of that group, gets in.
let linkState = document.body.dataset.join;                // "open" | "unknown"
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

/** Say something to screen readers once (a polite live region). */
function announce(text) {
  const node = $("announce");
  node.textContent = "";
  setTimeout(() => { node.textContent = text; }, 60);
}

// -- length: as the server counts it (code points, after trimming), never cut silently --

const charCount = (text) => [...text.trim()].length;

/**
 * Show how long the text in `area` is against the limit: the count (red when over), a
 * message that says by how much, and the send button marked unavailable. True when it fits.
 */
function showLength(area, { count, message, send, what }) {
  const n = charCount(area.value);
  const over = n > TEXT_MAX;
  setText(count, `${formatNumber(n)} / ${formatNumber(TEXT_MAX)}`);
  count.classList.toggle("near", !over && n > TEXT_MAX - 100);
  count.classList.toggle("over", over);
  const wasOver = message.textContent !== "";
  setText(message, over ? TOO_LONG[what].says(n) : "");
  send.setAttribute("aria-disabled", over ? "true" : "false");
  if (over && !wasOver) announce(TOO_LONG[what].announce());
  return !over;
}

// What to say when a note or a correction is over the limit (the limit is TEXT_MAX).
const TOO_LONG = {
  note: {
    says: (n) => nt("Your note is {n} character; the limit is {max}. Shorten it to send.",
      "Your note is {n} characters; the limit is {max}. Shorten it to send.", n, { max: formatNumber(TEXT_MAX) }),
    announce: () => t("Your note is longer than {max} characters: shorten it to send.", { max: formatNumber(TEXT_MAX) }),
  },
  correction: {
    says: (n) => nt("Your correction is {n} character; the limit is {max}. Shorten it to send.",
      "Your correction is {n} characters; the limit is {max}. Shorten it to send.", n, { max: formatNumber(TEXT_MAX) }),
    announce: () => t("Your correction is longer than {max} characters: shorten it to send.", { max: formatNumber(TEXT_MAX) }),
  },
};

// -- joining -----------------------------------------------------------------------

function showJoin(message = "") {
  $("join").hidden = false;
  $("unknown-link").hidden = true;
  $("topbar").hidden = true;
  $("tabbar").hidden = true;
  $("refused").hidden = true;
  SECTIONS.forEach((t) => { $(t).hidden = true; });
  $("polls").hidden = true;
  $("poll-alert").hidden = true;
  setText($("join-error"), message);
  $("name").setAttribute("aria-invalid", message ? "true" : "false");
  $("name").focus();
}

/**
 * A replaced link whose stored identity the server refused: there is nothing to join
 * from here. Say the link is not valid, as a stranger sees it; never ask for a name.
 */
function showUnknownLink({ forget = false } = {}) {
  if (client) {
    client.socket.disconnect();
    client = null;
  }
  stopTicking?.();
  stopTicking = null;
  if (forget) storage.del(identityKey); // the server no longer knows it: try it no more
  $("join").hidden = true;
  $("topbar").hidden = true;
  $("refused").hidden = true;
  showSections(false);
  $("unknown-link").hidden = false;
}

$("join-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("name");
  const name = input.value.replace(/\s+/g, " ").trim();
  let problem = "";
  if (!name) problem = t("Please enter your first name.");
  else if (name.length > NAME_MAX) problem = t("Please use at most {max} characters.", { max: formatNumber(NAME_MAX) });
  if (problem) {
    setText($("join-error"), problem);
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  input.value = name;
  start({ joinCode, groupId: linkGroupId, name });
  window.scrollTo(0, 0); // the form may have been scrolled up to the Join button: start at the top
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
  $("unknown-link").hidden = true;
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
  else {
    $("polls").hidden = true;
    $("poll-alert").hidden = true;
  }
}

// -- status, refusals and errors ---------------------------------------------------

function capitalise(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

// Refusals that mean "this link and this phone's identity lead nowhere".
const IDENTITY_REFUSED = new Set(["bad_token", "bad_join_code", "bad_name"]);

function onStatus(status) {
  if (!client) return;
  const line = $("status");
  line.dataset.state = status.state;
  setText(line, capitalise(describeStatus(status)));
  const refused = status.state === "refused";
  // On a replaced link a refusal means this link leads nowhere: onError, called right
  // after, says the link is not valid instead of showing the refusal.
  if (refused && linkState === "unknown") return;
  $("refused").hidden = !refused;
  if (refused) {
    setText($("refused-message"), capitalise(describeStatus(status)));
    // Nothing to show behind the message if we never got in.
    if (!client.model) showSections(false);
  } else if ($("tabbar").hidden) {
    showSections(true);
  }
  scheduleRender(); // the queue of unsent writes may have changed
}

const correctionErrors = new Map(); // response id -> message

function onError(error) {
  if (!client) return;
  const item = error.item;
  if (!item) {
    if (linkState === "unknown") {
      showUnknownLink({ forget: IDENTITY_REFUSED.has(error.code) });
    } else if (error.code === "bad_name" || error.code === "bad_token") {
      // The server would not take this name, or no longer knows this phone (and we have
      // no name to join again with): forget it, not the queued notes, and ask again.
      client.socket.disconnect();
      storage.del(identityKey);
      if (linkGroupId) storage.del(`townhall:group:${linkGroupId}`);
      client = null;
      showJoin(error.code === "bad_name"
        ? (lang === "en" && error.message ? capitalise(error.message) : t("That name could not be used: please enter your first name again."))
        : t("This phone needs to join its group again. Please enter your first name."));
    }
    return; // other refusals show through the status
  }
  const message = capitalise(errorText(error));
  if (item.name === "vote.cast") {
    voteRefused(item, message);
  } else if (item.name === "correction.submit") {
    correctionErrors.set(item.payload.response_id, message);
  } else {
    showNoteError(message);
    // Give the words back, so a refused note can be shortened and sent again.
    if (item.name === "note.add" && !noteText.value) {
      noteText.value = item.payload.text;
      updateNoteLength();
    }
  }
  scheduleRender();
}

// A note hidden before this phone joined is not in its snapshot, and `note.restored`
// carries only the id: fetch a fresh snapshot by reconnecting (rare, and cheap enough).
let refreshing = false;
function onEvent(e) {
  const m = client?.model;
  if (e.type !== "note.restored" || !m || m.notes.has(e.data?.note_id) || refreshing) return;
  refreshing = true;
  const socket = client.socket;
  socket.disconnect();
  socket.connect();
  socket.once("welcome", () => { refreshing = false; });
}

let noteError = "";
function showNoteError(message) {
  noteError = message;
  setText($("note-error"), message);
  markNoteInvalid();
}

function markNoteInvalid() {
  const invalid = Boolean(noteError) || $("note-length").textContent !== "";
  noteText.setAttribute("aria-invalid", invalid ? "true" : "false");
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
window.addEventListener("scroll", () => { trackSections(); schedulePollAlert(); }, { passive: true });
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
  let withdrawn = 0;
  for (const r of m.responses.values()) if (r.withdrawn) withdrawn += 1;
  let checked = 0; // check-backs whose final result is in
  for (const p of m.polls.values()) if (p.response_id && p.closed_at != null) checked += 1;
  latest.set("plenary", `${m.focus}|${published}|${m.responses.size}|${withdrawn}|${resolved}|${checked}`);
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
  // Someone typing keeps their field where it is when a poll arrives above it.
  const typing = document.activeElement?.matches?.("textarea, input[type=text]") ? document.activeElement : null;
  const typingTop = typing?.getBoundingClientRect().top;
  // A poll's card is rebuilt when the poll closes: focus inside it comes back near it.
  const pollFocus = document.activeElement?.closest?.(".poll-block") ?? null;
  if (m) {
    trackVotes(m, pending);
    renderHeader(m);
    renderInfoPack(m);
    renderPolls(m);
    renderPlenary(m, pending);
    renderBadges(m);
  }
  renderNotes(m, pending);
  if (typing && typing.isConnected) {
    const moved = typing.getBoundingClientRect().top - typingTop;
    if (Math.abs(moved) >= 1) window.scrollBy(0, moved);
  }
  if (m) updatePollAlert();
  if (pollFocus && !pollFocus.isConnected && (!document.activeElement || document.activeElement === document.body)) {
    const where = pollFocus.classList.contains("poll-response") ? "#responses" : "#open-polls";
    const again = document.querySelector(`${where} .poll-block[data-poll-id="${pollFocus.dataset.pollId}"] .poll-question`);
    (again ?? $("polls-heading")).focus({ preventScroll: true });
  }
  tick();
  if (m && pendingJump) {
    $(pendingJump).scrollIntoView({ block: "start" });
    pendingJump = null;
  }
}

function ownGroup(m) {
  return m.groups.find((g) => g.id === m.groupId) ?? null;
}

/** What part of the day it is, for the top bar. */
function slotLine(m) {
  const slot = currentSlot(m);
  if (slot) return slot.title;
  const ended = m.timer.ended_slot_id ? m.agenda.find((s) => s.id === m.timer.ended_slot_id) : null;
  if (ended) return t("Ended: {title}", { title: ended.title });
  return m.runs.length ? t("Between parts of the day") : t("Not started yet");
}

let shownHint = null;
function renderHeader(m) {
  const name = groupText(m, ownGroup(m)) || m.groupId || t("Your group");
  setText($("group-name"), name);
  setText($("info-group"), name);
  const title = `${name} · townhall`;
  if (document.title !== title) document.title = title;
  setText($("slot-title"), slotLine(m));
  const me = m.name ?? client.identity().name ?? "";
  if (shownHint !== me) {
    shownHint = me;
    const hint = $("note-hint");
    if (me) hint.replaceChildren(...withNodes(t("Your group sees your notes with your name, {name}."), { name: el("span", { dir: "auto", text: me }) }));
    else hint.replaceChildren(t("Your group sees your notes with your name."));
  }
  renderZoneNote(m);
}

/** The time zone the times on this page are in, said once at its foot (never bare UTC). */
let shownZone = null;
function renderZoneNote(m) {
  const zone = venueZone(m);
  const key = `${zone ?? ""}|${Math.floor(Date.now() / 3600000)}`; // summer time may begin
  if (key === shownZone) return;
  shownZone = key;
  const note = $("zone-note");
  note.replaceChildren(...withNodes(t("Times on this page are in the venue's time zone: {zone}."),
    { zone: el("span", { class: "zone-name", text: zoneName(zone) }) }));
  note.hidden = false;
}

/** The venue's IANA time zone (the assembly's), else this phone's own: it is at the venue. */
const venueZone = (m) => m?.assembly?.timezone || undefined;

/** The zone's name in the visitor's language ("British Summer Time"), by Intl. */
function zoneName(timeZone) {
  try {
    const parts = new Intl.DateTimeFormat(lang, { timeZone, timeZoneName: "long" }).formatToParts(Date.now());
    return parts.find((part) => part.type === "timeZoneName")?.value ?? timeZone ?? "";
  } catch {
    return timeZone ?? "";
  }
}

/** "12:05" (or "1:02:05") in the visitor's digits; `over` once the slot overran. */
function clock(ms) {
  const digits = formatRemaining(ms).replace(/ over$/, "")
    .replace(/\d+/g, (d) => formatNumber(Number(d), { minimumIntegerDigits: d.length, useGrouping: false }));
  return { digits, over: ms < 0 };
}

/** The countdown, on every change of its second in server time (client.everySecond). */
function tick() {
  const node = $("countdown");
  const timer = client?.model?.timer;
  // No countdown unless a slot is under way: idle, never started or ended (§12).
  const ms = timer && timer.slot_id && timer.status !== "idle" ? remainingMs(timer, client.now()) : null;
  const paused = ms != null && timer.status === "paused";
  const shown = ms == null ? null : clock(ms);
  const key = shown ? `${shown.digits}|${shown.over}` : "idle";
  if (node.dataset.shown !== key) {
    node.dataset.shown = key;
    // The digits always read left to right; an overrun's words go where the language puts them.
    const time = shown ? el("span", { class: "cd-time", dir: "ltr", text: shown.digits }) : null;
    if (!shown) node.replaceChildren("--:--");
    else if (shown.over) node.replaceChildren(...withNodes(t("{time} over"), { time }));
    else node.replaceChildren(time);
  }
  node.classList.toggle("over", ms != null && ms < 0);
  node.classList.toggle("paused", paused);
  node.classList.toggle("idle", ms == null);
  $("paused").hidden = !paused;
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

/** When something was written, in the venue's time zone (named at the page's foot). */
function timeElement(ts) {
  return el("time", { class: "when", dir: "ltr", text: formatTime(ts, { timeZone: venueZone(client?.model) }),
    dateTime: new Date(ts).toISOString() });
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
  setText($("notes-total"), notes.length ? t("({n})", { n: formatNumber(notes.length) }) : "");
}

function createNote(note, me) {
  const mine = note.author?.id === me;
  return el("li", { class: mine ? "note mine" : "note", "data-note-id": note.id },
    el("p", { class: "note-text user-text", dir: "auto", text: note.text }),
    el("div", { class: "note-foot" },
      el("p", { class: "note-meta" },
        el("span", { class: "note-author", dir: "auto", text: note.author?.name ?? t("Someone") }),
        mine ? " " : null, mine ? el("span", { class: "you-tag", text: t("(you)") }) : null,
        " · ", timeElement(note.ts)),
      el("button", { type: "button", class: "support" })));
}

function updateNote(li, note, me, queued) {
  setText(li.querySelector(".note-text"), note.text);
  const supported = note.supporters.includes(me);
  const count = note.supporters.length + (queued && !supported ? 1 : 0);
  const button = li.querySelector("button.support");
  setText(button, t("Support ({n})", { n: formatNumber(count) }));
  const pressed = supported || queued ? "true" : "false";
  if (button.getAttribute("aria-pressed") !== pressed) button.setAttribute("aria-pressed", pressed);
}

function createPendingNote(item) {
  return el("li", { class: "note pending", "data-client-id": item.payload.client_id ?? "" },
    el("p", { class: "note-text user-text", dir: "auto", text: item.payload.text }),
    el("p", { class: "note-meta" },
      el("span", { class: "note-author", text: t("You") }), " · ", el("span", { class: "sending", text: t("sending…") })));
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
const noteLength = { count: $("note-count"), message: $("note-length"), send: $("note-send"), what: "note" };
function updateNoteLength() {
  const fits = showLength(noteText, noteLength);
  markNoteInvalid();
  return fits;
}

// Keep the draft: a sleeping phone may drop the page and reload it, even a long one.
let draftTimer = null;
function saveDraft() {
  clearTimeout(draftTimer);
  if (noteText.value) storage.set(draftKey, noteText.value); else storage.del(draftKey);
}
noteText.addEventListener("input", () => {
  updateNoteLength();
  if (noteError && noteText.value.trim()) showNoteError("");
  clearTimeout(draftTimer);
  draftTimer = setTimeout(saveDraft, 300);
});
window.addEventListener("pagehide", saveDraft);
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") saveDraft(); });
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
    showNoteError(t("Write your note first."));
    noteText.focus();
    return;
  }
  if (!updateNoteLength()) {
    noteText.focus(); // its description says how much to shorten
    return;
  }
  showNoteError("");
  client.send("note.add", { text });
  noteText.value = "";
  saveDraft();
  updateNoteLength();
  scheduleRender();
});

// -- information pack ---------------------------------------------------------------

let shownPack;
// The pack's renderer (markdown-it, ~45 kB) loads only when the pack is about to be
// read (scrolled or jumped to), or after a quiet minute: a phone on a slow link joins,
// connects and shows its notes without it (bench/frontend.py counts the bytes).
let packWanted = false;
new IntersectionObserver((entries, observer) => {
  if (!entries.some((e) => e.isIntersecting)) return;
  observer.disconnect();
  packWanted = true;
  scheduleRender();
}, { rootMargin: "0px 0px 25% 0px" }).observe($("sec-info"));
setTimeout(() => { packWanted = true; scheduleRender(); }, 60000);

// Until then the pack shows as plain text: nothing is hidden from a slow phone.
let shownRendered = false;
function renderInfoPack(m) {
  const pack = groupText(m, ownGroup(m), "info_pack");
  if (pack === shownPack && shownRendered === packWanted) return;
  shownPack = pack;
  shownRendered = packWanted;
  const box = $("info-pack");
  if (!pack.trim()) {
    box.replaceChildren(el("p", { class: "empty", text: t("There is no information pack for your group.") }));
    return;
  }
  const shown = packWanted ? renderMarkdown(pack, 3) : el("div", { class: "markdown markdown-plain", text: pack });
  shown.setAttribute("dir", "auto");
  box.replaceChildren(shown);
}

// -- polls (CONTRACT §9) ------------------------------------------------------------------
// An open poll this phone may vote in comes to the top of the page by itself (a banner
// above the jump links says so when that is off screen); a check-back also sits beside the
// Board response it asks about. One tap votes in a `choice` or `rating` poll; `multi` and
// `rank` answers are built up with taps, then sent. A vote can change until the close:
// "Your vote counted" once the server has it, "Saved, will be sent" while it waits in the
// offline queue. Results show once this phone has voted (never who voted), unless the
// poll hides them until its close; a closed poll keeps its final results, folded away.

const POLL_HINTS = {
  choice: () => t("Tap your answer. You can change it until the poll closes."),
  rating: () => t("Tap a number from {low} (lowest) to {high} (highest). You can change it until the poll closes.",
    { low: formatNumber(1), high: formatNumber(5) }),
  multi: () => t("Tap every answer you agree with, then Send. You can change it until the poll closes."),
  rank: () => t("Tap the answers in order of preference: the first you tap is number {n}. Then Send. You can change it until the poll closes.",
    { n: formatNumber(1) }),
};
const RATING_WORDS = { 1: () => t("(lowest)"), 5: () => t("(highest)") };

/** May this phone vote in `poll`? (state.py's may_vote) */
const mayVote = (m, poll) => m.role === "participant" && (poll.group_id == null || poll.group_id === m.groupId);
const isOpen = (poll) => poll.closed_at == null;
/** A poll's answers as shown: a rating's numbers in the visitor's digits. */
const labelsOf = (poll) => (poll.kind === "rating" ? pollLabels(poll).map((d) => formatNumber(Number(d))) : pollLabels(poll));
const hiddenNow = (poll) => Boolean(poll.hide_results) && isOpen(poll);
/** A choice as the server keeps it: a multi's indices in order. */
const canonical = (poll, choice) => (poll.kind === "multi" && Array.isArray(choice) ? [...choice].sort((a, b) => a - b) : choice);
const sameChoice = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

const drafts = new Map();        // poll id -> indices picked so far (multi, rank), not yet sent
const voteProblems = new Map();  // poll id -> why the last vote was refused
const refusedItems = new Set();  // queue item ids the server refused
let queuedVotes = new Map();     // poll id -> its newest queued vote.cast, as last rendered
const shownPolls = new Set();    // voteable polls this page has shown, to announce only new ones
const openSeen = new Set();      // ... and those it saw open, to announce their close
let pollsSeeded = false;

/** The newest queued vote of each poll. */
function votesIn(pending) {
  const out = new Map();
  for (const item of pending) if (item.name === "vote.cast") out.set(item.payload.poll_id, item);
  return out;
}

/**
 * A queued vote that left the queue without a refusal was taken by the server (also one
 * sent after a reload, whose promise this page no longer holds): it is now this phone's.
 */
function trackVotes(m, pending) {
  const now = votesIn(pending);
  for (const [pid, item] of queuedVotes) {
    if (now.has(pid) || refusedItems.has(item.id)) continue; // still waiting, or refused
    const poll = m.polls.get(pid);
    if (poll) poll.my_choice = canonical(poll, item.payload.choice);
    voteProblems.delete(pid);
    announce(poll && !isOpen(poll) ? t("Your vote counted.") : t("Your vote counted. You can change it until the poll closes."));
  }
  queuedVotes = now;
}

/** What this phone has chosen: its queued vote, else the one the server holds. */
const currentChoice = (poll) => (queuedVotes.has(poll.id) ? queuedVotes.get(poll.id).payload.choice : poll.my_choice ?? null);
const draftOf = (poll) => drafts.get(poll.id) ?? (Array.isArray(currentChoice(poll)) ? currentChoice(poll) : []);

function castVote(pollId, choice) {
  const m = client?.model;
  const poll = m?.polls.get(pollId);
  if (!poll || !isOpen(poll) || !mayVote(m, poll)) return;
  voteProblems.delete(pollId);
  drafts.delete(pollId);
  // Queued in localStorage while offline and sent once; a repeat is answered, not recounted.
  client.send("vote.cast", { poll_id: pollId, choice }).then((ack) => {
    const held = client?.model?.polls.get(pollId);
    if (ack?.ok && held) held.my_choice = canonical(held, choice); // a re-render keeps it
    scheduleRender();
  });
  queuedVotes.set(pollId, client.pending().filter((i) => i.name === "vote.cast" && i.payload.poll_id === pollId).at(-1));
  scheduleRender();
}

function voteRefused(item, message) {
  refusedItems.add(item.id);
  const pid = item.payload.poll_id;
  const poll = client?.model?.polls.get(pid);
  const why = poll && !isOpen(poll) ? t("The poll closed before your vote arrived: it was not counted.")
    : t("Your vote was not counted: {reason}", { reason: message });
  voteProblems.set(pid, why);
  announce(why);
}

function kickerOf(poll, m, place) {
  const open = isOpen(poll);
  if (poll.purpose === "checkback") {
    if (place === "response") {
      if (poll.group_id === m.groupId) return open ? t("Check-back with your group · voting open") : t("Check-back with your group · final result");
      const group = groupNameOf(m, poll.group_id);
      return open ? t("Check-back with {group} · voting open", { group }) : t("Check-back with {group} · final result", { group });
    }
    return open ? t("Check-back for your group") : t("Check-back for your group · closed");
  }
  if (poll.purpose === "evaluation") return open ? t("Evaluation") : t("Evaluation · closed");
  if (poll.group_id == null) return open ? t("Poll for the whole hall") : t("Poll for the whole hall · closed");
  return open ? t("Poll for your group") : t("Poll for your group · closed");
}

/** A group's name in the visitor's language where the organiser translated it. */
const groupNameOf = (m, id) => groupText(m, m.groups.find((g) => g.id === id)) || id;

let pollBlockCount = 0;

/** A poll's card: question, answers to tap (while it is open and this phone votes),
 *  where the vote stands, and results. Built once; updatePollBlock keeps it current. */
function createPollBlock(poll, m, place) {
  const n = ++pollBlockCount;
  const qid = `poll-${n}-question`;
  const voting = isOpen(poll) && mayVote(m, poll);
  const labels = labelsOf(poll);
  const option = (label, i) => {
    const value = poll.kind === "rating" ? i + 1 : i;
    if (poll.kind === "rating") {
      return el("button", { type: "button", class: "vote-option rating", "data-value": value },
        formatNumber(value), RATING_WORDS[value] ? el("span", { class: "visually-hidden", text: ` ${RATING_WORDS[value]()}` }) : null);
    }
    return el("button", { type: "button", class: `vote-option ${poll.kind}`, "data-value": value },
      poll.kind === "rank" ? el("span", { class: "rank-num", "aria-hidden": "true" }) : null,
      // The rank's number is drawn in a circle, hidden from screen readers, and said in
      // words inside the option's text (so the button's name reads "X, your number 1").
      el("span", { class: "option-text", dir: "auto" }, label,
        poll.kind === "rank" ? el("span", { class: "visually-hidden rank-said" }) : null));
  };
  const building = poll.kind === "multi" || poll.kind === "rank";
  const node = el(place === "response" ? "div" : "li", {
    class: `poll-block poll-${place}${voting ? " voting" : ""}${isOpen(poll) ? "" : " closed"}`,
    "data-poll-id": poll.id, "data-kind": poll.kind,
  },
  el("p", { class: "poll-kicker" }),
  el(place === "response" ? "h4" : "h3", { class: "poll-question", id: qid, dir: "auto", tabIndex: -1, text: poll.question }),
  place !== "response" && poll.response_id
    ? el("div", { class: "poll-about" },
      el("p", { class: "about-label", text: t("About the Board's response:") }),
      el("p", { class: "about-text user-text", dir: "auto" }),
      el("p", { class: "about-by" }, "— ", el("span", { class: "about-member", dir: "auto" })))
    : null,
  voting ? el("p", { class: "poll-hint", id: `${qid}-hint`, text: POLL_HINTS[poll.kind]?.() ?? "" }) : null,
  voting
    ? el("div", { class: `vote-options ${poll.kind}`, role: "group", "aria-labelledby": qid, "aria-describedby": `${qid}-hint` },
      ...labels.map(option))
    : null,
  voting && building
    ? el("div", { class: "vote-actions" },
      el("button", { type: "button", class: "primary vote-send" }),
      poll.kind === "rank" ? el("button", { type: "button", class: "vote-clear", text: t("Clear") }) : null)
    : null,
  el("p", { class: "poll-status" }),
  el("div", { class: "poll-results" }));
  node.blockKey = blockKey(poll, m);
  return node;
}

const blockKey = (poll, m) => `${poll.id}|${isOpen(poll) && mayVote(m, poll)}|${isOpen(poll)}`;

function updatePollBlock(node, poll, m, place) {
  const voting = isOpen(poll) && mayVote(m, poll);
  const current = voting ? currentChoice(poll) : poll.my_choice ?? null;
  const queued = queuedVotes.get(poll.id);
  setText(node.querySelector(".poll-kicker"), kickerOf(poll, m, place));
  setText(node.querySelector(".poll-question"), poll.question);
  const about = node.querySelector(".poll-about");
  if (about) {
    const r = m.responses.get(poll.response_id);
    about.hidden = !r;
    setText(about.querySelector(".about-text"), r?.text ?? "");
    setText(about.querySelector(".about-member"), r?.member ?? "");
  }
  if (voting) updateVoteButtons(node, poll, current);

  const status = node.querySelector(".poll-status");
  let said = "";
  let state = "";
  if (voting && queued) {
    [said, state] = client.status.state === "connected" ? [t("Sending your vote…"), "sending"] : [t("Saved, will be sent"), "queued"];
  } else if (voteProblems.has(poll.id)) {
    [said, state] = [voteProblems.get(poll.id), "refused"];
  } else if (mayVote(m, poll) && poll.my_choice != null) {
    said = isOpen(poll) ? t("Your vote counted") : t("Your vote counted: {choice}", { choice: describeChoice(poll, poll.my_choice) });
    state = "counted";
  } else if (mayVote(m, poll) && !isOpen(poll)) {
    said = t("You did not vote in this poll.");
  }
  setText(status, said);
  status.dataset.state = state;
  status.hidden = !said;

  const voted = current != null;
  renderPollResults(node.querySelector(".poll-results"), poll, { showLive: !mayVote(m, poll) || voted });
}

function describeChoice(poll, choice) {
  const labels = labelsOf(poll);
  if (poll.kind === "rating") return t("{n} out of {max}", { n: formatNumber(choice), max: formatNumber(5) });
  if (poll.kind === "rank") return choice.map((i, n) => t("{n}. {answer}", { n: formatNumber(n + 1), answer: labels[i] })).join(t("; "));
  if (poll.kind === "multi") return choice.map((i) => labels[i]).join(t("; "));
  return labels[choice] ?? "";
}

function updateVoteButtons(node, poll, current) {
  const buttons = [...node.querySelectorAll("button.vote-option")];
  const press = (b, on) => { const v = on ? "true" : "false"; if (b.getAttribute("aria-pressed") !== v) b.setAttribute("aria-pressed", v); };
  if (poll.kind === "choice" || poll.kind === "rating") {
    buttons.forEach((b) => press(b, Number(b.dataset.value) === current));
    return;
  }
  const picked = draftOf(poll);
  const changed = !sameChoice(canonical(poll, picked), canonical(poll, current));
  if (poll.kind === "multi") {
    buttons.forEach((b) => press(b, picked.includes(Number(b.dataset.value))));
  } else {
    for (const b of buttons) {
      const place = picked.indexOf(Number(b.dataset.value));
      press(b, place >= 0);
      setText(b.querySelector(".rank-num"), place >= 0 ? formatNumber(place + 1) : "");
      setText(b.querySelector(".rank-said"), place >= 0 ? t(", your number {n}", { n: formatNumber(place + 1) }) : "");
    }
    const clear = node.querySelector("button.vote-clear");
    clear.setAttribute("aria-disabled", picked.length ? "false" : "true");
  }
  const send = node.querySelector("button.vote-send");
  const words = poll.kind === "rank"
    ? { again: () => t("Send my new ranking"), sent: () => t("Ranking sent"), first: () => t("Send my ranking") }
    : { again: () => t("Send my new answers"), sent: () => t("Answers sent"), first: () => t("Send my answers") };
  setText(send, current != null && changed ? words.again() : current != null ? words.sent() : words.first());
  send.setAttribute("aria-disabled", picked.length && changed ? "false" : "true");
}

/** The rows of a result chart: label, count, share of voters and bar length, in the
 *  order shown (a ranking by points). Shared in spirit with the plenary screen. */
function resultRows(poll) {
  const r = poll.results ?? {};
  const voters = r.voters ?? 0;
  const labels = labelsOf(poll);
  if (poll.kind === "rank") {
    const scores = r.scores ?? labels.map(() => 0);
    const top = Math.max(0, ...scores);
    const sorted = labels.map((label, i) => ({ label, i, score: scores[i] ?? 0 }))
      .sort((a, b) => b.score - a.score || a.i - b.i);
    // Equal points share a place: 1, 2, 2, 4.
    return sorted.map((x) => ({ label: x.label, place: 1 + sorted.filter((y) => y.score > x.score).length,
      score: x.score, width: top ? (100 * x.score) / top : 0, value: nt("{n} point", "{n} points", x.score) }));
  }
  const counts = r.counts ?? labels.map(() => 0);
  return labels.map((label, i) => {
    const count = counts[i] ?? 0;
    const percent = voters ? Math.round((100 * count) / voters) : 0;
    return { label, count, percent, width: voters ? (100 * count) / voters : 0,
      value: nt("{n} vote · {percent}", "{n} votes · {percent}", count, { percent: formatNumber(percent / 100, { style: "percent" }) }) };
  });
}

function renderPollResults(box, poll, { showLive }) {
  const r = poll.results ?? {};
  const voters = r.voters ?? 0;
  const hidden = hiddenNow(poll);
  const chart = !hidden && (showLive || !isOpen(poll));
  const signature = JSON.stringify([hidden, chart, isOpen(poll), r]);
  if (box.signature === signature) return;
  box.signature = signature;
  if (!chart) {
    box.replaceChildren(el("p", { class: "results-wait" },
      isOpen(poll) ? nt("{n} person has voted so far.", "{n} people have voted so far.", voters)
        : nt("{n} person voted.", "{n} people voted.", voters), " ",
      el("strong", { text: hidden ? t("Results when the poll closes.") : t("Results appear once you have voted.") })));
    return;
  }
  const rows = resultRows(poll);
  const notes = [];
  if (poll.kind === "rating" && r.mean != null) {
    notes.push(el("p", { class: "results-mean", text: t("Average {mean} out of {max}", { mean: formatNumber(r.mean), max: formatNumber(5) }) }));
  }
  if (poll.kind === "multi") notes.push(el("p", { class: "results-note", text: t("People could choose more than one answer.") }));
  if (poll.kind === "rank") {
    const n = labelsOf(poll).length;
    notes.push(el("p", { class: "results-note", text: nt("A first place earns {n} point, a second {second}, and so on.",
      "A first place earns {n} points, a second {second}, and so on.", n - 1, { second: formatNumber(n - 2) }) }));
  }
  const who = isOpen(poll) ? nt("{n} person has voted", "{n} people have voted", voters)
    : nt("{n} person voted", "{n} people voted", voters);
  box.replaceChildren(
    el("p", { class: "results-title" }, el("strong", { text: isOpen(poll) ? t("Live results") : t("Final results") }), ` · ${who}`),
    el("ul", { class: `results ${poll.kind}` }, ...rows.map((row) => {
      const fill = el("span", { class: "result-fill" });
      fill.style.width = `${row.width.toFixed(1)}%`;
      return el("li", { class: "result", "data-count": row.count ?? null, "data-percent": row.percent ?? null,
        "data-score": row.score ?? null },
      el("p", { class: "result-line" },
        row.place ? el("span", { class: "result-place", text: t("{n}.", { n: formatNumber(row.place) }) }) : null,
        el("span", { class: "result-label", dir: "auto", text: row.label }),
        el("span", { class: "result-value", text: row.value })),
      el("span", { class: "result-bar", "aria-hidden": "true" }, fill));
    })),
    ...notes);
}

function renderPolls(m) {
  const mine = [...m.polls.values()].filter((p) => mayVote(m, p));
  const open = openPolls(m).filter((p) => mayVote(m, p));
  const closed = mine.filter((p) => !isOpen(p)).sort((a, b) => b.closed_at - a.closed_at || b.seq - a.seq);
  $("polls").hidden = $("tabbar").hidden || mine.length === 0;
  setText($("polls-heading"), open.length > 1 ? t("Open polls ({n})", { n: formatNumber(open.length) })
    : open.length ? t("Open poll") : t("Polls"));
  const more = $("polls-more");
  more.hidden = open.length < 2;
  setText(more, open.length > 1 ? nt("Newest first, and {n} more open poll below it.", "Newest first, and {n} more open polls below it.",
    open.length - 1) : "");
  const place = (list, polls, where) => reconcile(list, polls, (p) => blockKey(p, m), (p) => createPollBlock(p, m, where),
    (node, p) => updatePollBlock(node, p, m, where));
  place($("open-polls"), open, "prompt");
  $("closed-polls").hidden = closed.length === 0;
  setText($("closed-count"), t("({n})", { n: formatNumber(closed.length) }));
  place($("closed-polls-list"), closed, "closed");

  // Say so, once, when a poll arrives or closes; never move the focus.
  for (const p of open) {
    if (!shownPolls.has(p.id) && pollsSeeded) announce(t("New poll: {question}", { question: p.question }));
    shownPolls.add(p.id);
    openSeen.add(p.id);
  }
  for (const p of closed) {
    if (openSeen.delete(p.id) && pollsSeeded) announce(t("Poll closed: {question}. The final results are in.", { question: p.question }));
    shownPolls.add(p.id);
  }
  pollsSeeded = true;
}

/** Beside a Board response: its newest check-back, to vote in (its group) or to read. */
function renderCheckback(slot, r, m) {
  const poll = [...m.polls.values()].filter((p) => p.response_id === r.id).sort((a, b) => b.seq - a.seq)[0];
  if (!poll) { if (slot.firstChild) slot.replaceChildren(); return; }
  let node = slot.firstElementChild;
  if (!node || node.blockKey !== blockKey(poll, m)) {
    node = createPollBlock(poll, m, "response");
    slot.replaceChildren(node);
  }
  updatePollBlock(node, poll, m, "response");
}

// Taps on answers, wherever the poll is shown (the prompt or beside a response).
$("main").addEventListener("click", (event) => {
  const button = event.target.closest(".poll-block button");
  const m = client?.model;
  if (!button || !m) return;
  const poll = m.polls.get(button.closest(".poll-block").dataset.pollId);
  if (!poll || !isOpen(poll) || !mayVote(m, poll)) return;
  const current = currentChoice(poll);
  if (button.classList.contains("vote-option")) {
    const value = Number(button.dataset.value);
    if (poll.kind === "choice" || poll.kind === "rating") {
      if (value !== current || voteProblems.has(poll.id)) castVote(poll.id, value);
      return;
    }
    const picked = [...draftOf(poll)];
    const at = picked.indexOf(value);
    if (at >= 0) picked.splice(at, 1); else picked.push(value);
    drafts.set(poll.id, poll.kind === "multi" ? picked.sort((a, b) => a - b) : picked);
    scheduleRender();
  } else if (button.classList.contains("vote-send")) {
    if (button.getAttribute("aria-disabled") === "true") return;
    castVote(poll.id, canonical(poll, draftOf(poll)));
  } else if (button.classList.contains("vote-clear")) {
    drafts.set(poll.id, []);
    scheduleRender();
  }
});

// -- the banner for a poll that arrived off screen ---------------------------------------

const alertDone = new Set(); // poll ids whose card was seen, or whose banner was dismissed
let alertFor = null;

function cardInView(node) {
  if (!node || $("polls").hidden) return false;
  const r = node.querySelector(".poll-question").getBoundingClientRect();
  const top = $("topbar").getBoundingClientRect().bottom;
  const bottom = $("tabbar").hidden ? window.innerHeight : $("tabbar").getBoundingClientRect().top;
  return r.bottom > top && r.top < bottom;
}

function updatePollAlert() {
  const m = client?.model;
  const banner = $("poll-alert");
  const poll = m ? openPolls(m).find((p) => mayVote(m, p) && currentChoice(p) == null && !alertDone.has(p.id)) : null;
  const card = poll ? $("open-polls").querySelector(`[data-poll-id="${poll.id}"]`) : null;
  if (poll && cardInView(card)) alertDone.add(poll.id);
  const show = Boolean(poll && card && !alertDone.has(poll.id) && !$("tabbar").hidden);
  alertFor = show ? poll.id : null;
  if (show) setText($("poll-alert-question"), poll.question);
  if (banner.hidden === show) banner.hidden = !show;
}

let alertQueued = false;
function schedulePollAlert() {
  if (alertQueued) return;
  alertQueued = true;
  requestAnimationFrame(() => { alertQueued = false; updatePollAlert(); });
}

$("poll-alert-go").addEventListener("click", () => {
  const card = alertFor && $("open-polls").querySelector(`[data-poll-id="${alertFor}"]`);
  if (alertFor) alertDone.add(alertFor);
  $("poll-alert").hidden = true;
  if (!card) return;
  card.scrollIntoView({ block: "start", behavior: reducedMotion.matches ? "auto" : "smooth" });
  card.querySelector(".poll-question").focus({ preventScroll: true });
});
$("poll-alert-later").addEventListener("click", () => {
  if (alertFor) alertDone.add(alertFor);
  $("poll-alert").hidden = true;
});

// -- plenary ------------------------------------------------------------------------

function renderPlenary(m, pending) {
  const focus = m.focus ?? null;
  setText($("focus-group"), focus ? groupNameOf(m, focus) : t("No group presenting yet"));
  $("focus-mine").hidden = !focus || focus !== m.groupId;
  renderKeypoints(m, focus);

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

/**
 * Published key points, one numbered list per group (groups in the assembly's order),
 * each in the order its facilitator set and numbered from 1, as the screen numbers them.
 */
function renderKeypoints(m, focus) {
  const groups = (focus ? m.groups.filter((g) => g.id === focus) : m.groups)
    .map((g) => ({ group: g, items: groupKeypoints(m, g.id).filter((k) => k.published) }))
    .filter((x) => x.items.length);
  setText($("keypoints-heading"), focus ? t("Key points from {group}", { group: groupNameOf(m, focus) }) : t("Key points from all groups"));
  reconcile($("keypoints"), groups, (x) => x.group.id, createKeypointGroup, (box, x) => {
    const heading = box.querySelector(".kp-group-name");
    heading.hidden = Boolean(focus); // the section heading already names it
    setText(heading, groupText(m, x.group));
    reconcile(box.querySelector("ol"), x.items.map((k, i) => ({ k, number: i + 1 })), (y) => y.k.id,
      createKeypoint, (li, y) => {
        setText(li.querySelector(".kp-num"), formatNumber(y.number));
        setText(li.querySelector(".keypoint-text"), y.k.text);
      });
  });
  $("keypoints-empty").hidden = groups.length > 0;
  setText($("keypoints-empty"), focus ? t("No key points published for this group yet.") : t("No key points published yet."));
}

function createKeypointGroup(x) {
  const headingId = `kp-group-${x.group.id}`;
  return el("div", { class: "kp-group", "data-group-id": x.group.id },
    el("h4", { class: "kp-group-name", id: headingId, dir: "auto" }),
    el("ol", { class: "keypoints", "aria-labelledby": headingId }));
}

function createKeypoint(y) {
  return el("li", { class: "keypoint", "data-keypoint-id": y.k.id },
    el("span", { class: "kp-num", "aria-hidden": "true" }),
    el("p", { class: "keypoint-text user-text", dir: "auto" }));
}

let formCounter = 0;
function createResponse(r) {
  const form = createCorrectionForm(++formCounter);
  return el("li", { class: "response card", "data-response-id": r.id },
    el("p", { class: "response-head" },
      el("span", { class: "stance" }), " ",
      el("span", { class: "response-group" },
        ...withNodes(t("to {group}"), { group: el("span", { class: "response-group-name", dir: "auto" }) }))),
    el("p", { class: "withdrawn-note", tabIndex: -1, hidden: true },
      el("span", { class: "withdrawn-label", text: t("Withdrawn by the Board.") }), " ",
      ...withNodes(t("Why: {reason}"), { reason: el("span", { class: "withdrawn-reason user-text", dir: "auto" }) }, "reason-label")),
    el("p", { class: "response-text user-text", dir: "auto" }),
    el("p", { class: "response-by" }, "— ", el("span", { class: "member", dir: "auto" })),
    el("p", { class: "reason" },
      ...withNodes(t("Reason: {reason}"), { reason: el("span", { class: "reason-text user-text", dir: "auto" }) }, "reason-label")),
    el("div", { class: "checkback-slot" }),
    el("ul", { class: "corrections", "aria-label": t("Corrections") }),
    el("p", { class: "error correction-error", role: "alert" }),
    el("button", { type: "button", class: "suggest", text: t("Suggest a correction"),
      "aria-expanded": "false", "aria-controls": form.id }),
    form);
}

function createCorrectionForm(n) {
  const ids = { area: `correction-text-${n}`, count: `correction-count-${n}`, length: `correction-length-${n}` };
  return el("form", { class: "correction-form", id: `correction-form-${n}`, hidden: true, noValidate: true },
    el("label", { for: ids.area, text: t("Your correction: what was actually said or meant?") }),
    el("textarea", { id: ids.area, name: "text", rows: 3, dir: "auto", "aria-describedby": `${ids.count} ${ids.length}` }),
    el("p", { class: "error length-error", id: ids.length }),
    el("p", { class: "count", id: ids.count, dir: "ltr", text: `${formatNumber(0)} / ${formatNumber(TEXT_MAX)}` }),
    el("div", { class: "form-actions" },
      el("button", { type: "submit", class: "primary send", text: t("Send correction") }),
      el("button", { type: "button", class: "cancel", text: t("Cancel") })));
}

function correctionLength(form) {
  const area = form.querySelector("textarea");
  const fits = showLength(area, {
    count: form.querySelector(".count"), message: form.querySelector(".length-error"),
    send: form.querySelector("button.send"), what: "correction",
  });
  area.setAttribute("aria-invalid", fits ? "false" : "true");
  return fits;
}

/** Corrections concern the participant's own group's responses, while they stand (§12). */
const mayCorrect = (m, r) => !r.withdrawn && r.group_id === m.groupId;

function updateResponse(li, r, m, corrections, waiting) {
  const stance = li.querySelector(".stance");
  const stanceClass = `stance ${STANCES[r.stance] ? r.stance : ""}`.trim();
  if (stance.className !== stanceClass) stance.className = stanceClass;
  setText(stance, STANCES[r.stance]?.() ?? r.stance);
  setText(li.querySelector(".response-group-name"), groupNameOf(m, r.group_id));
  setText(li.querySelector(".response-text"), r.text);
  setText(li.querySelector(".member"), r.member);
  const reason = li.querySelector(".reason");
  reason.hidden = !r.reason;
  setText(reason.querySelector(".reason-text"), r.reason ?? "");

  const withdrawn = li.querySelector(".withdrawn-note");
  li.classList.toggle("withdrawn", Boolean(r.withdrawn));
  withdrawn.hidden = !r.withdrawn;
  setText(withdrawn.querySelector(".withdrawn-reason"), r.withdrawn?.reason ?? "");

  const form = li.querySelector(".correction-form");
  const toggle = li.querySelector("button.suggest");
  if (!mayCorrect(m, r) && !form.hidden) {
    // Withdrawn while someone was writing a correction to it.
    const area = form.querySelector("textarea");
    const hadFocus = form.contains(document.activeElement);
    if (area.value.trim()) correctionErrors.set(r.id, t("The Board withdrew this response, so it takes no more corrections."));
    area.value = "";
    closeCorrection(li, { focusToggle: false });
    if (hadFocus) withdrawn.focus();
  }
  toggle.hidden = !mayCorrect(m, r) || !form.hidden;
  setText(li.querySelector(".correction-error"), correctionErrors.get(r.id) ?? "");
  renderCheckback(li.querySelector(".checkback-slot"), r, m);

  // Corrections hold nothing focusable: rebuild them when they changed.
  const signature = JSON.stringify([corrections.map((c) => [c.id, c.outcome, c.text]), waiting.map((i) => i.id)]);
  const list = li.querySelector(".corrections");
  if (list.signature === signature) return;
  list.signature = signature;
  const you = () => [" · ", el("span", { class: "you-tag", text: t("suggested by you") })];
  const items = corrections.map((c) => {
    const outcome = OUTCOMES[c.outcome]?.();
    const meta = el("p", { class: "correction-meta" },
      ...(outcome
        ? withNodes(outcome[1], { outcome: el("span", { class: `outcome ${c.outcome}`, text: outcome[0] }) }, "outcome-why")
        : [el("span", { class: "outcome waiting", text: t("Waiting for the Board") })]));
    if (c.author?.id === m.participantId) meta.append(...you());
    return el("li", { class: "correction", "data-correction-id": c.id },
      el("p", { class: "correction-text user-text", dir: "auto", text: c.text }), meta);
  });
  for (const p of waiting) {
    items.push(el("li", { class: "correction pending" },
      el("p", { class: "correction-text user-text", dir: "auto", text: p.payload.text }),
      el("p", { class: "correction-meta" }, el("span", { class: "sending", text: t("sending…") }), ...you())));
  }
  list.replaceChildren(...items);
  list.hidden = items.length === 0;
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

$("responses").addEventListener("input", (event) => {
  const form = event.target.closest("form.correction-form");
  if (form && event.target.matches("textarea")) correctionLength(form);
});

$("responses").addEventListener("submit", (event) => {
  const form = event.target.closest("form.correction-form");
  if (!form) return;
  event.preventDefault();
  const li = form.closest("li.response");
  const area = form.querySelector("textarea");
  const text = area.value.trim();
  const responseId = li.dataset.responseId;
  const r = client?.model?.responses.get(responseId);
  if (!client || !r || !mayCorrect(client.model, r)) return;
  if (!text) {
    correctionErrors.set(responseId, t("Write your correction first."));
    setText(li.querySelector(".correction-error"), t("Write your correction first."));
    area.focus();
    return;
  }
  if (!correctionLength(form)) {
    area.focus(); // its description says how much to shorten
    return;
  }
  correctionErrors.delete(responseId);
  setText(li.querySelector(".correction-error"), "");
  client.send("correction.submit", { response_id: responseId, text });
  area.value = "";
  correctionLength(form);
  closeCorrection(li);
  scheduleRender();
});

// -- start --------------------------------------------------------------------------

const draft = storage.get(draftKey);
if (typeof draft === "string") noteText.value = draft;
updateNoteLength();

const known = storedIdentity(joinCode, linkGroupId);
if (known.token || (known.name && linkState === "open")) {
  start({ joinCode, groupId: linkGroupId });
} else if (linkState === "open") showJoin();
// else: the server's "This join link is not valid" stays, with nothing to join.

// The service worker shows a kept copy of this page at once and refreshes it behind. The
// copy says the link was open when it was kept; the code may have been replaced since.
// Ask the server (HEAD, no cache): if it no longer knows the code, this phone still gets
// in with its stored identity, but is never offered a form to join as someone new.
if (linkState === "open" && navigator.serviceWorker?.controller) {
  fetch(location.pathname, { method: "HEAD", cache: "no-store" }).then((r) => {
    if (r.status !== 404) return;
    linkState = "unknown";
    const asking = !$("join").hidden;
    const refused = client?.status.state === "refused";
    if (asking || refused) showUnknownLink({ forget: refused });
  }).catch(() => { /* offline: the kept page stands */ });
}
