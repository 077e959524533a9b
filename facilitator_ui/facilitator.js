// The facilitator's tablet: one group's notes live, curated into a few key points that
// go to the projector. Renders client.model at most once a frame, touching only the
// notes that changed; every write goes through one sender that sends it once per intent.

import { applyDocument, formatNumber, nt, t } from "/static/i18n.js";
import { createClient, secretFromPath } from "/static/client.js";
import { currentSlot, groupKeypoints } from "/static/model.js";
import {
  $, bindStatus, clockTime, confirmAction, createAlerts, createFollowUps, createIntent, createScheduler,
  createSender, el, focusDropped, focusFirst, groupLabel, isInert, mountCountdown, mountLanguagePicker,
  mountVenueClock, reconcile, setInert, setText, toast, venueZone, wireSkipLinks,
} from "/console/console-common.js";
import { createPollComposer, createPollList, createPollSender } from "/console/polls.js";

const MAX_TEXT = 1000;
const ADVICE_OVER = 5; // more key points than this: suggest fewer, stronger ones

applyDocument();
const client = createClient({ token: secretFromPath() });
window.townhall = client;

const scheduler = createScheduler(render);
const followUps = createFollowUps();
const alerts = createAlerts($("#alerts"));
const send = createSender(client, alerts, scheduler.schedule);
bindStatus(client, $("#status"));
mountCountdown(client, $("#countdown"));
mountVenueClock(client, $("#venue-clock"));
mountLanguagePicker($("#bar-tools"));
wireSkipLinks();

// Polls for this group (CONTRACT §9): opened, watched and closed here; the hall's polls
// are shown read-only. polls.js keeps their busy state and their errors.
const pollSend = createPollSender(client, scheduler.schedule);
const pollList = createPollList(client, {
  id: "fac-polls", send: pollSend, changed: scheduler.schedule,
  include: (m, p) => p.group_id == null || p.group_id === m.groupId,
  // A facilitator closes the polls it opened (the lead's polls for the group are the lead's).
  canClose: (m, p) => p.group_id === m.groupId && p.opened_by?.role === "facilitator",
});
const pollComposer = createPollComposer(client, {
  id: "fac-poll", send: pollSend, changed: scheduler.schedule, title: t("New poll for your group"),
  audiences: (m) => [{ value: m.groupId, label: t("Who votes: the participants of {group}", { group: groupLabel(m, m.groupId) }) }],
  onOpened: (pollId) => pollList.focusPoll(pollId),
});
$("#poll-composer").append(pollComposer.root);
$("#poll-list").append(pollList.root);

const ui = {
  sort: "newest",          // or "support"
  picked: new Set(),       // note ids ticked for a key point
  fromNotes: [],           // note ids the key point being written is made from
  prefill: "",             // the text we put in the form, to know if it was edited
  // key point id -> {text, baseSeq, baseText, basePublished, conflict}: an open editor.
  // baseSeq is the key point's seq when the editor opened: the edit says so to the
  // server (expect_seq), which refuses it if another tablet changed the point meanwhile.
  editing: new Map(),
  addIntent: createIntent(), // the client_id of the key point being added
  activeNote: null,        // the note whose controls are in the Tab order (one at a time)
  newAbove: 0,             // notes that arrived above what the user is looking at
  holding: false,          // a finger (or the mouse) is down on the notes list
};

// -- rendering -----------------------------------------------------------------------------

const notesList = $("#notes");
const notesPanel = $("#notes-panel");
const wide = matchMedia("(min-width: 720px)");

function render() {
  const m = client.model;
  if (!m) return;
  document.body.classList.remove("loading");
  const gid = m.groupId;
  const name = groupLabel(m, gid);
  setText($("#group-name"), name);
  const title = t("{group} · Facilitator · townhall", { group: name });
  if (document.title !== title) document.title = title;

  const slot = currentSlot(m);
  setText($("#slot-title"), slot ? slot.title : t("Not started yet"));
  $("#timer-state").hidden = m.timer?.status !== "paused";

  let joined = 0;
  for (const p of m.participants.values()) if (p.group_id === gid) joined += 1;
  setText($("#joined"), nt("{n} person joined", "{n} people joined", joined));

  const keypoints = groupKeypoints(m, gid);
  renderNotes(m, gid, keypoints);
  renderKeypoints(m, gid, keypoints);
  pollComposer.render(m);
  pollList.render(m);
  followUps.run();
}

/** Once the model shows what a write did, move the keyboard if it was left stranded. */
function thenFocus(ready, stranded, targets) {
  followUps.after(() => Boolean(client.model && ready(client.model)), () => {
    scheduler.flush();
    if (focusDropped(...stranded())) focusFirst(...targets());
  });
}

const bySeqDesc = (a, b) => (b.seq ?? b.ts) - (a.seq ?? a.ts);
const supportCount = (n) => n.supporters?.length ?? 0;
const authorName = (n) => n.author?.name ?? t("a participant");

// -- notes ---------------------------------------------------------------------------------

/** Wide screens scroll each panel by itself; narrow ones scroll both panels as one. */
const mainArea = $("#main");
const scroller = () => (wide.matches ? notesPanel : mainArea);
const scrollerTop = (sc) => sc.getBoundingClientRect().top;

/**
 * The note at the top of what the user sees, and where it is, when they have scrolled
 * down (or have a finger or the keyboard on the list): new notes then go in above it
 * without moving it. Binary search: the notes are in vertical order.
 */
function captureAnchor() {
  const sc = scroller();
  const engaged = ui.holding || notesList.contains(document.activeElement);
  if (sc.scrollTop <= 0 && !engaged) return null;
  const items = notesList.children;
  if (!items.length) return null;
  const top = scrollerTop(sc) + (wide.matches ? $(".selection-bar").offsetHeight : 0);
  let lo = 0, hi = items.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].getBoundingClientRect().bottom > top) { found = mid; hi = mid - 1; } else lo = mid + 1;
  }
  if (found < 0) return null;
  // A few candidates: the first may be the one hidden in this very render.
  const nodes = [];
  for (let i = found; i < items.length && nodes.length < 4; i++) nodes.push(items[i]);
  return { sc, nodes: nodes.map((node) => ({ node, y: node.getBoundingClientRect().top })) };
}

function restoreAnchor(anchor, created) {
  const kept = anchor?.nodes.find((a) => a.node.isConnected);
  if (!kept) {
    renderNewNotes();
    return;
  }
  const above = created.filter((n) => kept.node.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_PRECEDING).length;
  const hold = () => {
    const delta = kept.node.getBoundingClientRect().top - kept.y;
    if (Math.abs(delta) >= 1) anchor.sc.scrollTop += delta;
  };
  hold();
  if (above && anchor.sc.scrollTop > 0) ui.newAbove += above;
  // The "N new notes" button may change the height of the bar above the list: hold again.
  if (renderNewNotes()) hold();
}

function renderNotes(m, gid, keypoints) {
  const visible = [];
  const hidden = [];
  for (const n of m.notes.values()) {
    if (n.group_id !== gid) continue;
    (n.hidden ? hidden : visible).push(n);
  }
  hidden.sort(bySeqDesc);
  visible.sort(ui.sort === "support" ? (a, b) => supportCount(b) - supportCount(a) || bySeqDesc(a, b) : bySeqDesc);

  // A note hidden meanwhile cannot be picked any more.
  if (ui.picked.size) {
    const shown = new Set(visible.map((n) => n.id));
    for (const id of ui.picked) if (!shown.has(id)) ui.picked.delete(id);
  }
  // One note's controls are in the Tab order; the arrow keys move between notes.
  if (!visible.some((n) => n.id === ui.activeNote)) ui.activeNote = visible[0]?.id ?? null;

  // Which key point each note already went into (a hint for curation).
  const usedIn = new Map();
  keypoints.forEach((k, i) => {
    for (const nid of k.note_ids ?? []) if (!usedIn.has(nid)) usedIn.set(nid, i + 1);
  });

  $("#sort-newest").setAttribute("aria-pressed", String(ui.sort === "newest"));
  $("#sort-support").setAttribute("aria-pressed", String(ui.sort === "support"));
  setText($("#notes-count"), formatNumber(visible.length));
  $("#notes-empty").hidden = visible.length > 0;

  const anchor = captureAnchor();
  const created = reconcile(notesList, visible, (n) => n.id, createNote,
    (li, n) => updateNote(li, n, usedIn.get(n.id)),
    (n) => noteSignature(n, usedIn.get(n.id)));
  restoreAnchor(anchor, created);

  setText($("#hidden-count"), formatNumber(hidden.length));
  $("#hidden-notes").hidden = hidden.length === 0;
  reconcile($("#hidden-list"), hidden, (n) => n.id, createHiddenNote, updateHiddenNote,
    (n) => `${n.text}\u241e${authorName(n)}\u241e${send.busy(`restore:${n.id}`)}`);

  const count = ui.picked.size;
  setText($("#selection-count"), count
    ? nt("{n} note selected", "{n} notes selected", count)
    : t("Tick notes to turn them into a key point."));
  const make = $("#make-keypoint");
  if (make.disabled !== (count === 0)) make.disabled = count === 0;
  $("#clear-selection").hidden = count === 0;
}

/**
 * What can change in a note's element (its text, author and time never do: a note is
 * never edited): unchanged notes are not touched at all.
 */
function noteSignature(n, usedIn) {
  return `${supportCount(n)}|${usedIn ?? 0}|${ui.picked.has(n.id) ? 1 : 0}|${send.busy(`hide:${n.id}`) ? 1 : 0}|${ui.activeNote === n.id ? 1 : 0}|${venueZone() ?? ""}`;
}

function createNote(n) {
  const pick = el("input", { type: "checkbox", class: "pick", "data-note-id": n.id, id: `pick-${n.id}` });
  pick.addEventListener("change", () => {
    if (pick.checked) ui.picked.add(n.id);
    else ui.picked.delete(n.id);
    scheduler.schedule();
  });
  const hide = el("button", { type: "button", class: "hide-note", text: t("Hide") });
  hide.addEventListener("click", () => hideNote(n.id, hide));
  const refs = {
    pick, hide,
    pickName: el("span", { class: "visually-hidden pick-name" }),
    text: el("p", { class: "note-text user-text", dir: "auto" }),
    author: el("span", { class: "note-author", dir: "auto" }),
    time: el("time", { class: "note-time" }),
    support: el("span", { class: "note-support" }),
    used: el("span", { class: "note-used" }),
  };
  const li = el("li", { class: "note", "data-note-id": n.id },
    el("label", { class: "pick-label", for: `pick-${n.id}` }, pick, refs.pickName),
    el("div", { class: "note-body" },
      refs.text,
      el("div", { class: "note-foot" },
        el("p", { class: "note-meta" }, refs.author, " · ", refs.time, refs.support, refs.used),
        hide)));
  li._refs = refs;
  return li;
}

function updateNote(li, n, usedIn) {
  const r = li._refs;
  setText(r.text, n.text);
  setText(r.author, n.author?.name ?? "");
  setText(r.time, clockTime(n.ts));
  r.time.dateTime = new Date(n.ts).toISOString();
  const s = supportCount(n);
  setText(r.support, s ? ` · ${nt("{n} support", "{n} supports", s)}` : "");
  r.support.classList.toggle("has-support", s > 0);
  setText(r.used, usedIn ? ` · ${t("in key point {n}", { n: formatNumber(usedIn) })}` : "");
  setText(r.pickName, t("Select the note by {name}", { name: authorName(n) }));
  const picked = ui.picked.has(n.id);
  if (r.pick.checked !== picked) r.pick.checked = picked;
  li.classList.toggle("picked", picked);
  li.classList.toggle("used", Boolean(usedIn));
  const hiding = send.busy(`hide:${n.id}`);
  setInert(r.hide, false, hiding);
  setText(r.hide, hiding ? t("Hiding…") : t("Hide"));
  r.hide.setAttribute("aria-label", t("Hide the note by {name}", { name: authorName(n) }));
  const tab = ui.activeNote === n.id ? 0 : -1;
  if (r.pick.tabIndex !== tab) r.pick.tabIndex = tab;
  if (r.hide.tabIndex !== tab) r.hide.tabIndex = tab;
}

/** Make note `id` the one in the Tab order (without waiting for a render). */
function activateNote(id) {
  if (id === ui.activeNote) return;
  for (const li of [noteItem(ui.activeNote), noteItem(id)]) {
    if (!li) continue;
    const tab = li.dataset.key === id ? 0 : -1;
    li._refs.pick.tabIndex = tab;
    li._refs.hide.tabIndex = tab;
    li._sig = null; // redraw it next time
  }
  ui.activeNote = id;
}

function noteItem(id) {
  if (id == null) return null;
  for (const li of notesList.children) if (li.dataset.key === id) return li;
  return null;
}

function focusNote(id, control = "hide") {
  const li = noteItem(id);
  if (!li) return null;
  activateNote(id);
  return focusFirst(li._refs[control], li._refs.pick);
}

// Arrow keys move between notes (the list is one Tab stop), keeping the same control.
notesList.addEventListener("keydown", (event) => {
  const li = event.target.closest("li.note");
  if (!li || event.altKey || event.ctrlKey || event.metaKey) return;
  const items = notesList.children;
  const at = [...items].indexOf(li);
  const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 }[event.key];
  if (to == null || to < 0 || to >= items.length || to === at) return;
  event.preventDefault();
  const control = event.target.classList.contains("hide-note") ? "hide" : "pick";
  focusNote(items[to].dataset.key, control);
});
notesList.addEventListener("focusin", (event) => {
  const li = event.target.closest("li.note");
  if (li) activateNote(li.dataset.key);
  // Say how the keys work while the keyboard is in the list (not for a tap).
  notesPanel.classList.toggle("keys-in-list", event.target.matches(":focus-visible"));
});
notesList.addEventListener("focusout", (event) => {
  if (!notesList.contains(event.relatedTarget)) notesPanel.classList.remove("keys-in-list");
});
notesPanel.addEventListener("pointerdown", () => { ui.holding = true; });
for (const type of ["pointerup", "pointercancel"]) window.addEventListener(type, () => { ui.holding = false; });

// -- "N new notes": arrived above while the user looked further down --------------------------

/** Show or hide the button; true when that changed the layout. */
function renderNewNotes() {
  const button = $("#new-notes");
  if (ui.newAbove && scroller().scrollTop <= 2) ui.newAbove = 0;
  const hide = ui.newAbove === 0;
  setText(button, nt("{n} new note ↑", "{n} new notes ↑", ui.newAbove));
  if (button.hidden === hide) return false;
  button.hidden = hide;
  return true;
}

function onScroll() {
  if (ui.newAbove && scroller().scrollTop <= 2) renderNewNotes();
}
notesPanel.addEventListener("scroll", onScroll, { passive: true });
mainArea.addEventListener("scroll", onScroll, { passive: true });

$("#new-notes").addEventListener("click", () => {
  ui.newAbove = 0;
  scroller().scrollTop = 0;
  renderNewNotes();
  const first = notesList.firstElementChild;
  if (first) focusNote(first.dataset.key, "pick");
});

// -- hidden notes ------------------------------------------------------------------------------

function createHiddenNote(n) {
  const back = el("button", { type: "button", class: "restore-note", text: t("Bring back") });
  back.addEventListener("click", () => restoreNote(n.id, back));
  const li = el("li", { class: "note hidden-note", "data-note-id": n.id },
    el("div", { class: "note-body" },
      el("p", { class: "note-text user-text", dir: "auto" }),
      el("div", { class: "note-foot" },
        el("p", { class: "note-meta" }, el("span", { class: "note-author", dir: "auto" })),
        back)));
  return li;
}

function updateHiddenNote(li, n) {
  setText(li.querySelector(".note-text"), n.text);
  setText(li.querySelector(".note-author"), n.author?.name ?? "");
  const back = li.querySelector(".restore-note");
  setInert(back, false, send.busy(`restore:${n.id}`));
  back.setAttribute("aria-label", t("Bring back the note by {name}", { name: authorName(n) }));
}

async function hideNote(noteId, button) {
  const key = `hide:${noteId}`;
  if (send.busy(key)) return;
  const li = button.closest("li");
  // Where the keyboard lands once the note is gone: the next note, else the one before.
  const after = (li?.nextElementSibling ?? li?.previousElementSibling)?.dataset.key ?? null;
  ui.picked.delete(noteId);
  const ack = await send("note.hide", { note_id: noteId }, { key });
  if (!ack.ok) return;
  followUps.after(() => client.model?.notes.get(noteId)?.hidden !== false, () => {
    scheduler.flush();
    if (focusDropped(li)) focusNote(after, "hide") || focusFirst("#notes-heading");
  });
  toast(t("Note hidden"), { action: t("Undo"), onAction: () => restoreNote(noteId, null, true) });
}

async function restoreNote(noteId, button, fromUndo = false) {
  const key = `restore:${noteId}`;
  if (send.busy(key)) return;
  const li = button?.closest("li");
  const after = (li?.nextElementSibling ?? li?.previousElementSibling)?.querySelector(".restore-note");
  const ack = await send("note.restore", { note_id: noteId }, { key });
  if (!ack.ok) return;
  followUps.after(() => client.model?.notes.get(noteId)?.hidden === false, () => {
    scheduler.flush();
    if (fromUndo ? focusDropped() : focusDropped(li)) {
      if (fromUndo) focusNote(noteId, "hide");
      else focusFirst(after, "#hidden-notes summary");
    }
  });
  toast(t("Note brought back"));
}

// -- key points ----------------------------------------------------------------------------

const kpList = $("#keypoints");

function renderKeypoints(m, gid, list) {
  // An editor stays open on a key point deleted meanwhile, so its text is not lost.
  const gone = [...ui.editing.entries()]
    .filter(([id]) => !m.keypoints.has(id))
    .map(([id, ed]) => ({ id, text: ed.baseText, published: false, gone: true, note_ids: [] }));
  const items = [...list, ...gone];
  reconcile(kpList, items, (k) => k.id, createKeypoint, (li, k) => updateKeypoint(li, k, list.indexOf(k), list.length));
  const waiting = renderPendingKeypoints();
  $("#keypoints-empty").hidden = items.length + waiting > 0;
  const advice = $("#keypoints-advice");
  advice.hidden = list.length <= ADVICE_OVER;
  setText(advice, t("Aim for a few strong points: you have {n}", { n: formatNumber(list.length) }));
  updateKeypointForm();
}

/** Key points added while offline: kept on this tablet until the server has them. */
function renderPendingKeypoints() {
  const waiting = client.pending().filter((item) => item.name === "keypoint.add");
  const list = $("#keypoints-pending");
  list.hidden = waiting.length === 0;
  reconcile(list, waiting, (item) => item.id, (item) => el("li", { class: "keypoint pending-keypoint" },
    el("p", { class: "keypoint-text user-text", dir: "auto", text: item.payload.text }),
    el("p", { class: "kp-meta" }, el("span", { class: "badge waiting-badge", text: t("Waiting to be sent") }))),
  () => {}, (item) => item.id);
  return waiting.length;
}

function createKeypoint(k) {
  const b = (cls, text, onclick, extra = {}) => {
    const button = el("button", { type: "button", class: cls, text, ...extra });
    button.addEventListener("click", () => { if (!isInert(button)) onclick(button); });
    return button;
  };
  const refs = {
    num: el("span", { class: "kp-num", "aria-hidden": "true" }),
    text: el("p", { class: "keypoint-text user-text", dir: "auto" }),
    badge: el("span", { class: "badge published-badge", text: t("Published"), hidden: true }),
    source: el("span", { class: "kp-source" }),
    up: b("kp-up icon", "↑", (x) => moveKeypoint(k.id, -1, x)),
    down: b("kp-down icon", "↓", (x) => moveKeypoint(k.id, +1, x)),
    edit: b("kp-edit", t("Edit"), () => startEdit(k.id)),
    publish: b("kp-publish primary", t("Publish"), (x) => publishKeypoint(k.id, x)),
    unpublish: b("kp-unpublish quiet", t("Unpublish"), (x) => unpublishKeypoint(k.id, x), { hidden: true }),
    remove: b("kp-remove quiet", t("Delete"), (x) => removeKeypoint(k.id, x)),
  };

  const area = el("textarea", { id: `kp-edit-${k.id}`, class: "kp-edit-text", rows: 3, maxLength: MAX_TEXT, dir: "auto" });
  const save = el("button", { type: "submit", class: "primary kp-save", text: t("Save") });
  const cancel = el("button", { type: "button", class: "kp-cancel", text: t("Cancel") });
  const conflict = el("div", { class: "kp-conflict", hidden: true });
  const form = el("form", { class: "kp-edit-form", noValidate: true, hidden: true },
    el("label", { for: `kp-edit-${k.id}`, text: t("Edit this key point") }),
    conflict,
    area,
    el("p", { class: "hint kp-edit-hint", hidden: true, text: t("Already published: your edit shows on the projector at once.") }),
    el("div", { class: "form-actions" }, cancel, save));
  area.addEventListener("input", () => {
    const ed = ui.editing.get(k.id);
    if (ed) ed.text = area.value;
  });
  cancel.addEventListener("click", () => closeEditor(k.id));
  area.addEventListener("keydown", (e) => { if (e.key === "Escape") closeEditor(k.id); });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!isInert(save)) saveEdit(k.id);
  });
  Object.assign(refs, { area, save, cancel, conflict, form });

  const li = el("li", { class: "keypoint", "data-keypoint-id": k.id },
    el("div", { class: "kp-main" }, refs.num,
      el("div", { class: "kp-body" }, refs.text, el("p", { class: "kp-meta" }, refs.badge, refs.source))),
    el("div", { class: "kp-actions" }, refs.up, refs.down, refs.edit, refs.publish, refs.unpublish, refs.remove),
    form);
  li._refs = refs;
  return li;
}

function updateKeypoint(li, k, index, total) {
  const r = li._refs;
  const n = index + 1;
  setText(r.num, k.gone ? "–" : formatNumber(n));
  setText(r.text, k.text);
  li.classList.toggle("published", Boolean(k.published));
  r.badge.hidden = !k.published;
  const cites = k.note_ids?.length ?? 0;
  setText(r.source, cites ? nt("from {n} note", "from {n} notes", cites) : "");

  const ordering = send.busy("order");
  setInert(r.up, index <= 0, ordering);
  setInert(r.down, index < 0 || index >= total - 1, ordering);
  const num = formatNumber(n);
  r.up.setAttribute("aria-label", t("Move key point {n} up", { n: num }));
  r.down.setAttribute("aria-label", t("Move key point {n} down", { n: num }));
  r.edit.setAttribute("aria-label", t("Edit key point {n}", { n: num }));
  r.publish.hidden = Boolean(k.published);
  setInert(r.publish, false, send.busy(`publish:${k.id}`));
  r.publish.setAttribute("aria-label", t("Publish key point {n} to the projector", { n: num }));
  r.unpublish.hidden = !k.published;
  setInert(r.unpublish, false, send.busy(`unpublish:${k.id}`));
  r.unpublish.setAttribute("aria-label", t("Unpublish key point {n}: take it off the projector", { n: num }));
  r.remove.hidden = Boolean(k.published);
  setInert(r.remove, false, send.busy(`remove:${k.id}`));
  r.remove.setAttribute("aria-label", t("Delete draft key point {n}", { n: num }));

  const ed = ui.editing.get(k.id);
  const editing = Boolean(ed);
  const wasEditing = !r.form.hidden;
  r.form.hidden = !editing;
  li.classList.toggle("editing", editing);
  li.querySelector(".kp-actions").hidden = editing;
  li.querySelector(".kp-main").hidden = editing;
  r.form.querySelector(".kp-edit-hint").hidden = !k.published;
  if (!editing) return;
  // Changed underneath while the editor is open: say so at once, keep the user's text.
  if (k.gone) ed.conflict = "gone";
  // (Not while our own save is on its way: its event may come before its answer.)
  else if (k.seq !== ed.baseSeq && !ed.conflict && !send.busy(`edit:${k.id}`)) ed.conflict = "changed";
  renderConflict(r.conflict, k, ed);
  setInert(r.save, false, send.busy(`edit:${k.id}`));
  if (!wasEditing) {
    r.area.value = ed.text;
    r.area.focus();
    r.area.setSelectionRange(r.area.value.length, r.area.value.length);
  }
}

/** The "Changed on another tablet" panel inside an open editor, with the two choices. */
function renderConflict(box, k, ed) {
  const sig = ed.conflict ? `${ed.conflict}|${k.text}|${k.published}|${k.seq}` : "";
  if (box.dataset.sig === sig) return;
  const wasIn = box.contains(document.activeElement);
  box.dataset.sig = sig;
  box.hidden = !ed.conflict;
  if (!ed.conflict) { box.replaceChildren(); return; }
  let head;
  if (ed.conflict === "gone") head = t("Deleted on another tablet while you were editing.");
  else if (ed.conflict === "refused") head = t("Not saved: changed on another tablet since you opened it.");
  else head = t("Changed on another tablet while you were editing.");
  const status = k.gone ? "" : k.published !== ed.basePublished
    ? ` ${k.published ? t("It is now published.") : t("It was taken off the projector.")}` : "";
  const mine = el("button", { type: "button", class: "primary kp-use-mine",
    text: k.gone ? t("Add mine as a new key point") : t("Use mine") });
  const theirs = el("button", { type: "button", class: "kp-keep-theirs", text: k.gone ? t("Discard mine") : t("Keep theirs") });
  mine.addEventListener("click", () => (k.gone ? addFromEditor(k.id, mine) : saveEdit(k.id, { overwrite: true })));
  theirs.addEventListener("click", () => closeEditor(k.id));
  box.replaceChildren(el("div", { role: "alert", class: "kp-conflict-text" },
    el("p", { class: "kp-conflict-head" }, el("strong", { text: head }), status),
    k.gone ? null : el("p", { class: "kp-conflict-label", text: t("It now reads:") }),
    k.gone ? null : el("blockquote", { class: "kp-theirs user-text", dir: "auto", text: k.text }),
    el("p", { class: "kp-conflict-label", text: t("Your text is kept in the box below.") })),
  el("div", { class: "form-actions kp-conflict-actions" }, theirs, mine));
  if (wasIn) focusFirst(mine);
}

function keypointItem(id) {
  for (const li of kpList.children) if (li.dataset.key === id) return li;
  return null;
}

function startEdit(id) {
  const k = client.model?.keypoints.get(id);
  if (!k) return;
  ui.editing.set(id, { text: k.text, baseText: k.text, baseSeq: k.seq, basePublished: Boolean(k.published), conflict: null });
  scheduler.now();
}

function closeEditor(id) {
  ui.editing.delete(id);
  alerts.clear(`edit:${id}`);
  scheduler.now();
  focusFirst(keypointItem(id)?._refs.edit, "#keypoint-text");
}

async function saveEdit(id, { overwrite = false } = {}) {
  const key = `edit:${id}`;
  const ed = ui.editing.get(id);
  const k = client.model?.keypoints.get(id);
  const li = keypointItem(id);
  if (!ed || !k || send.busy(key)) return;
  const clean = ed.text.trim();
  if (!clean) {
    alerts.show(t("A key point cannot be empty. Cancel to keep it as it was."), { key, field: li?._refs.area });
    return;
  }
  if (clean === k.text && k.seq === ed.baseSeq) {
    closeEditor(id);
    return;
  }
  // Using mine over theirs: overwrite the version shown, and only that one.
  const expect = overwrite ? k.seq : ed.baseSeq;
  const ack = await send("keypoint.edit", { keypoint_id: id, text: clean, expect_seq: expect },
    { key, expect: ["conflict"], field: li?._refs.area });
  const now = ui.editing.get(id);
  if (!now) return;
  if (ack.ok) {
    ui.editing.delete(id);
    scheduler.now();
    const item = keypointItem(id);
    if (focusDropped(li)) focusFirst(item?._refs.edit);
    toast(k.published ? t("Key point updated on the projector") : t("Key point updated"));
  } else if (ack.error?.code === "conflict") {
    now.conflict = "refused";
    scheduler.now();
  }
}

async function addFromEditor(id, button) {
  const ed = ui.editing.get(id);
  const text = ed?.text.trim();
  if (!text) return;
  ed.addId ??= createIntent().id(text);
  const ack = await send("keypoint.add", { text, client_id: ed.addId }, { key: `readd:${id}` });
  if (!ack.ok) return;
  ui.editing.delete(id);
  scheduler.now();
  focusFirst("#keypoint-text");
  toast(t("Added as a new key point"));
}

async function moveKeypoint(id, delta, button) {
  const m = client.model;
  if (send.busy("order")) return;
  const ids = groupKeypoints(m, m.groupId).map((k) => k.id);
  const i = ids.indexOf(id), j = i + delta;
  if (i < 0 || j < 0 || j >= ids.length) return;
  [ids[i], ids[j]] = [ids[j], ids[i]];
  const ack = await send("keypoint.order", { keypoint_ids: ids }, { key: "order" });
  scheduler.flush();
  if (!ack.ok) return;
  // The moved item keeps the keyboard, on the arrow pressed.
  if (focusDropped(button)) focusFirst(button);
}

async function publishKeypoint(id, button) {
  const k = client.model?.keypoints.get(id);
  if (!k || k.published) return;
  const yes = await confirmAction({
    title: t("Publish this key point?"),
    message: t("It goes on the projector and every phone in the hall at once."),
    quote: k.text,
    confirm: t("Publish"),
  });
  if (!yes) return;
  const ack = await send("keypoint.publish", { keypoint_id: id }, { key: `publish:${id}` });
  if (!ack.ok) return;
  // The keyboard goes to the Unpublish button that takes Publish's place.
  thenFocus((m) => m.keypoints.get(id)?.published !== false, () => [keypointItem(id)],
    () => [keypointItem(id)?._refs.unpublish, keypointItem(id)?._refs.edit]);
  toast(t("Published to the projector"));
}

async function unpublishKeypoint(id, button) {
  const k = client.model?.keypoints.get(id);
  if (!k || !k.published) return;
  const yes = await confirmAction({
    title: t("Take this key point off the projector?"),
    message: t("It leaves the projector and every phone in the hall at once. It stays here as a draft: you can edit it and publish it again."),
    quote: k.text,
    confirm: t("Unpublish"),
    danger: true,
  });
  if (!yes) return;
  const ack = await send("keypoint.unpublish", { keypoint_id: id }, { key: `unpublish:${id}` });
  if (!ack.ok) return;
  thenFocus((m) => !m.keypoints.get(id)?.published, () => [keypointItem(id)],
    () => [keypointItem(id)?._refs.publish, keypointItem(id)?._refs.edit]);
  toast(t("Taken off the projector: it is a draft again"));
}

async function removeKeypoint(id, button) {
  const k = client.model?.keypoints.get(id);
  if (!k || k.published) return;
  const yes = await confirmAction({
    title: t("Delete this draft key point?"),
    message: t("It was never on the projector. Deleting it cannot be undone."),
    quote: k.text,
    confirm: t("Delete"),
    danger: true,
  });
  if (!yes) return;
  const li = keypointItem(id);
  const after = (li?.nextElementSibling ?? li?.previousElementSibling)?._refs?.edit;
  const ack = await send("keypoint.remove", { keypoint_id: id }, { key: `remove:${id}` });
  if (!ack.ok) return;
  thenFocus((m) => !m.keypoints.has(id), () => [li], () => [after?.isConnected ? after : null, "#keypoint-text"]);
  toast(t("Draft deleted"));
}

// -- the key point form --------------------------------------------------------------------

const form = $("#keypoint-form");
const textarea = $("#keypoint-text");
const addButton = $("#keypoint-add");

function updateKeypointForm() {
  const len = textarea.value.trim().length;
  const counter = $("#keypoint-count");
  setText(counter, `${formatNumber(len, { useGrouping: false })} / ${formatNumber(MAX_TEXT, { useGrouping: false })}`);
  counter.classList.toggle("near", len > MAX_TEXT * 0.9 && len <= MAX_TEXT);
  counter.classList.toggle("too-long", len > MAX_TEXT);
  // Busy while its write waits: a second tap never sends the same key point again.
  const adding = send.busy("add");
  setInert(addButton, len === 0, adding);
  setText(addButton, adding ? t("Adding…") : t("Add key point"));
  const source = $("#keypoint-source");
  source.hidden = ui.fromNotes.length === 0;
  const n = ui.fromNotes.length;
  setText($("#keypoint-source-text"), nt("Made from {n} selected note: it is cited with the key point.",
    "Made from {n} selected notes: they are cited with the key point.", n));
}

textarea.addEventListener("input", () => {
  setText($("#keypoint-status"), "");
  updateKeypointForm();
});

$("#make-keypoint").addEventListener("click", () => {
  const m = client.model;
  if (!m || ui.picked.size === 0) return;
  // In the order the notes are shown, so the text reads as the list did.
  const ids = [...notesList.children].map((li) => li.dataset.key).filter((id) => ui.picked.has(id));
  const texts = ids.map((id) => m.notes.get(id)?.text ?? "").filter(Boolean);
  const joined = texts.join("\n");
  // Replace what we prefilled before (untouched); add to what the facilitator wrote.
  const current = textarea.value.trim();
  const replace = !current || current === ui.prefill.trim();
  textarea.value = replace ? joined : `${textarea.value.trimEnd()}\n${joined}`;
  ui.fromNotes = replace ? ids : [...new Set([...ui.fromNotes, ...ids])];
  ui.prefill = textarea.value;
  ui.picked.clear();
  alerts.clear("add");
  scheduler.now();
  textarea.focus();
  textarea.setSelectionRange(0, 0);
  textarea.scrollIntoView({ block: "nearest", behavior: "smooth" });
});

$("#clear-selection").addEventListener("click", () => {
  ui.picked.clear();
  scheduler.now();
  focusFirst(notesList.querySelector("input.pick[tabindex='0']"), "#notes-heading");
});

$("#keypoint-source-clear").addEventListener("click", () => {
  ui.fromNotes = [];
  scheduler.now();
  textarea.focus();
});

const SAVED_HERE = () => t("Saved on this tablet: the key point is added when the connection is back.");

function clearForm(sentValue) {
  // Only what was sent: text written meanwhile is a new key point and stays.
  if (textarea.value !== sentValue) return;
  textarea.value = "";
  ui.prefill = "";
  ui.fromNotes = [];
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  if (send.busy("add")) return; // the same tap again while the first is on its way
  const text = textarea.value.trim();
  if (!text) {
    textarea.focus();
    return;
  }
  if (text.length > MAX_TEXT) {
    alerts.show(t("This key point is {n} characters; the limit is {max}. Shorten it first.",
      { n: formatNumber(text.length), max: formatNumber(MAX_TEXT, { useGrouping: false }) }), { key: "add", field: textarea });
    textarea.focus();
    return;
  }
  const payload = { text };
  if (ui.fromNotes.length) payload.note_ids = [...ui.fromNotes];
  // One client_id per intent: a retry of the same key point is the same write.
  payload.client_id = ui.addIntent.id(payload);
  const sentValue = textarea.value;
  const status = $("#keypoint-status");
  setText(status, "");
  const ack = await send("keypoint.add", payload, {
    key: "add",
    field: textarea,
    onQueued() {
      // Kept on this tablet and sent once the connection is back: clear the form.
      ui.addIntent.done();
      clearForm(sentValue);
      setText(status, SAVED_HERE());
    },
  });
  if (ack.queued) {
    const late = await ack.later;
    if (late.ok && status.textContent === SAVED_HERE()) setText(status, t("The key point saved on this tablet has been added."));
    return;
  }
  if (!ack.ok) return; // refused: the text stays, and a retry reuses the same client_id
  ui.addIntent.done();
  clearForm(sentValue);
  scheduler.now();
  if (focusDropped(addButton)) focusFirst(textarea);
  toast(t("Key point added: publish it when the group agrees"));
});

// -- sorting -------------------------------------------------------------------------------

for (const [id, sort] of [["#sort-newest", "newest"], ["#sort-support", "support"]]) {
  $(id).addEventListener("click", () => {
    ui.sort = sort;
    ui.newAbove = 0;
    scheduler.now();
  });
}

client.on("change", scheduler.schedule);
client.on("status", scheduler.schedule); // the queue of unsent writes may have changed
client.start();
