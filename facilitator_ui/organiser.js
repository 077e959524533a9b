// The organiser's console: every link of the day with a Copy button, each group's join
// QR code (and replacing a join code that went astray), downloads of the record of the
// day, and the server's health. Links come from the organiser's `welcome` (`links`), new
// join codes from the `join` message; nothing user-written goes in as HTML.

import { createClient, describeStatus, secretFromPath } from "/static/client.js";
import { el } from "/static/dom.js";

const $ = (id) => document.getElementById(id);
const HEALTH_EVERY_MS = 10000;
const STAFF = [
  ["organiser", "Organiser link", "This page. Keep it to yourself: it can do everything."],
  ["lead", "Lead facilitator link", "Runs the agenda, timers and plenary focus."],
  ["board", "Board link", "The Board member's tablet: logs responses, resolves corrections."],
  ["screen", "Plenary screen link", "Open it on the computer behind the projector."],
];

const setText = (node, text) => { if (node.textContent !== text) node.textContent = text; };
const capitalise = (t) => (t ? t[0].toUpperCase() + t.slice(1) : t);
const clock = (ts) => new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
/** Links are relative ("/lead/…") when the server has no base URL: make them whole. */
const absolute = (url) => (url && url.startsWith("/") ? location.origin + url : url);

const token = secretFromPath();
const client = createClient({ token });
window.townhall = client;

let links = null;      // the welcome's `links`: {organiser, lead, board, screen, facilitators, join}
let joinCodes = {};    // group id -> current join code
const renewed = new Set(); // groups whose code was replaced while this page was open

// Registered before start(): the welcome can arrive before the client reports "connected".
client.socket.on("welcome", (w) => {
  links = w.links ?? null;
  joinCodes = { ...(w.join ?? {}) };
  scheduleRender();
  checkHealth(); // now counting this page's own connection
});
client.socket.on("join", (codes) => {
  for (const [gid, code] of Object.entries(codes ?? {})) {
    if (joinCodes[gid] && joinCodes[gid] !== code) renewed.add(gid);
    joinCodes[gid] = code;
  }
  scheduleRender();
});

client.on("change", scheduleRender);
client.on("status", (status) => {
  const line = $("status");
  line.dataset.state = status.state;
  setText(line, capitalise(describeStatus(status)));
});

$("qr-sheet-link").href = `/organiser/${encodeURIComponent(token)}/qr-sheet`;

// -- links and copying ----------------------------------------------------------------

/** The join URL for a group's current code, on the same base as the server's links. */
function joinUrl(gid) {
  const code = joinCodes[gid];
  if (!code) return "";
  const known = absolute(links?.join?.[gid]);
  const base = known ? known.slice(0, known.lastIndexOf("/j/")) : location.origin;
  return `${base}/j/${code}`;
}

let copyCount = 0;
function linkRow(id, label, hint, spoken = label.toLowerCase()) {
  const input = el("input", { type: "text", id, readOnly: true, class: "link-input", spellcheck: false,
    "aria-describedby": hint ? `${id}-hint` : null });
  input.addEventListener("focus", () => input.select());
  const button = el("button", { type: "button", class: "copy", text: "Copy", "aria-label": `Copy the ${spoken}` });
  button.addEventListener("click", () => copy(input, button, spoken));
  return el("div", { class: "link-row" },
    el("label", { for: id, text: label }),
    hint ? el("p", { class: "hint", id: `${id}-hint`, text: hint }) : null,
    el("div", { class: "link-field" }, input, button));
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

// -- rendering ------------------------------------------------------------------------

let frame = 0;
function scheduleRender() {
  if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(); });
}

function setValue(input, value) { if (input.value !== value) input.value = value; }

function render() {
  const m = client.model;
  if (m?.assembly) {
    setText($("assembly-title"), m.assembly.title);
    document.title = `Organiser · ${m.assembly.title} · townhall`;
  }
  renderStaff();
  renderGroups(m);
}

function renderStaff() {
  const list = $("staff-links");
  if (!list.children.length) {
    for (const [role, label, hint] of STAFF) list.append(el("li", { "data-role": role }, linkRow(`link-${role}`, label, hint)));
  }
  for (const [role] of STAFF) setValue($(`link-${role}`), absolute(links?.[role]) ?? "");
}

const cards = new Map(); // group id -> {li, ...parts}

function renderGroups(m) {
  const groups = m?.groups ?? [];
  const list = $("group-cards");
  for (const g of groups) {
    let card = cards.get(g.id);
    if (!card) {
      card = buildCard(g);
      cards.set(g.id, card);
      list.append(card.li);
    }
    setText(card.name, g.name);
    setText(card.joined, typeof g.joined === "number" ? `${g.joined} joined` : "");
    const code = joinCodes[g.id] ?? "";
    setValue(card.join, joinUrl(g.id));
    setValue(card.facilitator, absolute(links?.facilitators?.[g.id]) ?? "");
    if (card.code !== code) {
      card.code = code;
      card.qr.hidden = !code;
      if (code) {
        card.qr.src = `/j/${encodeURIComponent(code)}/qr.svg`;
        card.qr.dataset.code = code;
      }
    }
    card.renewed.hidden = !renewed.has(g.id);
    card.li.dataset.code = code;
  }
  for (const [gid, card] of cards) {
    if (!groups.some((g) => g.id === gid)) { card.li.remove(); cards.delete(gid); }
  }
}

function buildCard(g) {
  const li = el("li", { class: "group-card card", "data-group": g.id });
  const name = el("h3", { class: "group-name", id: `group-${g.id}-name` });
  const joined = el("p", { class: "joined" });
  const qr = el("img", { class: "qr", alt: `QR code to join ${g.name}`, width: 176, height: 176, hidden: true });
  const renewedNote = el("p", { class: "renewed", text: "New code: print this QR code again.", hidden: true });
  const rotate = el("button", { type: "button", class: "rotate", text: "New join code…",
    "aria-describedby": `group-${g.id}-name` });
  rotate.addEventListener("click", () => askRotate(g.id));
  const joinRow = linkRow(`join-${g.id}`, "Join link", "What the QR code opens: for participants at this table.",
    `join link for ${g.name}`);
  const facRow = linkRow(`facilitator-${g.id}`, "Facilitator link", null, `facilitator link for ${g.name}`);
  li.append(
    el("div", { class: "card-head" }, name, joined),
    el("div", { class: "card-body" },
      el("div", { class: "qr-box" }, qr, renewedNote),
      el("div", { class: "card-links" }, joinRow, rotate, facRow)));
  return { li, name, joined, qr, renewed: renewedNote,
    join: joinRow.querySelector("input"), facilitator: facRow.querySelector("input"), code: null };
}

// -- rotating a join code ---------------------------------------------------------------

const dialog = $("rotate-dialog");
let rotating = null;

function askRotate(gid) {
  rotating = gid;
  const name = client.model?.groups.find((g) => g.id === gid)?.name ?? gid;
  setText($("rotate-title"), `New join code for ${name}?`);
  setText($("rotate-group"), name);
  setText($("rotate-error"), "");
  setText($("rotate-done"), "");
  dialog.returnValue = "";
  dialog.showModal();
  $("rotate-cancel").focus();
}

dialog.addEventListener("close", async () => {
  const gid = rotating;
  rotating = null;
  const opener = cards.get(gid)?.li.querySelector("button.rotate");
  if (dialog.returnValue !== "confirm" || !gid) { opener?.focus(); return; }
  const name = client.model?.groups.find((g) => g.id === gid)?.name ?? gid;
  if (opener) opener.disabled = true;
  const ack = await client.send("joincode.rotate", { group_id: gid });
  if (opener) { opener.disabled = false; opener.focus(); }
  if (!ack.ok) {
    setText($("rotate-error"), `The join code for ${name} was not replaced: ${capitalise(ack.error?.message ?? "")}`);
    return;
  }
  renewed.add(gid);
  setText($("rotate-done"), `${name} has a new join code. The old one no longer works: print the new QR code.`);
  scheduleRender();
});

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

checkHealth();
setInterval(checkHealth, HEALTH_EVERY_MS);
render();
client.start();
