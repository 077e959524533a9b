// The organiser's console: where the day is made and changed, with no file and no
// restart (CONTRACT §8): its title and date, its groups and their information packs, its
// agenda. Beside that, every link of the day with a Copy button, each group's join QR
// code (and replacing a join code that went astray), downloads of the record, and the
// server's health. Everything shown comes from client.model, so a change made here, on
// another organiser tab or by the lead shows the same way; nothing user-written goes in
// as HTML (packs are rendered by markdown-it with raw HTML off).

import { createClient, describeStatus, secretFromPath, uuid } from "/static/client.js";
import { el } from "/static/dom.js";
import { renderMarkdown } from "/static/markdown.js";
import { clockTime, formatDuration, runElapsedMs, setText } from "/console/console-common.js";
import { createEvaluationLauncher, createPollComposer, createPollList, createPollSender } from "/console/polls.js";

const $ = (id) => document.getElementById(id);
const HEALTH_EVERY_MS = 10000;
const PREVIEW_DELAY_MS = 150;
// The server's limits (docs/protocol.md), checked here first so a message can say why.
const LIMITS = { title: 200, name: 120, pack: 50000, minutesMax: 600 };
const KINDS = [
  ["welcome", "Welcome"], ["group_work", "Group work"], ["break", "Break"],
  ["plenary", "Plenary"], ["close", "Close"],
];
const KIND_LABEL = Object.fromEntries(KINDS);
const STAFF = [
  ["organiser", "Organiser link", "This page. Keep it to yourself: it can do everything."],
  ["lead", "Lead facilitator link", "Runs the agenda, timers and plenary focus."],
  ["board", "Board link", "The Board member's tablet: logs responses, resolves corrections."],
  ["screen", "Plenary screen link", "Open it on the computer behind the projector."],
];

const capitalise = (t) => (t ? String(t)[0].toUpperCase() + String(t).slice(1) : "");
const clock = (ts) => new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
/** Links are relative ("/lead/…") when the server has no base URL: make them whole. */
const absolute = (url) => (url && url.startsWith("/") ? location.origin + url : url);
/** Characters as the server counts them (code points, not UTF-16 units). */
const chars = (s) => s.length - (s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
const number = (n) => n.toLocaleString("en-GB");
const quoted = (t) => `“${t}”`;
function setValue(input, value) { if (input.value !== value) input.value = value; }

function minutesText(total) {
  const h = Math.floor(total / 60), m = total % 60;
  return h ? (m ? `${h} h ${m} min` : `${h} h`) : `${m} min`;
}

const token = secretFromPath();
const client = createClient({ token });
window.townhall = client;

client.on("change", scheduleRender);
client.on("status", (status) => {
  const line = $("status");
  line.dataset.state = status.state;
  setText(line, capitalise(describeStatus(status)));
  if (status.state === "connected") clearOfflineErrors();
});

$("qr-sheet-link").href = `/organiser/${encodeURIComponent(token)}/qr-sheet`;

// -- sending: once per intent, errors next to the control that caused them ----------------

const pending = new Set(); // keys of writes waiting for their answer

/**
 * Mark a control unavailable with aria-disabled rather than `disabled`: a disabled button
 * drops keyboard focus to the page, this one keeps it (handlers check isInert). `busy`
 * says a write from it is on its way.
 */
function setInert(node, inert, busy = false) {
  if (inert || busy) node.setAttribute("aria-disabled", "true");
  else node.removeAttribute("aria-disabled");
  if (busy) node.setAttribute("aria-busy", "true");
  else node.removeAttribute("aria-busy");
}
const isInert = (node) => node.getAttribute("aria-disabled") === "true";

/**
 * Send one command for one intent: while `key` waits for its answer, its `controls` are
 * busy and another tap does nothing (returns null). Commands with a client_id carry the
 * one made when the intent was (see intent()), so a retry never does the thing twice.
 */
async function write(key, name, payload, controls = []) {
  if (pending.has(key)) return null;
  pending.add(key);
  for (const c of controls) setInert(c, true, true);
  try {
    return await client.send(name, payload);
  } finally {
    pending.delete(key);
    for (const c of controls) setInert(c, false);
    renderNow(); // puts back whatever else makes a control unavailable
  }
}

/**
 * Resolves once `test(model)` holds (true), or after `ms` (false): an ack can come before
 * the event it logged, and what the page says next should describe the model after it.
 */
function whenModel(test, ms = 3000) {
  return new Promise((resolve) => {
    if (client.model && test(client.model)) { resolve(true); return; }
    const check = () => {
      if (client.model && test(client.model)) { cleanup(); resolve(true); }
    };
    const timer = setTimeout(() => { cleanup(); resolve(false); }, ms);
    const cleanup = () => { clearTimeout(timer); checking.delete(check); };
    checking.add(check);
  });
}
const checking = new Set();
client.on("change", () => { for (const check of [...checking]) check(); });

/** A client_id per intent: made at the first tap, reused while the same thing is retried. */
function intent() {
  let current = null;
  return {
    id(content) {
      const sig = JSON.stringify(content);
      if (!current || current.sig !== sig) current = { sig, id: uuid() };
      return current.id;
    },
    done() { current = null; },
  };
}

const OFFLINE = new Set(["offline", "timeout", "unavailable"]);
const offlineErrors = new Set(); // error nodes that say the connection was down

/** What went wrong, for a person: the server's own words, or what to do when offline. */
function explain(error) {
  const code = error?.code;
  if (code === "offline") return "Not connected, so nothing was saved: try again when the status says Connected.";
  if (code === "timeout") return "No answer from the server: check the status line and try again (it will not be done twice).";
  return capitalise(error?.message) || "That did not work: try again.";
}

/** Show `message` in the error paragraph `node`; `field` (if any) is marked invalid. */
function showError(node, message, { field = null, offline = false } = {}) {
  setText(node, message);
  node._field?.removeAttribute("aria-invalid");
  node._field = field;
  if (field) field.setAttribute("aria-invalid", "true");
  if (offline) offlineErrors.add(node); else offlineErrors.delete(node);
}

function clearError(node) {
  if (!node) return;
  setText(node, "");
  node._field?.removeAttribute("aria-invalid");
  node._field = null;
  offlineErrors.delete(node);
}

function showAckError(node, ack, field = null) {
  showError(node, explain(ack.error), { field, offline: OFFLINE.has(ack.error?.code) });
}

/** An error that said "not connected" is no longer true once we are. */
function clearOfflineErrors() {
  for (const node of [...offlineErrors]) clearError(node);
}

/** Messages about a field are checked again as it is edited, and go when they are fixed. */
function textProblem(value, limit, noun) {
  const n = chars(value.trim());
  if (!n) return `Write ${noun === "title" ? "a title" : "a name"} first.`;
  if (n > limit) return `The ${noun} is ${number(n)} characters long: the limit is ${number(limit)}.`;
  return "";
}

function packProblem(value) {
  const n = chars(value);
  return n > LIMITS.pack
    ? `The pack is ${number(n)} characters long: the limit is ${number(LIMITS.pack)} (${number(n - LIMITS.pack)} too many).`
    : "";
}

function minutesProblem(value) {
  const v = value.trim();
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > LIMITS.minutesMax) {
    return `Minutes: a whole number from 1 to ${LIMITS.minutesMax}.`;
  }
  return "";
}

/** Run `check` now and on every edit; once a message shows, it follows the field. */
function liveCheck(field, errorNode, check, { eager = false } = {}) {
  field.addEventListener("input", () => {
    const problem = check(field.value);
    if (problem && (eager || errorNode.textContent)) showError(errorNode, problem, { field });
    else if (!problem && errorNode._field === field) clearError(errorNode);
    else if (!problem && errorNode.textContent && !errorNode._field) clearError(errorNode);
  });
}

function counter(node, value, limit) {
  const n = chars(value);
  setText(node, `${number(n)} / ${number(limit)}`);
  node.classList.toggle("over", n > limit);
}

// -- rendering ------------------------------------------------------------------------

// At most one render a frame, however many events arrive; a tab in the background gets
// no frames, so a timer brings it up to date there.
let frame = 0;
let fallback = 0;
function scheduleRender() {
  if (frame) return;
  frame = requestAnimationFrame(renderNow);
  fallback = setTimeout(renderNow, 250);
}

function renderNow() {
  if (frame) cancelAnimationFrame(frame);
  clearTimeout(fallback);
  frame = 0;
  const m = client.model;
  renderStaff(m);
  if (!m) return;
  renderDay(m);
  renderGroups(m);
  renderAgenda(m);
  renderPolls(m);
}

// -- polls (CONTRACT §9): open one for the hall or a group, the evaluation, every result ---

const polls = (() => {
  const send = createPollSender(client, scheduleRender);
  // Said in the section itself (this page has no toasts), until the next one.
  const notify = (message) => setText($("poll-status"), `${message} (${clockTime(Date.now())}).`);
  const list = createPollList(client, {
    id: "org-polls", send, changed: scheduleRender, notify, canClose: () => true,
  });
  const composer = createPollComposer(client, {
    id: "org-poll", send, changed: scheduleRender, notify,
    audiences: (m) => [{ value: "", label: "The whole hall" },
      ...m.groups.map((g) => ({ value: g.id, label: `Group: ${g.name}` }))],
    onOpened: (pollId) => list.focusPoll(pollId),
  });
  const evaluation = createEvaluationLauncher(client, {
    id: "org-evaluation", send, changed: scheduleRender, notify, onOpened: (pollId) => list.focusPoll(pollId),
  });
  $("poll-evaluation").append(evaluation.root);
  $("poll-composer").append(composer.root);
  $("poll-list").append(list.root);
  return { list, composer, evaluation };
})();

function renderPolls(m) {
  polls.evaluation.render(m);
  polls.composer.render(m);
  polls.list.render(m);
}

// -- the day: title and date ----------------------------------------------------------

const day = { title: $("day-title"), date: $("day-date"), save: $("day-save"), base: null };

function renderDay(m) {
  const title = m.assembly?.title ?? "";
  setText($("assembly-title"), title);
  document.title = title ? `Organiser · ${title} · townhall` : "Organiser · townhall";
  const now = { title, date: m.assembly?.date ?? "" };
  // Follow changes made elsewhere, but never overwrite what is being typed here.
  const untouched = !day.base || (day.title.value === day.base.title && day.date.value === day.base.date);
  if (untouched) {
    setValue(day.title, now.title);
    setValue(day.date, now.date);
    day.base = now;
  }
  counter($("day-title-count"), day.title.value, LIMITS.title);
}

day.title.addEventListener("input", () => {
  counter($("day-title-count"), day.title.value, LIMITS.title);
  setText($("day-done"), "");
});
day.date.addEventListener("input", () => setText($("day-done"), ""));
liveCheck(day.title, $("day-title-error"), (v) => textProblem(v, LIMITS.title, "title"), { eager: false });

$("day-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const m = client.model;
  if (!m || isInert(day.save)) return;
  const problem = textProblem(day.title.value, LIMITS.title, "title");
  if (problem) {
    showError($("day-title-error"), problem, { field: day.title });
    day.title.focus();
    return;
  }
  if (day.date.validity.badInput) {
    showError($("day-date-error"), "Give a whole date (day, month and year), or leave it empty.", { field: day.date });
    day.date.focus();
    return;
  }
  clearError($("day-date-error"));
  const title = day.title.value.trim();
  const date = day.date.value || null;
  const change = {};
  if (title !== m.assembly.title) change.title = title;
  if (date !== (m.assembly.date ?? null)) change.date = date;
  if (!Object.keys(change).length) {
    setText($("day-done"), "Nothing to save: the title and date are already these.");
    return;
  }
  setText($("day-done"), "");
  const ack = await write("day", "assembly.update", change, [day.save]);
  if (!ack) return;
  if (!ack.ok) {
    const field = "title" in change && ack.error?.message?.includes("title") ? day.title
      : "date" in change && ack.error?.message?.includes("date") ? day.date : null;
    showAckError(field === day.date ? $("day-date-error") : field ? $("day-title-error") : $("day-error"), ack, field);
    return;
  }
  clearError($("day-error"));
  clearError($("day-title-error"));
  day.base = { title, date: date ?? "" };
  setValue(day.title, title);
  setText($("day-done"), `Saved at ${clockTime(Date.now())}: every page shows it now.`);
});

// -- links and copying ----------------------------------------------------------------

/** The join URL for a group's current code, on the address phones use. */
function joinUrl(m, gid) {
  const code = m?.join?.[gid];
  return code ? `${m.baseUrl}/j/${code}` : "";
}

let copyCount = 0;
function linkRow(id, label, hint, spoken = label.toLowerCase()) {
  const input = el("input", { type: "text", id, readOnly: true, class: "link-input", spellcheck: false,
    dir: "ltr", "aria-describedby": hint ? `${id}-hint` : null });
  input.addEventListener("focus", () => input.select());
  const button = el("button", { type: "button", class: "copy", text: "Copy" });
  button.addEventListener("click", () => copy(input, button, button.dataset.spoken));
  nameCopy(button, spoken);
  const row = el("div", { class: "link-row" },
    el("label", { for: id, text: label }),
    hint ? el("p", { class: "hint", id: `${id}-hint`, text: hint }) : null,
    el("div", { class: "link-field" }, input, button));
  return { row, input, button };
}

/** What a Copy button says it copies (a group's name can change). */
function nameCopy(button, spoken) {
  if (button.dataset.spoken === spoken) return;
  button.dataset.spoken = spoken;
  button.setAttribute("aria-label", `Copy the ${spoken}`);
}

async function copy(input, button, spoken) {
  const value = input.value;
  if (!value) return;
  let ok = false;
  // The Clipboard API needs a secure context; a venue server is often plain http.
  if (navigator.clipboard && window.isSecureContext) {
    try { await navigator.clipboard.writeText(value); ok = true; } catch { ok = false; }
  }
  if (!ok) {
    input.focus();
    input.select();
    input.setSelectionRange(0, value.length);
    try { ok = document.execCommand("copy"); } catch { ok = false; }
  }
  const mine = ++copyCount;
  button.classList.toggle("copied", ok);
  setText(button, ok ? "Copied" : "Selected");
  setText($("copy-status"), ok ? `Copied the ${spoken}.`
    : `Could not copy by itself: the ${spoken} is selected, press Ctrl+C or long-press to copy it.`);
  setText($("page-error"), ok ? "" : "This browser would not copy by itself: the link is selected, press Ctrl+C (or long-press → Copy).");
  setTimeout(() => {
    setText(button, "Copy");
    button.classList.remove("copied");
    if (mine === copyCount) setText($("copy-status"), "");
  }, 2000);
}

function renderStaff(m) {
  const list = $("staff-links");
  if (!list.children.length) {
    for (const [role, label, hint] of STAFF) list.append(el("li", { "data-role": role }, linkRow(`link-${role}`, label, hint).row));
  }
  for (const [role] of STAFF) setValue($(`link-${role}`), absolute(m?.links?.[role]) ?? "");
}

// -- information pack editor (adding a group, and editing one) ----------------------------

/**
 * The name and pack fields of a group, with counts against the limits and a live preview
 * of the pack as the group's phones will show it: side by side on a wide screen, behind a
 * Preview toggle on a narrow one (organiser.css).
 */
function packFields(prefix, nameLabel) {
  const ids = (what) => `${prefix}-${what}`;
  const name = el("input", { type: "text", id: ids("name"), dir: "auto", autocomplete: "off",
    "aria-describedby": `${ids("name-count")} ${ids("name-error")}` });
  const nameCount = el("p", { class: "count", id: ids("name-count") });
  const nameError = el("p", { class: "field-error", id: ids("name-error"), role: "alert" });
  const pack = el("textarea", { id: ids("pack"), dir: "auto", rows: 12, spellcheck: true,
    "aria-describedby": `${ids("pack-hint")} ${ids("pack-count")} ${ids("pack-error")}` });
  const packCount = el("p", { class: "count", id: ids("pack-count") });
  const packError = el("p", { class: "field-error", id: ids("pack-error"), role: "alert" });
  const toggle = el("button", { type: "button", class: "preview-toggle small", text: "Preview",
    "aria-pressed": "false", "aria-controls": ids("preview") });
  const preview = el("div", { class: "preview-body" });
  // It scrolls when long: focusable, so a keyboard can scroll it too.
  const previewBox = el("section", { class: "pack-preview", id: ids("preview"), tabIndex: 0,
    "aria-labelledby": ids("preview-title") },
    el("p", { class: "preview-title", id: ids("preview-title"), text: "Preview: what the group's phones show" }),
    preview);
  const editor = el("div", { class: "pack-editor", "data-view": "write" },
    el("div", { class: "pack-head" }, el("label", { for: ids("pack"), text: "Information pack (Markdown, optional)" }), toggle),
    el("p", { class: "hint", id: ids("pack-hint"),
      text: "# for a heading, 1. for a numbered list, - for bullets, | a | b | rows for a table, [words](address) for a link." }),
    el("div", { class: "pack-panes" },
      el("div", { class: "pack-write" }, pack, packCount, packError),
      previewBox));
  const root = el("div", { class: "pack-fields" },
    el("div", { class: "field" }, el("label", { for: ids("name"), text: nameLabel }), name, nameCount, nameError),
    editor);

  const view = (preview) => {
    editor.dataset.view = preview ? "preview" : "write";
    toggle.setAttribute("aria-pressed", String(preview));
  };
  toggle.addEventListener("click", () => view(editor.dataset.view !== "preview"));

  let shownPack = null;
  let timer = 0;
  function refreshPreview() {
    clearTimeout(timer);
    timer = 0;
    if (pack.value === shownPack) return;
    shownPack = pack.value;
    preview.replaceChildren(pack.value.trim()
      ? renderMarkdown(pack.value, 4)
      : el("p", { class: "empty", text: "No information pack: the group's phones say there is none." }));
  }
  function refreshCounts() {
    counter(nameCount, name.value, LIMITS.name);
    counter(packCount, pack.value, LIMITS.pack);
  }
  name.addEventListener("input", refreshCounts);
  pack.addEventListener("input", () => {
    refreshCounts();
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, PREVIEW_DELAY_MS);
  });
  liveCheck(name, nameError, (v) => textProblem(v, LIMITS.name, "name"));
  liveCheck(pack, packError, packProblem, { eager: true });

  return {
    root, name, pack, nameError, packError,
    values: () => ({ name: name.value, info_pack: pack.value }),
    showWriting: () => view(false),
    set({ name: n, info_pack: p }) {
      setValue(name, n ?? "");
      setValue(pack, p ?? "");
      refreshCounts();
      refreshPreview();
    },
    /** Check before sending; focus the first field at fault. */
    validate() {
      const nameBad = textProblem(name.value, LIMITS.name, "name");
      const packBad = packProblem(pack.value);
      if (nameBad) showError(nameError, nameBad, { field: name }); else if (nameError._field) clearError(nameError);
      if (packBad) showError(packError, packBad, { field: pack }); else if (packError._field) clearError(packError);
      if (packBad) view(false); // the field at fault must be in sight
      (nameBad ? name : packBad ? pack : null)?.focus();
      return !nameBad && !packBad;
    },
  };
}

// -- adding a group ----------------------------------------------------------------------

const addGroup = (() => {
  const fields = packFields("new-group", "Name of the group");
  const submit = el("button", { type: "submit", class: "primary", id: "group-add-submit", text: "Add group" });
  const error = el("p", { class: "field-error", id: "group-add-error", role: "alert" });
  const done = el("p", { class: "done", id: "group-add-done", role: "status" });
  $("group-add-form").append(fields.root, el("div", { class: "form-actions" }, submit, done), error);
  fields.set({ name: "", info_pack: "" });
  return { fields, submit, error, done, intent: intent() };
})();

addGroup.fields.name.addEventListener("input", () => setText(addGroup.done, ""));

$("group-add-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { fields, submit, error, done } = addGroup;
  if (!client.model || isInert(submit) || !fields.validate()) return;
  const { name, info_pack: pack } = fields.values();
  const payload = { name: name.trim() };
  if (pack.trim()) payload.info_pack = pack;
  payload.client_id = addGroup.intent.id(payload); // the same group, retried, is one group
  clearError(error);
  setText(done, "");
  const ack = await write("group.add", "group.add", payload, [submit]);
  if (!ack) return;
  if (!ack.ok) {
    const field = ack.error?.message?.includes("pack") ? fields.pack : ack.error?.message?.includes("name") ? fields.name : null;
    showAckError(field === fields.pack ? fields.packError : field ? fields.nameError : error, ack, field);
    return;
  }
  addGroup.intent.done();
  fields.set({ name: "", info_pack: "" });
  fields.showWriting();
  done.replaceChildren(`Added ${quoted(payload.name)}: its join link, QR code and facilitator link are ready. `,
    el("a", { href: `#card-${ack.group_id}`, text: "Go to its card" }));
  fields.name.focus();
});

// -- group cards -------------------------------------------------------------------------

const cards = new Map(); // group id -> the card's parts
const knownCodes = new Map(); // group id -> the code this page last showed
const renewed = new Set(); // groups whose code was replaced while this page was open

function renderGroups(m) {
  const list = $("group-cards");
  $("groups-empty").hidden = m.groups.length > 0;
  m.groups.forEach((g, i) => {
    let card = cards.get(g.id);
    if (!card) {
      card = buildCard(g);
      cards.set(g.id, card);
    }
    if (list.children[i] !== card.li) list.insertBefore(card.li, list.children[i] ?? null);
    updateCard(card, g, m);
  });
  for (const [gid, card] of cards) {
    if (!m.groups.some((g) => g.id === gid)) { card.li.remove(); cards.delete(gid); }
  }
}

function updateCard(card, g, m) {
  setText(card.name, g.name);
  setText(card.joined, typeof g.joined === "number" ? `${g.joined} joined` : "");
  const code = m.join?.[g.id] ?? "";
  const before = knownCodes.get(g.id);
  if (before && code && before !== code) renewed.add(g.id);
  if (code) knownCodes.set(g.id, code);
  setValue(card.join, joinUrl(m, g.id));
  nameCopy(card.joinCopy, `join link for ${g.name}`);
  nameCopy(card.facCopy, `facilitator link for ${g.name}`);
  setValue(card.facilitator, absolute(m.links?.facilitators?.[g.id]) ?? "");
  if (card.code !== code) {
    card.code = code;
    card.qr.hidden = !code;
    if (code) {
      card.qr.src = `/j/${encodeURIComponent(code)}/qr.svg`;
      card.qr.dataset.code = code;
    }
  }
  card.qr.alt = `QR code to join ${g.name}`;
  card.waiting.hidden = Boolean(code);
  card.renewed.hidden = !renewed.has(g.id);
  card.li.dataset.code = code;
  const pack = g.info_pack ?? "";
  setText(card.packLine, pack.trim()
    ? `Information pack: ${number(chars(pack))} characters.`
    : "No information pack yet.");
  if (card.editor && !card.editorBox.hidden) syncEditor(card, g);
}

function buildCard(g) {
  const li = el("li", { class: "group-card card", "data-group": g.id, id: `card-${g.id}` });
  const nameId = `group-${g.id}-name`;
  const name = el("h3", { class: "group-name", id: nameId, dir: "auto", tabIndex: -1 });
  const joined = el("p", { class: "joined" });
  const qr = el("img", { class: "qr", alt: "", width: 176, height: 176, hidden: true });
  const waiting = el("p", { class: "hint", text: "The join code is on its way…" });
  const renewedNote = el("p", { class: "renewed", text: "New code: print this QR code again.", hidden: true });
  const rotate = el("button", { type: "button", class: "rotate", text: "New join code…", "aria-describedby": nameId });
  rotate.addEventListener("click", () => askRotate(g.id));
  const joinRow = linkRow(`join-${g.id}`, "Join link", "What the QR code opens: for participants at this table.",
    `join link for ${g.name}`);
  const facRow = linkRow(`facilitator-${g.id}`, "Facilitator link", null, `facilitator link for ${g.name}`);
  const packLine = el("p", { class: "pack-line" });
  const editId = `g-${g.id}-editor`;
  const edit = el("button", { type: "button", class: "edit-group", text: "Edit name and pack",
    "aria-expanded": "false", "aria-controls": editId, "aria-describedby": nameId });
  const editorBox = el("div", { class: "group-editor", id: editId, hidden: true });
  li.append(
    el("div", { class: "card-head" }, name, joined),
    el("div", { class: "card-body" },
      el("div", { class: "qr-box" }, qr, waiting, renewedNote),
      el("div", { class: "card-links" }, joinRow.row, rotate, facRow.row)),
    el("div", { class: "pack-row" }, packLine, edit),
    editorBox);
  const card = { li, gid: g.id, name, joined, qr, waiting, renewed: renewedNote, packLine, edit, editorBox,
    editor: null, join: joinRow.input, facilitator: facRow.input, code: null,
    joinCopy: joinRow.button, facCopy: facRow.button };
  edit.addEventListener("click", () => toggleEditor(card));
  return card;
}

// -- editing a group ----------------------------------------------------------------------

function toggleEditor(card) {
  if (!card.editor) card.editor = buildEditor(card);
  const open = card.editorBox.hidden;
  card.editorBox.hidden = !open;
  card.edit.setAttribute("aria-expanded", String(open));
  if (open) {
    const g = client.model?.groups.find((x) => x.id === card.gid);
    card.editor.base = null; // take the group as it is now
    if (g) syncEditor(card, g);
    setText(card.editor.done, "");
    card.editor.fields.name.focus();
  } else {
    card.edit.focus();
  }
}

function buildEditor(card) {
  const fields = packFields(`g-${card.gid}`, "Name of the group");
  const save = el("button", { type: "submit", class: "primary", text: "Save changes" });
  const close = el("button", { type: "button", class: "close-editor", text: "Close" });
  const error = el("p", { class: "field-error", role: "alert" });
  const done = el("p", { class: "done", role: "status" });
  const elsewhere = el("p", { class: "elsewhere", role: "status" });
  const form = el("form", { class: "group-edit-form", "aria-labelledby": `group-${card.gid}-name` },
    fields.root, elsewhere, el("div", { class: "form-actions" }, save, close, done), error);
  form.noValidate = true;
  const editor = { root: form, fields, save, close, error, done, elsewhere, base: null };
  card.editorBox.append(form);
  const dirty = () => editor.base && (fields.name.value !== editor.base.name || fields.pack.value !== editor.base.info_pack);
  const relabel = () => setText(close, dirty() ? "Discard changes" : "Close");
  editor.relabel = relabel;
  editor.dirty = dirty;
  for (const f of [fields.name, fields.pack]) f.addEventListener("input", () => { relabel(); setText(done, ""); });
  close.addEventListener("click", () => toggleEditor(card));
  form.addEventListener("submit", (event) => { event.preventDefault(); saveGroup(card); });
  return editor;
}

/** Bring an open editor up to date with the group, unless something is being typed in it. */
function syncEditor(card, g) {
  const editor = card.editor;
  const now = { name: g.name, info_pack: g.info_pack ?? "" };
  const typed = editor.fields.values();
  const same = typed.name === now.name && typed.info_pack === now.info_pack;
  if (!editor.base || !editor.dirty() || same) {
    editor.fields.set(now);
    editor.base = now;
    setText(editor.elsewhere, "");
  } else if (now.name !== editor.base.name || now.info_pack !== editor.base.info_pack) {
    setText(editor.elsewhere, "Changed on another page since you started: saving replaces that change with yours.");
  }
  editor.relabel();
}

async function saveGroup(card) {
  const { fields, save, error, done } = card.editor;
  const g = client.model?.groups.find((x) => x.id === card.gid);
  if (!g || isInert(save) || !fields.validate()) return;
  const { name, info_pack: pack } = fields.values();
  const change = {};
  if (name.trim() !== g.name) change.name = name.trim();
  if (pack !== (g.info_pack ?? "") && (pack.trim() || g.info_pack)) change.info_pack = pack;
  if (!Object.keys(change).length) {
    setText(done, "Nothing to save: the group already reads like this.");
    return;
  }
  clearError(error);
  setText(done, "");
  const ack = await write(`group:${card.gid}`, "group.update", { group_id: card.gid, ...change }, [save]);
  if (!ack) return;
  if (!ack.ok) {
    const field = ack.error?.message?.includes("pack") ? fields.pack : ack.error?.message?.includes("name") ? fields.name : null;
    showAckError(field === fields.pack ? fields.packError : field ? fields.nameError : error, ack, field);
    return;
  }
  card.editor.base = { name: change.name ?? g.name, info_pack: "info_pack" in change ? pack : g.info_pack ?? "" };
  setText(card.editor.elsewhere, "");
  card.editor.relabel();
  setText(done, `Saved at ${clockTime(Date.now())}: the group's pages show it now.`);
}

// -- rotating a join code ---------------------------------------------------------------

const rotateDialog = $("rotate-dialog");
let rotating = null;
const groupNameOf = (gid) => client.model?.groups.find((g) => g.id === gid)?.name ?? gid;

function askRotate(gid) {
  rotating = gid;
  const name = groupNameOf(gid);
  setText($("rotate-title"), `New join code for ${name}?`);
  setText($("rotate-group"), name);
  setText($("rotate-error"), "");
  setText($("rotate-done"), "");
  rotateDialog.returnValue = "";
  rotateDialog.showModal();
  $("rotate-cancel").focus();
}

rotateDialog.addEventListener("close", async () => {
  const gid = rotating;
  rotating = null;
  const opener = cards.get(gid)?.li.querySelector("button.rotate");
  if (rotateDialog.returnValue !== "confirm" || !gid) { opener?.focus(); return; }
  const name = groupNameOf(gid);
  const ack = await write(`rotate:${gid}`, "joincode.rotate", { group_id: gid }, opener ? [opener] : []);
  opener?.focus();
  if (!ack) return;
  if (!ack.ok) {
    setText($("rotate-error"), `The join code for ${name} was not replaced: ${explain(ack.error)}`);
    return;
  }
  renewed.add(gid);
  setText($("rotate-done"), `${name} has a new join code. The old one no longer works: print the new QR code.`);
  scheduleRender();
});

// -- the agenda ---------------------------------------------------------------------------

const rows = new Map(); // slot id -> the row's parts

const slotState = (m, s) => {
  const t = m.timer ?? {};
  if (t.slot_id === s.id && t.status !== "idle") return t.status === "paused" ? "paused" : "running";
  return m.runs.some((r) => r.slot_id === s.id) ? "ran" : "planned";
};

function renderAgenda(m) {
  const list = $("agenda");
  $("agenda-empty").hidden = m.agenda.length > 0;
  const total = m.agenda.reduce((sum, s) => sum + (s.minutes ?? 0), 0);
  setText($("agenda-summary"), m.agenda.length
    ? `${m.agenda.length} ${m.agenda.length === 1 ? "part" : "parts"}, ${minutesText(total)} planned in all.`
    : "");
  // Moving a row takes keyboard focus with it out of the page: put it back afterwards.
  const active = list.contains(document.activeElement) ? document.activeElement : null;
  m.agenda.forEach((s, i) => {
    let row = rows.get(s.id);
    if (!row) {
      row = buildRow(s);
      rows.set(s.id, row);
    }
    if (list.children[i] !== row.li) list.insertBefore(row.li, list.children[i] ?? null);
    updateRow(row, s, i, m);
  });
  for (const [sid, row] of rows) {
    if (!m.agenda.some((s) => s.id === sid)) { row.li.remove(); rows.delete(sid); }
  }
  if (active && active.isConnected && document.activeElement !== active) active.focus({ preventScroll: true });
  if (active && !active.isConnected && document.activeElement === document.body) $("agenda-heading").focus();
  addSlot.fields.sync(m);
}

function buildRow(s) {
  const sid = s.id;
  const titleId = `slot-${sid}-title`;
  const title = el("p", { class: "slot-title", id: titleId, dir: "auto" });
  const named = () => el("span", { class: "visually-hidden", dir: "auto" });
  const arrow = (a) => el("span", { "aria-hidden": "true", text: `${a} ` });
  const up = el("button", { type: "button", class: "move-up small" }, arrow("↑"), "Up", named());
  const down = el("button", { type: "button", class: "move-down small" }, arrow("↓"), "Down", named());
  const edit = el("button", { type: "button", class: "edit-slot small", "aria-expanded": "false",
    "aria-controls": `slot-${sid}-form` }, "Edit", named());
  const remove = el("button", { type: "button", class: "remove-slot small danger-outline",
    "aria-describedby": `slot-${sid}-why` }, "Remove", named());
  const why = el("span", { class: "visually-hidden", id: `slot-${sid}-why` });
  const error = el("p", { class: "field-error slot-error", role: "alert" });
  const li = el("li", { class: "slot", "data-slot-id": sid },
    el("div", { class: "slot-main" },
      el("span", { class: "slot-pos", "aria-hidden": "true" }),
      el("div", { class: "slot-text" },
        el("div", { class: "slot-head" },
          el("span", { class: "badge state-badge" }),
          title),
        el("p", { class: "slot-meta" }),
        el("p", { class: "slot-times" })),
      el("div", { class: "slot-actions", role: "group", "aria-labelledby": titleId }, up, down, edit, remove, why)),
    error);
  const row = { li, sid, title, up, down, edit, remove, why, error, form: null, state: "planned" };
  up.addEventListener("click", () => moveSlot(row, -1));
  down.addEventListener("click", () => moveSlot(row, +1));
  edit.addEventListener("click", () => toggleSlotForm(row));
  remove.addEventListener("click", () => askRemove(row));
  return row;
}

function updateRow(row, s, i, m) {
  const state = slotState(m, s);
  row.state = state;
  row.li.dataset.state = state;
  row.li.classList.toggle("current", state === "running" || state === "paused");
  if (state === "running" || state === "paused") row.li.setAttribute("aria-current", "step");
  else row.li.removeAttribute("aria-current");
  setText(row.li.querySelector(".slot-pos"), String(i + 1));
  setText(row.title, s.title);
  const badge = row.li.querySelector(".state-badge");
  setText(badge, { running: "Running", paused: "Paused", ran: "Done", planned: "" }[state]);
  badge.hidden = state === "planned";
  const meta = [KIND_LABEL[s.kind] ?? s.kind, `${s.minutes} min`];
  const parts = [meta.join(" · ")];
  if (s.kind === "plenary") {
    parts.push(" · ", s.group_id
      ? el("span", {}, "presenting: ", el("span", { dir: "auto", text: groupNameOf(s.group_id) }))
      : "no group presenting yet");
  }
  const metaNode = row.li.querySelector(".slot-meta");
  const metaKey = JSON.stringify([s.kind, s.minutes, s.group_id, s.group_id && groupNameOf(s.group_id)]);
  if (metaNode._key !== metaKey) { metaNode._key = metaKey; metaNode.replaceChildren(...parts); }
  updateTimes(row, m, client.now());
  for (const b of [row.up, row.down, row.edit, row.remove]) setText(b.lastChild, `: ${s.title}`);

  const moving = pending.has(`slot:${s.id}:move`);
  setInert(row.up, i === 0, moving);
  setInert(row.down, i === m.agenda.length - 1, moving);
  setInert(row.edit, false, pending.has(`slot:${s.id}:edit`));
  const started = state !== "planned";
  setInert(row.remove, started, pending.has(`slot:${s.id}:remove`));
  setText(row.why, started ? "It has been started, so it stays in the record: shorten it instead." : "");
  if (row.form && !row.form.root.hidden) syncSlotForm(row, s);
}

/** Planned against actual, for the parts that have run (pauses not counted). */
function updateTimes(row, m, now) {
  const s = m.agenda.find((x) => x.id === row.sid);
  const node = row.li.querySelector(".slot-times");
  const runs = s ? m.runs.filter((r) => r.slot_id === s.id) : [];
  if (!runs.length) { setText(node, ""); node.classList.remove("over"); return; }
  const elapsed = runs.reduce((sum, r) => sum + runElapsedMs(r, now), 0);
  const planned = runs[runs.length - 1].planned_ms + runs.reduce((sum, r) => sum + r.extended_ms, 0);
  const running = runs.some((r) => r.ended_at == null);
  setText(node, `Started ${clockTime(runs[0].started_at)} · planned ${minutesText(Math.round(planned / 60000))} · `
    + `${running ? "so far" : "took"} ${formatDuration(elapsed)}${runs.length > 1 ? ` in ${runs.length} runs` : ""}`);
  node.classList.toggle("over", elapsed > planned);
}

// The running part's "so far" moves on by itself; nothing else needs a clock.
setInterval(() => {
  const m = client.model;
  const sid = m?.timer?.slot_id;
  if (sid && rows.has(sid)) updateTimes(rows.get(sid), m, client.now());
}, 1000);

function announce(text) { setText($("agenda-status"), text); }

async function moveSlot(row, step) {
  const m = client.model;
  if (!m || isInert(step < 0 ? row.up : row.down)) return;
  const i = m.agenda.findIndex((s) => s.id === row.sid);
  const to = i + step;
  if (i < 0 || to < 0 || to >= m.agenda.length) return;
  // `after` names the slot it will follow once moved (null: first).
  const after = step < 0 ? (m.agenda[i - 2]?.id ?? null) : m.agenda[i + 1].id;
  const button = step < 0 ? row.up : row.down;
  clearError(row.error);
  const ack = await write(`slot:${row.sid}:move`, "slot.move", { slot_id: row.sid, after }, [row.up, row.down]);
  if (!ack) return;
  if (!ack.ok) { showAckError(row.error, ack); button.focus(); return; }
  await whenModel((m2) => m2.agenda.findIndex((s) => s.id === row.sid) === to);
  renderNow();
  const now = client.model.agenda;
  const at = now.findIndex((s) => s.id === row.sid);
  announce(`Moved ${quoted(now[at]?.title ?? "")} ${step < 0 ? "up" : "down"}: now ${at + 1} of ${now.length}.`);
  if (document.activeElement !== button) button.focus({ preventScroll: true });
  button.scrollIntoView({ block: "nearest" });
}

// -- removing a slot -------------------------------------------------------------------------

const removeDialog = $("remove-dialog");
let removing = null;

function askRemove(row) {
  if (isInert(row.remove)) return;
  const s = client.model?.agenda.find((x) => x.id === row.sid);
  if (!s) return;
  removing = row;
  clearError(row.error);
  setText($("remove-title"), `Remove ${quoted(s.title)} from the agenda?`);
  setText($("remove-slot"), s.title);
  removeDialog.returnValue = "";
  removeDialog.showModal();
  $("remove-cancel").focus();
}

removeDialog.addEventListener("close", async () => {
  const row = removing;
  removing = null;
  if (!row) return;
  if (removeDialog.returnValue !== "confirm") { row.remove.focus(); return; }
  const m = client.model;
  const i = m.agenda.findIndex((s) => s.id === row.sid);
  const title = m.agenda[i]?.title ?? "";
  // Where the keyboard goes once the row is gone: the next row, else the one before.
  const neighbour = rows.get(m.agenda[i + 1]?.id) ?? rows.get(m.agenda[i - 1]?.id) ?? null;
  row.remove.focus();
  const ack = await write(`slot:${row.sid}:remove`, "slot.remove", { slot_id: row.sid }, [row.remove]);
  if (!ack) return;
  if (!ack.ok) {
    showAckError(row.error, ack);
    row.remove.focus();
    return;
  }
  announce(`Removed ${quoted(title)} from the agenda.`);
  (neighbour?.remove ?? addSlot.fields.title).focus();
});

// -- slot fields (adding a slot, and editing one) ----------------------------------------------

/**
 * Title, minutes, kind and (for a plenary) the presenting group; with `position`, where
 * the new slot goes. sync(m) keeps the group and position choices up to date.
 */
function slotFields(prefix, { position = false } = {}) {
  const ids = (what) => `${prefix}-${what}`;
  const title = el("input", { type: "text", id: ids("title"), dir: "auto", autocomplete: "off",
    "aria-describedby": `${ids("title-count")} ${ids("title-error")}` });
  const titleCount = el("p", { class: "count", id: ids("title-count") });
  const titleError = el("p", { class: "field-error", id: ids("title-error"), role: "alert" });
  const minutes = el("input", { type: "number", id: ids("minutes"), min: 1, max: LIMITS.minutesMax, step: 1,
    inputMode: "numeric", dir: "auto", "aria-describedby": ids("minutes-error") });
  const minutesError = el("p", { class: "field-error", id: ids("minutes-error"), role: "alert" });
  const kind = el("select", { id: ids("kind"), dir: "auto" }, ...KINDS.map(([v, label]) => el("option", { value: v, text: label })));
  const group = el("select", { id: ids("group"), dir: "auto", "aria-describedby": ids("group-hint") });
  const groupHint = el("p", { class: "hint", id: ids("group-hint"), text: "The group whose key points the plenary hears." });
  const groupField = el("div", { class: "field group-field" },
    el("label", { for: ids("group"), text: "Presenting group" }), groupHint, group);
  const where = position ? el("select", { id: ids("position"), dir: "auto" }) : null;
  const root = el("div", { class: "slot-fields" },
    el("div", { class: "field title-field" }, el("label", { for: ids("title"), text: "Title" }), title, titleCount, titleError),
    el("div", { class: "field minutes-field" }, el("label", { for: ids("minutes"), text: "Minutes" }), minutes, minutesError),
    el("div", { class: "field kind-field" }, el("label", { for: ids("kind"), text: "Kind" }), kind),
    groupField,
    where ? el("div", { class: "field position-field" }, el("label", { for: ids("position"), text: "Where" }), where) : null);

  const showGroup = () => { groupField.hidden = kind.value !== "plenary"; };
  kind.addEventListener("change", showGroup);
  title.addEventListener("input", () => counter(titleCount, title.value, LIMITS.name));
  liveCheck(title, titleError, (v) => textProblem(v, LIMITS.name, "title"));
  liveCheck(minutes, minutesError, minutesProblem);

  let optionsKey = "";
  function sync(m) {
    const key = JSON.stringify([m.groups.map((g) => [g.id, g.name]), position ? m.agenda.map((s) => [s.id, s.title]) : 0]);
    if (key === optionsKey) return;
    optionsKey = key;
    const chosen = group.value;
    group.replaceChildren(el("option", { value: "", text: "None yet" }),
      ...m.groups.map((g) => el("option", { value: g.id, text: g.name })));
    group.value = m.groups.some((g) => g.id === chosen) ? chosen : "";
    if (where) {
      const at = where.value || "end";
      where.replaceChildren(el("option", { value: "end", text: "At the end" }),
        el("option", { value: "first", text: "At the start" }),
        ...m.agenda.map((s) => el("option", { value: `after:${s.id}`, text: `After “${s.title}”` })));
      where.value = [...where.options].some((o) => o.value === at) ? at : "end";
    }
  }

  return {
    root, title, minutes, kind, group, where, titleError, minutesError, sync,
    set(s) {
      setValue(title, s.title ?? "");
      setValue(minutes, s.minutes == null ? "" : String(s.minutes));
      kind.value = s.kind ?? "group_work";
      group.value = s.group_id ?? "";
      showGroup();
      counter(titleCount, title.value, LIMITS.name);
    },
    /** The slot as typed: {title, minutes, kind, group_id} (group_id only for a plenary). */
    values() {
      const v = { title: title.value.trim(), minutes: Number(minutes.value.trim()), kind: kind.value };
      if (kind.value === "plenary") v.group_id = group.value || null;
      return v;
    },
    after(m) {
      const w = where?.value ?? "end";
      if (w === "first") return null;
      if (w.startsWith("after:") && m.agenda.some((s) => `after:${s.id}` === w)) return w.slice(6);
      return m.agenda.length ? m.agenda[m.agenda.length - 1].id : null;
    },
    validate() {
      const bad = [[title, titleError, textProblem(title.value, LIMITS.name, "title")],
        [minutes, minutesError, minutesProblem(minutes.value)]];
      for (const [field, node, problem] of bad) {
        if (problem) showError(node, problem, { field }); else if (node._field) clearError(node);
      }
      bad.find(([, , problem]) => problem)?.[0].focus();
      return bad.every(([, , problem]) => !problem);
    },
  };
}

// -- adding a slot ---------------------------------------------------------------------------

const addSlot = (() => {
  const fields = slotFields("new-slot", { position: true });
  const submit = el("button", { type: "submit", class: "primary", id: "slot-add-submit", text: "Add to the agenda" });
  const error = el("p", { class: "field-error", id: "slot-add-error", role: "alert" });
  $("slot-add-form").append(fields.root, el("div", { class: "form-actions" }, submit), error);
  fields.set({ title: "", minutes: null, kind: "group_work", group_id: null });
  return { fields, submit, error, intent: intent() };
})();

$("slot-add-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const m = client.model;
  const { fields, submit, error } = addSlot;
  if (!m || isInert(submit) || !fields.validate()) return;
  const payload = { ...fields.values(), after: fields.after(m) };
  // The intent is what was typed and chosen, not where "at the end" happens to be now.
  payload.client_id = addSlot.intent.id({ ...fields.values(), where: fields.where.value });
  clearError(error);
  const ack = await write("slot.add", "slot.add", payload, [submit]);
  if (!ack) return;
  if (!ack.ok) {
    const field = ack.error?.message?.includes("title") ? fields.title
      : ack.error?.message?.includes("minutes") ? fields.minutes : null;
    showAckError(field === fields.title ? fields.titleError : field ? fields.minutesError : error, ack, field);
    return;
  }
  addSlot.intent.done();
  await whenModel((m2) => m2.agenda.some((s) => s.id === ack.slot_id));
  renderNow();
  const agenda = client.model.agenda;
  const at = agenda.findIndex((s) => s.id === ack.slot_id);
  announce(`Added ${quoted(payload.title)} (${payload.minutes} min)${at >= 0 ? `: ${at + 1} of ${agenda.length}` : ""}.`);
  fields.set({ title: "", minutes: null, kind: payload.kind, group_id: payload.group_id });
  fields.where.value = "end";
  fields.title.focus();
});

// -- editing a slot -------------------------------------------------------------------------

function toggleSlotForm(row) {
  if (isInert(row.edit)) return;
  if (!row.form) row.form = buildSlotForm(row);
  const open = row.form.root.hidden;
  row.form.root.hidden = !open;
  row.edit.setAttribute("aria-expanded", String(open));
  if (open) {
    const s = client.model?.agenda.find((x) => x.id === row.sid);
    row.form.base = null;
    row.form.fields.sync(client.model);
    if (s) syncSlotForm(row, s);
    row.form.fields.title.focus();
  } else {
    row.edit.focus();
  }
}

function buildSlotForm(row) {
  const fields = slotFields(`edit-${row.sid}`);
  const save = el("button", { type: "submit", class: "primary", text: "Save" });
  const cancel = el("button", { type: "button", text: "Cancel" });
  const elsewhere = el("p", { class: "elsewhere", role: "status" });
  const root = el("form", { class: "slot-form", id: `slot-${row.sid}-form`, hidden: true, "aria-labelledby": `slot-${row.sid}-title` },
    fields.root, elsewhere, el("div", { class: "form-actions" }, save, cancel));
  root.noValidate = true;
  row.li.append(root);
  cancel.addEventListener("click", () => toggleSlotForm(row));
  root.addEventListener("submit", (event) => { event.preventDefault(); saveSlot(row); });
  root.addEventListener("keydown", (event) => { if (event.key === "Escape") { event.preventDefault(); toggleSlotForm(row); } });
  return { root, fields, save, elsewhere, base: null };
}

const slotSig = (v) => JSON.stringify([v.title, String(v.minutes), v.kind, v.kind === "plenary" ? v.group_id ?? "" : ""]);

function syncSlotForm(row, s) {
  const form = row.form;
  form.fields.sync(client.model);
  const typed = { title: form.fields.title.value, minutes: form.fields.minutes.value, kind: form.fields.kind.value,
    group_id: form.fields.group.value };
  const now = { title: s.title, minutes: String(s.minutes), kind: s.kind, group_id: s.group_id ?? "" };
  const untouched = !form.base || slotSig(typed) === slotSig(form.base) || slotSig(typed) === slotSig(now);
  if (untouched) {
    form.fields.set(s);
    form.base = now;
    setText(form.elsewhere, "");
  } else if (slotSig(now) !== slotSig(form.base)) {
    setText(form.elsewhere, "Changed on another page since you started: saving replaces that change with yours.");
  }
}

async function saveSlot(row) {
  const m = client.model;
  const s = m?.agenda.find((x) => x.id === row.sid);
  const { fields, save } = row.form;
  if (!s || isInert(save) || !fields.validate()) return;
  const v = fields.values();
  const change = {};
  if (v.title !== s.title) change.title = v.title;
  if (v.minutes !== s.minutes) change.minutes = v.minutes;
  if (v.kind !== s.kind) change.kind = v.kind;
  if (v.kind === "plenary" && (v.group_id ?? null) !== (s.group_id ?? null)) change.group_id = v.group_id;
  if (!Object.keys(change).length) { toggleSlotForm(row); return; }
  clearError(row.error);
  const ack = await write(`slot:${row.sid}:edit`, "slot.update", { slot_id: row.sid, ...change }, [save, row.edit]);
  if (!ack) return;
  if (!ack.ok) {
    const field = ack.error?.message?.includes("title") ? fields.title
      : ack.error?.message?.includes("minutes") ? fields.minutes : null;
    showAckError(field === fields.title ? fields.titleError : field ? fields.minutesError : row.error, ack, field);
    return;
  }
  const lengthened = "minutes" in change && row.state !== "planned" && row.state !== "ran"
    ? ` The countdown on every screen moved by ${change.minutes - s.minutes} min.` : "";
  announce(`Saved ${quoted(v.title)}.${lengthened}`);
  row.form.base = null;
  toggleSlotForm(row);
}

// -- downloads ------------------------------------------------------------------------

function filenameFrom(response, fallback) {
  const match = /filename="?([^";]+)"?/i.exec(response.headers.get("content-disposition") ?? "");
  return match ? match[1] : fallback;
}

for (const button of document.querySelectorAll("button.export")) {
  button.addEventListener("click", () => download(button));
}

async function download(button) {
  const label = button.textContent;
  setText($("export-error"), "");
  setText($("export-done"), "");
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(button.dataset.path, {
      headers: { Authorization: `Bearer ${token}` }, cache: "no-store",
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.error ?? `the server answered ${response.status}`);
    }
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: filenameFrom(response, button.dataset.file), hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    setText($("export-done"), `Downloaded ${label} (${Math.max(1, Math.round(blob.size / 1024))} KB).`);
  } catch (error) {
    const message = error instanceof TypeError ? "the server did not answer" : error.message;
    setText($("export-error"), `Could not download ${label}: ${message}.`);
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

// -- health ---------------------------------------------------------------------------

async function checkHealth() {
  const store = $("health-store");
  try {
    const response = await fetch("/healthz", { cache: "no-store" });
    const h = await response.json();
    store.dataset.state = h.status === "ok" ? "ok" : "down";
    setText(store, h.status === "ok" ? `OK · ${h.store}` : `Not answering · ${h.store}`);
    setText($("health-connections"), String(h.connections));
    setText($("health-events"), String(h.last_seq));
  } catch {
    store.dataset.state = "down";
    setText(store, "The server is not answering");
  }
  setText($("health-checked"), clock(Date.now()));
}

// Registered before start(): the welcome can arrive before the client reports "connected".
client.socket.on("welcome", () => checkHealth()); // now counting this page's own connection

// The page's own jump links move keyboard focus too, not only the scroll position.
for (const link of document.querySelectorAll(".page-nav a[href^='#']")) {
  link.addEventListener("click", (event) => {
    const target = $(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    target.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });
}

checkHealth();
setInterval(checkHealth, HEALTH_EVERY_MS);
renderNow();
client.start();
