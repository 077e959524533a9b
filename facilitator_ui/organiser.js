// The organiser's console: where the day is made and changed, with no file and no
// restart (CONTRACT §8): its title and date, its groups and their information packs, its
// agenda. Beside that, every link of the day with a Copy button, each group's join QR
// code (and replacing a join code that went astray), downloads of the record, and the
// server's health. Everything shown comes from client.model, so a change made here, on
// another organiser tab or by the lead shows the same way; nothing user-written goes in
// as HTML (packs are rendered by markdown-it with raw HTML off).
//
// It speaks the visitor's language (CONTRACT §10, static/i18n.js: imported first, so its
// catalog is loaded before anything here renders), shows times in the venue's zone, and
// sets what §10 lets the organiser set on the day: the venue's time zone, the projector's
// second language, and the assembly's own texts (title, group names and packs) in each
// language. Display text shows the visitor's language where translated; edit fields show
// the assembly's own text.

import { t, nt, applyDocument, languagePicker, languages, lang, formatTime, formatNumber,
  assemblyTitle, groupText, errorText } from "/static/i18n.js";
import { createClient, describeStatus, loopbackHost, secretFromPath, uuid } from "/static/client.js";
import { el, withNodes } from "/static/dom.js";
import { renderMarkdown } from "/static/markdown.js";
import { formatDuration, runElapsedMs, setText } from "/console/console-common.js";
import { createEvaluationLauncher, createPollComposer, createPollList, createPollSender } from "/console/polls.js";

const $ = (id) => document.getElementById(id);
const HEALTH_EVERY_MS = 10000;
const PREVIEW_DELAY_MS = 150;
// The server's limits (docs/protocol.md), checked here first so a message can say why.
const LIMITS = { title: 200, name: 120, pack: 50000, minutesMax: 600 };
const KINDS = [
  ["welcome", t("Welcome")], ["group_work", t("Group work")], ["break", t("Break")],
  ["plenary", t("Plenary")], ["close", t("Closing")],  // the kind: the end of the day, not a button
];
const KIND_LABEL = Object.fromEntries(KINDS);
const STAFF = [
  ["organiser", t("Organiser link"), t("This page. Keep it to yourself: it can do everything.")],
  ["lead", t("Lead facilitator link"), t("Runs the agenda, timers and plenary focus.")],
  ["board", t("Board link"), t("The Board member's tablet: logs responses, resolves corrections.")],
  ["screen", t("Plenary screen link"), t("Open it on the computer behind the projector.")],
];
// The language the assembly's own texts are written in (languages.py lists it first);
// translations are for the others.
const SOURCE = Object.keys(languages)[0] ?? "en";
const OTHER_LANGUAGES = Object.keys(languages).filter((code) => code !== SOURCE);

const capitalise = (s) => (s ? String(s)[0].toUpperCase() + String(s).slice(1) : "");
/** The venue's time zone, once the organiser has set one (else this device's). */
const venueZone = () => client.model?.assembly?.timezone || undefined;
/** A time as people read it here: this page's language, the venue's zone. */
function clock(ts, options = {}) {
  try {
    return formatTime(ts, { timeZone: venueZone(), ...options });
  } catch { // a zone the server knows and this browser does not
    return formatTime(ts, { ...options, timeZone: undefined });
  }
}
/** Links are relative ("/lead/…") when the server has no base URL: make them whole. */
const absolute = (url) => (url && url.startsWith("/") ? location.origin + url : url);
/** Characters as the server counts them (code points, not UTF-16 units). */
const chars = (s) => s.length - (s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
const number = (n) => formatNumber(n);
function setValue(input, value) { if (input.value !== value) input.value = value; }
/** The languages' own names, listed as this language lists things ("fr, es and ar"). */
function languageList(codes) {
  const names = codes.map((code) => languages[code] ?? code);
  try { return new Intl.ListFormat(lang, { type: "conjunction" }).format(names); } catch { return names.join(", "); }
}

function minutesText(total) {
  const h = Math.floor(total / 60), m = total % 60;
  if (!h) return t("{m} min", { m: number(m) });
  return m ? t("{h} h {m} min", { h: number(h), m: number(m) }) : t("{h} h", { h: number(h) });
}

applyDocument();
$("language-slot").append(languagePicker({ id: "language" }));

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

/** What went wrong, for a person: the server's own words (in English; the meaning of
 *  its code in other languages), or what to do when offline. */
function explain(error) {
  const code = error?.code;
  if (code === "offline") return t("Not connected, so nothing was saved: try again when the status says Connected.");
  if (code === "timeout") return t("No answer from the server: check the status line and try again (it will not be done twice).");
  return capitalise(errorText(error));
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

/** Messages about a field are checked again as it is edited, and go when they are fixed.
 *  `optional`: empty is fine (a translation left empty means none). */
function textProblem(value, limit, noun, { optional = false } = {}) {
  const n = chars(value.trim());
  const vars = { n: number(n), limit: number(limit) };
  if (!n) {
    if (optional) return "";
    return noun === "title" ? t("Write a title first.") : t("Write a name first.");
  }
  if (n > limit) {
    return noun === "title" ? t("The title is {n} characters long: the limit is {limit}.", vars)
      : t("The name is {n} characters long: the limit is {limit}.", vars);
  }
  return "";
}

function packProblem(value) {
  const n = chars(value);
  return n > LIMITS.pack
    ? t("The pack is {n} characters long: the limit is {limit} ({over} too many).",
      { n: number(n), limit: number(LIMITS.pack), over: number(n - LIMITS.pack) })
    : "";
}

function minutesProblem(value) {
  const v = value.trim();
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > LIMITS.minutesMax) {
    return t("Minutes: a whole number from 1 to {max}.", { max: number(LIMITS.minutesMax) });
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

/** Numbers, an address: kept left to right inside a right-to-left page ("1,038 / 50,000"
 *  must not read "50,000 / 1,038"), while the element itself stays where the page puts it. */
function ltrText(node, text) {
  if (node.textContent === text) return;
  node.replaceChildren(el("span", { dir: "ltr", text }));
}

function counter(node, value, limit) {
  const n = chars(value);
  ltrText(node, t("{n} / {limit}", { n: number(n), limit: number(limit) }));
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
  renderLanguages(m);
  renderGroups(m);
  renderAgenda(m);
  renderPolls(m);
}

// -- polls (CONTRACT §9): open one for the hall or a group, the evaluation, every result ---

const polls = (() => {
  const send = createPollSender(client, scheduleRender);
  // Said in the section itself (this page has no toasts), until the next one.
  const notify = (message) => setText($("poll-status"), t("{message} ({time}).", { message, time: clock(Date.now()) }));
  const list = createPollList(client, {
    id: "org-polls", send, changed: scheduleRender, notify, canClose: () => true,
  });
  const composer = createPollComposer(client, {
    id: "org-poll", send, changed: scheduleRender, notify,
    audiences: (m) => [{ value: "", label: t("The whole hall") },
      ...m.groups.map((g) => ({ value: g.id, label: t("Group: {name}", { name: groupText(m, g) }) }))],
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
  const shown = assemblyTitle(m);
  setText($("assembly-title"), shown);
  document.title = shown ? t("Organiser · {title} · townhall", { title: shown }) : t("Organiser · townhall");
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
    showError($("day-date-error"), t("Give a whole date (day, month and year), or leave it empty."), { field: day.date });
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
    setText($("day-done"), t("Nothing to save: the title and date are already these."));
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
  setText($("day-done"), t("Saved at {time}: every page shows it now.", { time: clock(Date.now()) }));
});

// -- languages and the venue's clock (CONTRACT §10) ------------------------------------------

const settings = {
  zone: $("day-timezone"), second: $("second-language"), save: $("lang-save"),
  titles: new Map(), // language -> {input, count, error}
  base: new Map(),   // field -> the value it showed from the model, to follow changes made elsewhere
};
// Every zone this browser knows, to pick from (the server checks against its own list).
const ZONES = (() => {
  try { return Intl.supportedValuesOf("timeZone"); } catch { return []; }
})();
const zoneList = new Set(ZONES);
$("timezones").append(...["UTC", ...ZONES].map((zone) => el("option", { value: zone })));

settings.second.append(el("option", { value: "", text: t("None") }),
  ...OTHER_LANGUAGES.map((code) => el("option", { value: code, lang: code, text: languages[code] ?? code })));

for (const code of OTHER_LANGUAGES) {
  const id = `title-${code}`;
  const input = el("input", { type: "text", id, lang: code, dir: "auto", autocomplete: "off", spellcheck: true,
    "aria-describedby": `${id}-count ${id}-error` });
  const count = el("p", { class: "count", id: `${id}-count` });
  const error = el("p", { class: "field-error", id: `${id}-error`, role: "alert" });
  $("title-translations").append(el("div", { class: "field" },
    el("label", { for: id, text: t("Title in {language}", { language: languages[code] ?? code }) }), input, count, error));
  input.addEventListener("input", () => { counter(count, input.value, LIMITS.title); setText($("lang-done"), ""); });
  liveCheck(input, error, (v) => textProblem(v, LIMITS.title, "title", { optional: true }));
  settings.titles.set(code, { input, count, error });
}
for (const f of [settings.zone, settings.second]) f.addEventListener("input", () => setText($("lang-done"), ""));
settings.zone.addEventListener("input", () => zoneHint(settings.zone.value.trim()));
liveCheck(settings.zone, $("day-timezone-error"), (v) => zoneProblem(v));

function zoneProblem(value) {
  const typed = value.trim();
  return knownZone(typed) === null
    ? t("This browser knows no time zone called “{zone}”: pick one from the list, like Europe/London.", { zone: typed })
    : "";
}

/** A zone as typed, spelled as the list spells it ("europe/paris" -> "Europe/Paris"), or
 *  null when this browser does not know it. "" is no zone. */
function knownZone(typed) {
  if (!typed) return "";
  if (zoneList.has(typed) || typed === "UTC") return typed;
  const lower = typed.toLowerCase();
  const listed = ["UTC", ...ZONES].find((zone) => zone.toLowerCase() === lower);
  if (listed) return listed;
  try {
    new Intl.DateTimeFormat("en", { timeZone: typed });
    return typed; // an alias this browser knows; the server decides
  } catch {
    return null;
  }
}

/** Under the zone field: what the clock there says now, or what an empty zone means. */
function zoneHint(typed) {
  const zone = knownZone(typed);
  let text;
  if (zone === "") {
    text = t("None set: each device shows times in its own clock's zone, and the record in UTC.");
  } else if (zone === null) {
    text = t("Pick a zone from the list, like Europe/London.");
  } else {
    text = t("Times on every page and in the record are this zone's. It is {time} there now.",
      { time: formatTime(Date.now(), { timeZone: zone, zone: true }) });
  }
  setText($("day-timezone-hint"), text);
}

/** Say once, where times are shown, which zone they are in. */
function renderZoneNote(m) {
  const zone = m.assembly?.timezone;
  let here = "";
  try { here = Intl.DateTimeFormat().resolvedOptions().timeZone ?? ""; } catch { /* no Intl zone */ }
  setText($("zone-note"), zone
    ? t("Times on this page are the venue's: {zone}.", { zone })
    : t("No time zone set for the venue: times on this page are this device's ({zone}).", { zone: here }));
}

/** Follow a change made elsewhere, unless this field is being edited (differs from what it showed). */
function follow(key, field, value) {
  const before = settings.base.get(key);
  if (before === undefined || field.value === before) {
    setValue(field, value);
    settings.base.set(key, value);
  }
}

function renderLanguages(m) {
  const a = m.assembly ?? {};
  const zone = a.timezone ?? "";
  if (zone && !zoneList.has(zone) && !$("timezones").querySelector(`option[value="${CSS.escape(zone)}"]`)) {
    $("timezones").append(el("option", { value: zone }));
  }
  const hadZone = settings.zone.value;
  follow("timezone", settings.zone, zone);
  if (settings.zone.value !== hadZone || !$("day-timezone-hint").textContent) zoneHint(settings.zone.value.trim());
  // A language set by the file or the API that this list does not offer still shows.
  const second = a.second_language ?? "";
  if (second && ![...settings.second.options].some((o) => o.value === second)) {
    settings.second.append(el("option", { value: second, lang: second, text: languages[second] ?? second }));
  }
  follow("second_language", settings.second, second);
  for (const [code, f] of settings.titles) {
    follow(`title.${code}`, f.input, a.translations?.[code]?.title ?? "");
    counter(f.count, f.input.value, LIMITS.title);
  }
}

$("lang-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const m = client.model;
  if (!m || isInert(settings.save)) return;
  // Checked first, in words next to the field; the first at fault takes the focus.
  const zone = knownZone(settings.zone.value.trim());
  const bad = [];
  if (zone === null) {
    showError($("day-timezone-error"), zoneProblem(settings.zone.value), { field: settings.zone });
    bad.push(settings.zone);
  } else {
    clearError($("day-timezone-error"));
  }
  for (const [, f] of settings.titles) {
    const problem = textProblem(f.input.value, LIMITS.title, "title", { optional: true });
    if (problem) { showError(f.error, problem, { field: f.input }); bad.push(f.input); } else clearError(f.error);
  }
  if (bad.length) { bad[0].focus(); return; }

  const a = m.assembly ?? {};
  const change = {};
  if (zone !== (a.timezone ?? "")) change.timezone = zone || null;
  const second = settings.second.value || null;
  if (second !== (a.second_language ?? null)) change.second_language = second;
  const translations = {};
  for (const [code, f] of settings.titles) {
    const title = f.input.value.trim();
    if (title !== (a.translations?.[code]?.title ?? "")) translations[code] = { title: title || null };
  }
  if (Object.keys(translations).length) change.translations = translations;
  if (!Object.keys(change).length) {
    setText($("lang-done"), t("Nothing to save: these are already the settings."));
    return;
  }
  setText($("lang-done"), "");
  clearError($("lang-error"));
  clearError($("second-language-error"));
  const ack = await write("languages", "assembly.update", change, [settings.save]);
  if (!ack) return;
  if (!ack.ok) {
    const message = ack.error?.message ?? "";
    const titled = /translations\.(\w+)\.title/.exec(message);
    if (titled && settings.titles.has(titled[1])) {
      const f = settings.titles.get(titled[1]);
      showAckError(f.error, ack, f.input);
    } else if (message.includes("timezone") && "timezone" in change) {
      showAckError($("day-timezone-error"), ack, settings.zone);
    } else if (message.includes("second_language") && "second_language" in change) {
      showAckError($("second-language-error"), ack, settings.second);
    } else {
      showAckError($("lang-error"), ack);
    }
    return;
  }
  // What was saved is what the fields now show (trimmed), and what they follow from.
  settings.base.set("timezone", zone);
  setValue(settings.zone, zone);
  settings.base.set("second_language", second ?? "");
  for (const [code, f] of settings.titles) {
    const title = f.input.value.trim();
    settings.base.set(`title.${code}`, title);
    setValue(f.input, title);
    counter(f.count, title, LIMITS.title);
  }
  zoneHint(zone);
  // In the zone just saved: the ack may come before the event that sets it in the model.
  setText($("lang-done"), t("Saved at {time}: every page shows it now.",
    { time: clock(Date.now(), zone ? { timeZone: zone } : {}) }));
});

// -- links and copying ----------------------------------------------------------------

/** The join URL for a group's current code, on the address phones use. */
function joinUrl(m, gid) {
  const code = m?.join?.[gid];
  return code ? `${m.baseUrl}/j/${code}` : "";
}

let copyCount = 0;
/** A labelled link with a Copy button; `spoken` names the link wherever it is mentioned
 *  on its own ("Join link for Flooding"). */
function linkRow(id, label, hint, spoken = label) {
  const input = el("input", { type: "text", id, readOnly: true, class: "link-input", spellcheck: false,
    dir: "ltr", "aria-describedby": hint ? `${id}-hint` : null });
  input.addEventListener("focus", () => input.select());
  const button = el("button", { type: "button", class: "copy", text: t("Copy") });
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
  button.setAttribute("aria-label", t("Copy: {link}", { link: spoken }));
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
  setText(button, ok ? t("Copied") : t("Selected"));
  setText($("copy-status"), ok ? t("Copied: {link}.", { link: spoken })
    : t("Could not copy by itself. Selected: {link}. Press Ctrl+C or long-press to copy it.", { link: spoken }));
  setText($("page-error"), ok ? "" : t("This browser would not copy by itself: the link is selected, press Ctrl+C (or long-press → Copy)."));
  setTimeout(() => {
    setText(button, t("Copy"));
    button.classList.remove("copied");
    if (mine === copyCount) setText($("copy-status"), "");
  }, 2000);
}

// -- staff links: a QR code to open one on a tablet, and replacing one (CONTRACT §11) -----

const staffKeys = new Map(); // "lead" or "facilitator:<gid>" -> that link's QR and Replace controls
let qrVersion = 0;

/**
 * "QR code" (shows the link as a QR code, to open it on a tablet by scanning) and, except
 * for the organiser's own link, "Replace link…". `spoken` names the link for both.
 */
function staffControls(role, gid, spoken) {
  const key = gid ? `facilitator:${gid}` : role;
  const boxId = `qr-${key.replace(":", "-")}`;
  const qr = el("img", { class: "link-qr", alt: t("QR code: {link}", { link: spoken }), width: 176, height: 176 });
  const box = el("div", { class: "link-qr-box", id: boxId, hidden: true }, qr);
  const show = el("button", { type: "button", class: "small show-qr", text: t("QR code"),
    "aria-expanded": "false", "aria-controls": boxId, "aria-label": t("QR code: {link}", { link: spoken }) });
  const replace = role === "organiser" ? null
    : el("button", { type: "button", class: "small replace-link", text: t("Replace link…"),
      "aria-label": t("Replace link: {link}", { link: spoken }) });
  const controls = { key, role, gid, spoken, qr, box, show, replace, shown: "" };
  show.addEventListener("click", () => {
    const open = box.hidden;
    box.hidden = !open;
    show.setAttribute("aria-expanded", String(open));
    syncQr(controls, currentLink(client.model, role, gid));
  });
  replace?.addEventListener("click", () => askReplace(controls));
  staffKeys.set(key, controls);
  const bar = el("div", { class: "link-actions" }, show, replace);
  return { bar, box, controls };
}

const currentLink = (m, role, gid) => (gid ? m?.links?.facilitators?.[gid] : m?.links?.[role]) ?? "";

/** The QR code follows the link: a replaced link gets a new image, never the old one. */
function syncQr(controls, link) {
  if (controls.box.hidden || !link || controls.shown === link) return;
  controls.shown = link;
  const base = `${location.pathname.replace(/\/$/, "")}/links/${controls.role}.svg`;
  const query = new URLSearchParams({ v: String(++qrVersion) });
  if (controls.gid) query.set("group", controls.gid);
  controls.qr.src = `${base}?${query}`;
}

function renderStaff(m) {
  const list = $("staff-links");
  if (!list.children.length) {
    for (const [role, label, hint] of STAFF) {
      const row = linkRow(`link-${role}`, label, hint);
      const { bar, box } = staffControls(role, null, label);
      const lost = role === "organiser"
        ? el("p", { class: "hint", text: t("If this link was lost or shared by mistake, replace it on the server: townhall links --rotate organiser") })
        : null;
      list.append(el("li", { "data-role": role }, row.row, bar, lost, box));
    }
  }
  for (const [role] of STAFF) {
    const link = absolute(currentLink(m, role, null));
    setValue($(`link-${role}`), link);
    syncQr(staffKeys.get(role), link);
  }
}

const replaceDialog = $("replace-dialog");
let replacing = null;

function askReplace(controls) {
  replacing = controls;
  setText($("replace-title"), t("Replace “{link}”?", { link: controls.spoken }));
  replaceDialog.returnValue = "";
  replaceDialog.showModal();
  $("replace-cancel").focus();
}

replaceDialog.addEventListener("close", async () => {
  const controls = replacing;
  replacing = null;
  if (!controls) return;
  const { role, gid, spoken, replace } = controls;
  if (replaceDialog.returnValue !== "confirm") { replace.focus(); return; }
  const payload = gid ? { role, group_id: gid } : { role };
  const ack = await write(`replace:${controls.key}`, "token.rotate", payload, [replace]);
  replace.focus();
  if (!ack) return;
  const status = $("staff-status");
  if (!ack.ok) {
    setText(status, t("“{link}” was not replaced: {reason}", { link: spoken, reason: explain(ack.error) }));
    status.dataset.state = "error";
    return;
  }
  status.dataset.state = "done";
  setText(status, t("{link}: replaced at {time}. The old one no longer works, and a page open with it has stopped. Send the new link, or show its QR code, to whoever should have it.",
    { link: spoken, time: clock(Date.now()) }));
  // Show the new one straight away (the links message follows the ack).
  if (controls.box.hidden) controls.show.click();
  if (ack.url) syncQr(controls, absolute(ack.url));
});

// -- information pack editor (adding a group, and editing one) ----------------------------

/**
 * The name and pack fields of a group, with counts against the limits and a live preview
 * of the pack as the group's phones will show it: side by side on a wide screen, behind a
 * Preview toggle on a narrow one (organiser.css). For a translation (`language` given) an
 * empty name or pack means none, and the fields and preview say the language they are in.
 */
function packFields(prefix, { language = null } = {}) {
  const ids = (what) => `${prefix}-${what}`;
  const named = language ? { language: languages[language] ?? language } : {};
  const inLanguage = language ? { lang: language } : {};
  const name = el("input", { type: "text", id: ids("name"), dir: "auto", autocomplete: "off", ...inLanguage,
    "aria-describedby": `${ids("name-count")} ${ids("name-error")}` });
  const nameCount = el("p", { class: "count", id: ids("name-count") });
  const nameError = el("p", { class: "field-error", id: ids("name-error"), role: "alert" });
  const pack = el("textarea", { id: ids("pack"), dir: "auto", rows: language ? 8 : 12, spellcheck: true, ...inLanguage,
    "aria-describedby": `${ids("pack-hint")} ${ids("pack-count")} ${ids("pack-error")}` });
  const packCount = el("p", { class: "count", id: ids("pack-count") });
  const packError = el("p", { class: "field-error", id: ids("pack-error"), role: "alert" });
  const toggle = el("button", { type: "button", class: "preview-toggle small", text: t("Preview"),
    "aria-pressed": "false", "aria-controls": ids("preview") });
  const preview = el("div", { class: "preview-body", ...inLanguage });
  // It scrolls when long: focusable, so a keyboard can scroll it too.
  const previewBox = el("section", { class: "pack-preview", id: ids("preview"), tabIndex: 0,
    "aria-labelledby": ids("preview-title") },
    el("p", { class: "preview-title", id: ids("preview-title"), text: language
      ? t("Preview: what the group's phones in {language} show", named)
      : t("Preview: what the group's phones show") }),
    preview);
  const editor = el("div", { class: "pack-editor", "data-view": "write" },
    el("div", { class: "pack-head" }, el("label", { for: ids("pack"), text: language
      ? t("Information pack in {language} (Markdown, optional)", named)
      : t("Information pack (Markdown, optional)") }), toggle),
    el("p", { class: "hint", id: ids("pack-hint"), text: language
      ? t("Empty: phones in {language} show the pack above.", named)
      : t("# for a heading, 1. for a numbered list, - for bullets, | a | b | rows for a table, [words](address) for a link.") }),
    el("div", { class: "pack-panes" },
      el("div", { class: "pack-write" }, pack, packCount, packError),
      previewBox));
  const root = el("div", { class: "pack-fields" },
    el("div", { class: "field" }, el("label", { for: ids("name"), text: language
      ? t("Name of the group in {language}", named) : t("Name of the group") }), name, nameCount, nameError),
    editor);

  const view = (showPreview) => {
    editor.dataset.view = showPreview ? "preview" : "write";
    toggle.setAttribute("aria-pressed", String(showPreview));
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
      : el("p", { class: "empty", text: language
        ? t("No translation: the group's phones in {language} show the pack in the assembly's own language.", named)
        : t("No information pack: the group's phones say there is none.") }));
  }
  function refreshCounts() {
    counter(nameCount, name.value, LIMITS.name);
    counter(packCount, pack.value, LIMITS.pack);
  }
  const nameCheck = (v) => textProblem(v, LIMITS.name, "name", { optional: Boolean(language) });
  name.addEventListener("input", refreshCounts);
  pack.addEventListener("input", () => {
    refreshCounts();
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, PREVIEW_DELAY_MS);
  });
  liveCheck(name, nameError, nameCheck);
  liveCheck(pack, packError, packProblem, { eager: true });

  return {
    root, name, pack, nameError, packError, language,
    values: () => ({ name: name.value, info_pack: pack.value }),
    showWriting: () => view(false),
    set({ name: n, info_pack: p }) {
      setValue(name, n ?? "");
      setValue(pack, p ?? "");
      refreshCounts();
      refreshPreview();
    },
    /** Check before sending; focus the first field at fault (unless `focus` is false). */
    validate({ focus = true } = {}) {
      const nameBad = nameCheck(name.value);
      const packBad = packProblem(pack.value);
      if (nameBad) showError(nameError, nameBad, { field: name }); else if (nameError._field) clearError(nameError);
      if (packBad) showError(packError, packBad, { field: pack }); else if (packError._field) clearError(packError);
      if (packBad) view(false); // the field at fault must be in sight
      if (focus) (nameBad ? name : packBad ? pack : null)?.focus();
      return !nameBad && !packBad;
    },
  };
}

// -- adding a group ----------------------------------------------------------------------

const addGroup = (() => {
  const fields = packFields("new-group");
  const submit = el("button", { type: "submit", class: "primary", id: "group-add-submit", text: t("Add group") });
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
  done.replaceChildren(t("Added “{name}”: its join link, QR code and facilitator link are ready.", { name: payload.name }),
    " ", el("a", { href: `#card-${ack.group_id}`, text: t("Go to its card") }));
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
  const shown = groupText(m, g);
  setText(card.name, shown);
  setText(card.joined, typeof g.joined === "number" ? nt("{n} joined", "{n} joined", g.joined) : "");
  const code = m.join?.[g.id] ?? "";
  const before = knownCodes.get(g.id);
  if (before && code && before !== code) renewed.add(g.id);
  if (code) knownCodes.set(g.id, code);
  setValue(card.join, joinUrl(m, g.id));
  nameCopy(card.joinCopy, t("Join link for {group}", { group: shown }));
  nameCopy(card.facCopy, t("Facilitator link for {group}", { group: shown }));
  const facilitatorLink = absolute(currentLink(m, "facilitator", g.id));
  setValue(card.facilitator, facilitatorLink);
  syncQr(staffKeys.get(`facilitator:${g.id}`), facilitatorLink);
  if (card.code !== code) {
    card.code = code;
    card.qr.hidden = !code;
    if (code) {
      card.qr.src = `/j/${encodeURIComponent(code)}/qr.svg`;
      card.qr.dataset.code = code;
    }
  }
  card.qr.alt = t("QR code to join {group}", { group: shown });
  card.waiting.hidden = Boolean(code);
  card.renewed.hidden = !renewed.has(g.id);
  card.li.dataset.code = code;
  const pack = g.info_pack ?? "";
  setText(card.packLine, pack.trim()
    ? nt("Information pack: {n} character.", "Information pack: {n} characters.", chars(pack))
    : t("No information pack yet."));
  const translated = OTHER_LANGUAGES.filter((code) => {
    const texts = m.assembly?.translations?.[code]?.groups?.[g.id];
    return texts?.name || texts?.info_pack;
  });
  setText(card.translatedLine, translated.length ? t("Translated into {languages}.", { languages: languageList(translated) }) : "");
  if (card.editor && !card.editorBox.hidden) syncEditor(card, g);
}

function buildCard(g) {
  const li = el("li", { class: "group-card card", "data-group": g.id, id: `card-${g.id}` });
  const nameId = `group-${g.id}-name`;
  const name = el("h3", { class: "group-name", id: nameId, dir: "auto", tabIndex: -1 });
  const joined = el("p", { class: "joined" });
  const qr = el("img", { class: "qr", alt: "", width: 176, height: 176, hidden: true });
  const waiting = el("p", { class: "hint", text: t("The join code is on its way…") });
  const renewedNote = el("p", { class: "renewed", text: t("New code: print this QR code again."), hidden: true });
  const rotate = el("button", { type: "button", class: "rotate", text: t("New join code…"), "aria-describedby": nameId });
  rotate.addEventListener("click", () => askRotate(g.id));
  const joinRow = linkRow(`join-${g.id}`, t("Join link"), t("What the QR code opens: for participants at this table."),
    t("Join link for {group}", { group: g.name }));
  const facRow = linkRow(`facilitator-${g.id}`, t("Facilitator link"), null, t("Facilitator link for {group}", { group: g.name }));
  const facKeys = staffControls("facilitator", g.id, t("Facilitator link for {group}", { group: g.name }));
  const packLine = el("p", { class: "pack-line" });
  const translatedLine = el("p", { class: "translated-line" });
  const editId = `g-${g.id}-editor`;
  const edit = el("button", { type: "button", class: "edit-group", text: t("Edit name, pack and translations"),
    "aria-expanded": "false", "aria-controls": editId, "aria-describedby": nameId });
  const editorBox = el("div", { class: "group-editor", id: editId, hidden: true });
  li.append(
    el("div", { class: "card-head" }, name, joined),
    el("div", { class: "card-body" },
      el("div", { class: "qr-box" }, qr, waiting, renewedNote),
      el("div", { class: "card-links" }, joinRow.row, rotate, facRow.row, facKeys.bar, facKeys.box)),
    el("div", { class: "pack-row" }, el("div", { class: "pack-lines" }, packLine, translatedLine), edit),
    editorBox);
  const card = { li, gid: g.id, name, joined, qr, waiting, renewed: renewedNote, packLine, translatedLine, edit, editorBox,
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

/** A group's own texts and their translations, flat: {name, info_pack, "fr.name", …}. */
function groupTexts(m, g) {
  const out = { name: g.name, info_pack: g.info_pack ?? "" };
  for (const code of OTHER_LANGUAGES) {
    const texts = m?.assembly?.translations?.[code]?.groups?.[g.id] ?? {};
    out[`${code}.name`] = texts.name ?? "";
    out[`${code}.info_pack`] = texts.info_pack ?? "";
  }
  return out;
}
const sameTexts = (a, b) => Boolean(a && b) && Object.keys(a).every((k) => a[k] === b[k]);

function buildEditor(card) {
  const fields = packFields(`g-${card.gid}`);
  // Each other language's name and pack, folded away until wanted; its own preview.
  const translations = OTHER_LANGUAGES.map((code) => {
    const f = packFields(`g-${card.gid}-${code}`, { language: code });
    const state = el("span", { class: "translation-state" });
    const box = el("details", { class: "translation", "data-lang": code },
      el("summary", {}, el("span", { lang: code, text: languages[code] ?? code }), " ", state), f.root);
    return { code, fields: f, box, state };
  });
  const save = el("button", { type: "submit", class: "primary", text: t("Save changes") });
  const close = el("button", { type: "button", class: "close-editor", text: t("Close") });
  const error = el("p", { class: "field-error", role: "alert" });
  const done = el("p", { class: "done", role: "status" });
  const elsewhere = el("p", { class: "elsewhere", role: "status" });
  const trHeading = `g-${card.gid}-translations-title`;
  const form = el("form", { class: "group-edit-form", "aria-labelledby": `group-${card.gid}-name` },
    fields.root,
    el("section", { class: "translations", "aria-labelledby": trHeading },
      el("h4", { class: "translations-title", id: trHeading, text: t("Translations") }),
      el("p", { class: "hint", text: t("The group's name and pack for phones in another language. An empty field means none: those phones show the assembly's own text.") }),
      ...translations.map((x) => x.box)),
    elsewhere, el("div", { class: "form-actions" }, save, close, done), error);
  form.noValidate = true;
  const parts = [{ code: null, fields, box: null }, ...translations];
  const editor = {
    root: form, fields, translations, parts, save, close, error, done, elsewhere, base: null,
    typed() {
      const out = { name: fields.name.value, info_pack: fields.pack.value };
      for (const x of translations) {
        out[`${x.code}.name`] = x.fields.name.value;
        out[`${x.code}.info_pack`] = x.fields.pack.value;
      }
      return out;
    },
    setAll(texts) {
      fields.set({ name: texts.name, info_pack: texts.info_pack });
      for (const x of translations) {
        x.fields.set({ name: texts[`${x.code}.name`], info_pack: texts[`${x.code}.info_pack`] });
        const has = texts[`${x.code}.name`] || texts[`${x.code}.info_pack`];
        setText(x.state, has ? t("(translated)") : t("(not translated)"));
      }
    },
  };
  card.editorBox.append(form);
  const dirty = () => editor.base && !sameTexts(editor.typed(), editor.base);
  const relabel = () => setText(close, dirty() ? t("Discard changes") : t("Close"));
  editor.relabel = relabel;
  editor.dirty = dirty;
  for (const p of parts) {
    for (const f of [p.fields.name, p.fields.pack]) f.addEventListener("input", () => { relabel(); setText(done, ""); });
  }
  close.addEventListener("click", () => toggleEditor(card));
  form.addEventListener("submit", (event) => { event.preventDefault(); saveGroup(card); });
  return editor;
}

/** Bring an open editor up to date with the group, unless something is being typed in it. */
function syncEditor(card, g) {
  const editor = card.editor;
  const now = groupTexts(client.model, g);
  if (!editor.base || !editor.dirty() || sameTexts(editor.typed(), now)) {
    editor.setAll(now);
    editor.base = now;
    setText(editor.elsewhere, "");
  } else if (!sameTexts(now, editor.base)) {
    setText(editor.elsewhere, t("Changed on another page since you started: saving replaces that change with yours."));
  }
  editor.relabel();
}

/** Which field the server's refusal is about: [part, "name" | "pack"], or null. */
function refusedField(editor, change, message = "") {
  const named = /translations\.(\w+)\.(name|info_pack)/.exec(message);
  if (named) {
    const part = editor.parts.find((p) => p.code === named[1]);
    if (part) return [part, named[2] === "name" ? "name" : "pack"];
  }
  if (message.includes("pack")) {
    if ("info_pack" in change) return [editor.parts[0], "pack"];
    const packs = Object.entries(change.translations ?? {}).filter(([, f]) => "info_pack" in f);
    if (packs.length === 1) return [editor.parts.find((p) => p.code === packs[0][0]), "pack"];
    return null;
  }
  if (message.includes("name") && "name" in change) return [editor.parts[0], "name"];
  return null;
}

async function saveGroup(card) {
  const editor = card.editor;
  const { parts, save, error, done } = editor;
  const m = client.model;
  const g = m?.groups.find((x) => x.id === card.gid);
  if (!g || isInert(save)) return;
  // Check everything; show the first field at fault (opening its language if folded).
  let firstBad = null;
  for (const p of parts) if (!p.fields.validate({ focus: false }) && !firstBad) firstBad = p;
  if (firstBad) {
    if (firstBad.box) firstBad.box.open = true;
    const f = firstBad.fields;
    (f.name.getAttribute("aria-invalid") === "true" ? f.name : f.pack).focus();
    return;
  }
  const typed = editor.typed();
  const now = groupTexts(m, g);
  const change = {};
  const name = typed.name.trim();
  if (name !== g.name) change.name = name;
  if (typed.info_pack !== (g.info_pack ?? "") && (typed.info_pack.trim() || g.info_pack)) change.info_pack = typed.info_pack;
  // A translation left empty is none: null takes it back.
  const translations = {};
  const saved = { ...typed, name };
  for (const code of OTHER_LANGUAGES) {
    const trName = typed[`${code}.name`].trim();
    const trPack = typed[`${code}.info_pack`].trim() ? typed[`${code}.info_pack`] : "";
    saved[`${code}.name`] = trName;
    saved[`${code}.info_pack`] = trPack;
    if (trName !== now[`${code}.name`]) (translations[code] ??= {}).name = trName || null;
    if (trPack !== now[`${code}.info_pack`]) (translations[code] ??= {}).info_pack = trPack || null;
  }
  if (Object.keys(translations).length) change.translations = translations;
  if (!Object.keys(change).length) {
    setText(done, t("Nothing to save: the group already reads like this."));
    return;
  }
  clearError(error);
  setText(done, "");
  const ack = await write(`group:${card.gid}`, "group.update", { group_id: card.gid, ...change }, [save]);
  if (!ack) return;
  if (!ack.ok) {
    const at = refusedField(editor, change, ack.error?.message ?? "");
    if (at) {
      const [part, which] = at;
      if (part.box) part.box.open = true;
      const field = which === "name" ? part.fields.name : part.fields.pack;
      showAckError(which === "name" ? part.fields.nameError : part.fields.packError, ack, field);
    } else {
      showAckError(error, ack);
    }
    return;
  }
  if (!("info_pack" in change)) saved.info_pack = g.info_pack ?? "";
  editor.base = saved;
  editor.setAll(saved);
  setText(editor.elsewhere, "");
  editor.relabel();
  setText(done, t("Saved at {time}: the group's pages show it now.", { time: clock(Date.now()) }));
}

// -- rotating a join code ---------------------------------------------------------------

const rotateDialog = $("rotate-dialog");
let rotating = null;
/** A group's name as this page shows it (translated where the organiser translated it). */
const groupNameOf = (gid) => {
  const g = client.model?.groups.find((x) => x.id === gid);
  return g ? groupText(client.model, g) : gid;
};

function askRotate(gid) {
  rotating = gid;
  const name = groupNameOf(gid);
  setText($("rotate-title"), t("New join code for {group}?", { group: name }));
  $("rotate-what").replaceChildren(...withNodes(
    t("QR codes and join links for {group} that were printed or shared will no longer let anyone join."),
    { group: el("strong", { id: "rotate-group", dir: "auto", text: name }) }));
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
    setText($("rotate-error"), t("The join code for {group} was not replaced: {reason}", { group: name, reason: explain(ack.error) }));
    return;
  }
  renewed.add(gid);
  setText($("rotate-done"), t("{group} has a new join code. The old one no longer works: print the new QR code.", { group: name }));
  scheduleRender();
});

// -- the agenda ---------------------------------------------------------------------------

const rows = new Map(); // slot id -> the row's parts

const slotState = (m, s) => {
  const timer = m.timer ?? {};
  if (timer.slot_id === s.id && timer.status !== "idle") return timer.status === "paused" ? "paused" : "running";
  return m.runs.some((r) => r.slot_id === s.id) ? "ran" : "planned";
};

function renderAgenda(m) {
  const list = $("agenda");
  $("agenda-empty").hidden = m.agenda.length > 0;
  const total = m.agenda.reduce((sum, s) => sum + (s.minutes ?? 0), 0);
  setText($("agenda-summary"), m.agenda.length
    ? nt("{n} part, {time} planned in all.", "{n} parts, {time} planned in all.", m.agenda.length, { time: minutesText(total) })
    : "");
  renderZoneNote(m);
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
  // Each button says what it does on the screen, and which part of the day to a screen
  // reader (its accessible name, set in updateRow).
  const arrow = (a) => el("span", { "aria-hidden": "true", text: `${a} ` });
  const up = el("button", { type: "button", class: "move-up small" }, arrow("↑"), t("Up"));
  const down = el("button", { type: "button", class: "move-down small" }, arrow("↓"), t("Down"));
  const edit = el("button", { type: "button", class: "edit-slot small", "aria-expanded": "false",
    "aria-controls": `slot-${sid}-form` }, t("Edit"));
  const remove = el("button", { type: "button", class: "remove-slot small danger-outline",
    "aria-describedby": `slot-${sid}-why` }, t("Remove"));
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
  setText(badge, { running: t("Running"), paused: t("Paused"), ran: t("Done"), planned: "" }[state]);
  badge.hidden = state === "planned";
  const meta = { kind: KIND_LABEL[s.kind] ?? s.kind, minutes: number(s.minutes) };
  let parts;
  if (s.kind !== "plenary") {
    parts = [t("{kind} · {minutes} min", meta)];
  } else if (s.group_id) {
    parts = withNodes(t("{kind} · {minutes} min · presenting: {group}", meta),
      { group: el("span", { dir: "auto", text: groupNameOf(s.group_id) }) });
  } else {
    parts = [t("{kind} · {minutes} min · no group presenting yet", meta)];
  }
  const metaNode = row.li.querySelector(".slot-meta");
  const metaKey = JSON.stringify([s.kind, s.minutes, s.group_id, s.group_id && groupNameOf(s.group_id)]);
  if (metaNode._key !== metaKey) { metaNode._key = metaKey; metaNode.replaceChildren(...parts); }
  updateTimes(row, m, client.now());
  const names = [[row.up, t("Up: {title}", { title: s.title })], [row.down, t("Down: {title}", { title: s.title })],
    [row.edit, t("Edit: {title}", { title: s.title })], [row.remove, t("Remove: {title}", { title: s.title })]];
  for (const [b, label] of names) if (b.getAttribute("aria-label") !== label) b.setAttribute("aria-label", label);

  const moving = pending.has(`slot:${s.id}:move`);
  setInert(row.up, i === 0, moving);
  setInert(row.down, i === m.agenda.length - 1, moving);
  setInert(row.edit, false, pending.has(`slot:${s.id}:edit`));
  const started = state !== "planned";
  setInert(row.remove, started, pending.has(`slot:${s.id}:remove`));
  setText(row.why, started ? t("It has been started, so it stays in the record: shorten it instead.") : "");
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
  const vars = { time: clock(runs[0].started_at), planned: minutesText(Math.round(planned / 60000)),
    elapsed: formatDuration(elapsed) };
  let text;
  if (runs.length > 1) {
    text = running
      ? nt("Started {time} · planned {planned} · so far {elapsed} in {n} run", "Started {time} · planned {planned} · so far {elapsed} in {n} runs", runs.length, vars)
      : nt("Started {time} · planned {planned} · took {elapsed} in {n} run", "Started {time} · planned {planned} · took {elapsed} in {n} runs", runs.length, vars);
  } else {
    text = running ? t("Started {time} · planned {planned} · so far {elapsed}", vars)
      : t("Started {time} · planned {planned} · took {elapsed}", vars);
  }
  setText(node, text);
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
  const where = { title: now[at]?.title ?? "", at: number(at + 1), count: number(now.length) };
  announce(step < 0 ? t("Moved “{title}” up: now {at} of {count}.", where) : t("Moved “{title}” down: now {at} of {count}.", where));
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
  setText($("remove-title"), t("Remove “{title}” from the agenda?", { title: s.title }));
  $("remove-what").replaceChildren(...withNodes(t("“{title}” leaves the agenda on every screen and phone."),
    { title: el("strong", { id: "remove-slot", dir: "auto", text: s.title }) }));
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
  announce(t("Removed “{title}” from the agenda.", { title }));
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
  const groupHint = el("p", { class: "hint", id: ids("group-hint"), text: t("The group whose key points the plenary hears.") });
  const groupField = el("div", { class: "field group-field" },
    el("label", { for: ids("group"), text: t("Presenting group") }), groupHint, group);
  const where = position ? el("select", { id: ids("position"), dir: "auto" }) : null;
  const root = el("div", { class: "slot-fields" },
    el("div", { class: "field title-field" }, el("label", { for: ids("title"), text: t("Title") }), title, titleCount, titleError),
    el("div", { class: "field minutes-field" }, el("label", { for: ids("minutes"), text: t("Minutes") }), minutes, minutesError),
    el("div", { class: "field kind-field" }, el("label", { for: ids("kind"), text: t("Kind") }), kind),
    groupField,
    where ? el("div", { class: "field position-field" }, el("label", { for: ids("position"), text: t("Where") }), where) : null);

  const showGroup = () => { groupField.hidden = kind.value !== "plenary"; };
  kind.addEventListener("change", showGroup);
  title.addEventListener("input", () => counter(titleCount, title.value, LIMITS.name));
  liveCheck(title, titleError, (v) => textProblem(v, LIMITS.name, "title"));
  liveCheck(minutes, minutesError, minutesProblem);

  let optionsKey = "";
  function sync(m) {
    const key = JSON.stringify([m.groups.map((g) => [g.id, groupText(m, g)]), position ? m.agenda.map((s) => [s.id, s.title]) : 0]);
    if (key === optionsKey) return;
    optionsKey = key;
    const chosen = group.value;
    group.replaceChildren(el("option", { value: "", text: t("None yet") }),
      ...m.groups.map((g) => el("option", { value: g.id, text: groupText(m, g) })));
    group.value = m.groups.some((g) => g.id === chosen) ? chosen : "";
    if (where) {
      const at = where.value || "end";
      where.replaceChildren(el("option", { value: "end", text: t("At the end") }),
        el("option", { value: "first", text: t("At the start") }),
        ...m.agenda.map((s) => el("option", { value: `after:${s.id}`, text: t("After “{title}”", { title: s.title }) })));
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
  const submit = el("button", { type: "submit", class: "primary", id: "slot-add-submit", text: t("Add to the agenda") });
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
  const added = { title: payload.title, minutes: number(payload.minutes), at: number(at + 1), count: number(agenda.length) };
  announce(at >= 0 ? t("Added “{title}” ({minutes} min): {at} of {count}.", added) : t("Added “{title}” ({minutes} min).", added));
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
  const save = el("button", { type: "submit", class: "primary", text: t("Save") });
  const cancel = el("button", { type: "button", text: t("Cancel") });
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
    setText(form.elsewhere, t("Changed on another page since you started: saving replaces that change with yours."));
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
  const lengthened = "minutes" in change && row.state !== "planned" && row.state !== "ran";
  announce(lengthened
    ? t("Saved “{title}”. The countdown on every screen moved by {minutes} min.",
      { title: v.title, minutes: number(change.minutes - s.minutes) })
    : t("Saved “{title}”.", { title: v.title }));
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
    // The record of the day in the language this page speaks (CONTRACT §10).
    const path = button.dataset.lang ? `${button.dataset.path}?lang=${encodeURIComponent(lang)}` : button.dataset.path;
    const response = await fetch(path, {
      headers: { Authorization: `Bearer ${token}` }, cache: "no-store",
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      const error = new Error(body.error ?? "");
      error.status = response.status;
      throw error;
    }
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: filenameFrom(response, button.dataset.file), hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    setText($("export-done"), t("Downloaded {file} ({size} KB).",
      { file: label, size: number(Math.max(1, Math.round(blob.size / 1024))) }));
  } catch (error) {
    // The server's reason is English, for developers: said as it is in English only.
    setText($("export-error"), error instanceof TypeError || error.status == null
      ? t("Could not download {file}: the server did not answer.", { file: label })
      : lang === SOURCE && error.message
        ? t("Could not download {file}: {reason}.", { file: label, reason: error.message })
        : t("Could not download {file}: the server answered {status}.", { file: label, status: error.status }));
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

// -- health ---------------------------------------------------------------------------

/**
 * What the server says the organiser should know before the day (/healthz `notices`):
 * in English its own words; in another language what each means, where this page knows
 * the notice (the QR codes' address, plain http), else its words, marked as English.
 */
function noticeText(notice, baseUrl) {
  if (lang === SOURCE) return { text: notice.message };
  if (notice.code === "qr_loopback") {
    const host = notice.host ?? loopbackHost(baseUrl ?? "");
    return { text: t("QR codes point at {host}, this computer itself: phones cannot reach it. Connect to the venue network, or set TOWNHALL_BASE_URL to the address phones use (for example http://192.168.1.20:8000).", { host }) };
  }
  if (notice.code === "plain_http") {
    return { text: t("Plain http: phones will not keep the app for when the Wi-Fi drops (browsers allow that only over https). See docs/deploy.md to serve https.") };
  }
  return { text: notice.message, lang: "en" };
}

let shownNotices = "";
function renderNotices(h) {
  const notices = Array.isArray(h.notices) ? h.notices : [];
  const key = JSON.stringify([notices, h.base_url]);
  if (key === shownNotices) return;
  shownNotices = key;
  ltrText($("health-base"), h.base_url || location.origin);
  $("health-notices").replaceChildren(...notices.map((notice) => {
    const { text, lang: spoken } = noticeText(notice, h.base_url);
    return el("li", { text, ...(spoken ? { lang: spoken } : {}) });
  }));
  $("health-notices-box").hidden = notices.length === 0;
}

async function checkHealth() {
  const store = $("health-store");
  try {
    const response = await fetch("/healthz", { cache: "no-store" });
    const h = await response.json();
    store.dataset.state = h.status === "ok" ? "ok" : "down";
    setText(store, h.status === "ok" ? t("OK · {store}", { store: h.store }) : t("Not answering · {store}", { store: h.store }));
    setText($("health-connections"), number(h.connections));
    setText($("health-events"), number(h.last_seq));
    renderNotices(h);
  } catch {
    store.dataset.state = "down";
    setText(store, t("The server is not answering"));
  }
  setText($("health-checked"), clock(Date.now(), { seconds: true, zone: true }));
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
