// The plenary screen: a projector at the front of the hall, read from the back. No mouse,
// no keyboard: it connects, follows the day and recovers by itself. It only renders the
// model that the shared client keeps; every change re-renders the page from scratch.

import { createClient, describeStatus, secretFromPath } from "/static/client.js";
import { currentSlot, formatRemaining, groupKeypoints, groupName, remainingMs } from "/static/model.js";
import { el } from "/static/dom.js";

const STANCE = { commit: "Commitment", consider: "Under consideration", decline: "Declined" };
const FRESH_MS = 10000;      // a newly published key point stays highlighted this long
const MAX_QR_GROUPS = 6;     // more groups than this: addresses only, no QR images
const MIN_FIT = 0.75;        // never shrink text below 3/4 of its size (still ≥ 2.6vh)

const $ = (sel) => document.querySelector(sel);


const client = createClient({ token: secretFromPath() });
window.townhall = client;

// -- the countdown: several times a second, from the model and the server clock ----------

const countdown = $("#countdown");
let shown = null;

function tick() {
  const m = client.model;
  if (!m) return;
  const timer = m.timer ?? { status: "idle" };
  const ms = remainingMs(timer, client.now());
  const state = timer.status === "paused" ? "paused" : timer.status === "running" ? "running" : "idle";
  const text = state === "idle" || ms == null ? "" : formatRemaining(ms);
  const key = `${state}|${text}`;
  if (key === shown) return;
  shown = key;

  const over = ms != null && ms < 0 && state !== "idle";
  countdown.classList.toggle("over", over);
  countdown.classList.toggle("paused", state === "paused");
  countdown.classList.toggle("idle", state === "idle");
  countdown.classList.toggle("long", text.replace(/ over$/, "").length > 5);
  countdown.dataset.state = over ? `${state} over` : state;

  const parts = [];
  if (state === "idle") {
    parts.push(el("span", { class: "cd-word", text: "Not started" }));
  } else {
    if (state === "paused") parts.push(el("span", { class: "cd-paused", text: "Paused" }), " ", el("span", { class: "cd-break" }));
    const digits = over ? text.replace(/ over$/, "") : text;
    parts.push(el("span", { class: "cd-main" },
      el("span", { class: "cd-digits", text: digits }),
      over ? " " : null,
      over ? el("span", { class: "cd-over", text: "over" }) : null));
  }
  countdown.replaceChildren(...parts);
  fitCountdown();
}

/** The countdown keeps its full size (≈19vh digits) unless it would not fit beside the
 *  slot title (over an hour, or paused in an overrun): then it narrows just enough. */
function fitCountdown() {
  countdown.style.fontSize = "";
  // The page's width less its side padding (2 × 2.4vw), the title's 28vw and the gap.
  const room = window.innerWidth * (1 - 0.048 - 0.28 - 0.03);
  const wide = countdown.scrollWidth;
  if (wide > room && room > 0) {
    const size = parseFloat(getComputedStyle(countdown).fontSize);
    countdown.style.fontSize = `${Math.floor(size * (room / wide))}px`;
  }
  fitTitle();
}

/** The slot title keeps to three lines: a long one beside a wide countdown gets smaller. */
function fitTitle() {
  const title = $("#slot-title");
  title.style.fontSize = "";
  for (let vh = 5.2; vh >= 3.6 && title.scrollHeight > title.clientHeight + 1; vh -= 0.4) {
    title.style.fontSize = `${vh.toFixed(1)}vh`;
  }
}

// -- header -------------------------------------------------------------------------------

function renderHeader(m) {
  const slot = currentSlot(m);
  const title = m.assembly?.title ?? "";
  document.title = `${slot ? slot.title : title || "Plenary screen"} · townhall`;
  $("#assembly-title").textContent = slot ? title : (m.assembly?.date ? formatDate(m.assembly.date) : "");
  $("#slot-title").textContent = slot ? slot.title : title || "Welcome";
  const idx = slot ? m.agenda.indexOf(slot) : -1;
  const next = slot ? m.agenda[idx + 1] : m.agenda[0];
  $("#slot-next").textContent = next ? `${slot ? "Next" : "First"}: ${next.title} (${next.minutes} min)` : "";
}

function formatDate(iso) {
  const d = new Date(`${iso}T12:00:00`);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric" });
}

// -- key points ---------------------------------------------------------------------------

// In the order the group's facilitator set (groupKeypoints), published ones only.
const publishedOf = (m, groupId) => groupKeypoints(m, groupId).filter((k) => k.published);

function keypointItem(k, number, now) {
  const li = el("li", { class: "keypoint", "data-keypoint-id": k.id },
    el("span", { class: "kp-num", text: String(number), "aria-hidden": "true" }),
    el("span", { class: "kp-text user-text", text: k.text }));
  const age = now - (k.published_at ?? -Infinity);
  if (age >= 0 && age < FRESH_MS) {
    li.classList.add("fresh");
    // Resume the fade where it was, so a re-render does not restart it.
    li.style.animationDelay = `-${Math.round(age)}ms`;
  }
  return li;
}

function keypointList(m, groupId, list, now) {
  const items = publishedOf(m, groupId);
  list.replaceChildren(...items.map((k, i) => keypointItem(k, i + 1, now)));
  list.dataset.count = String(items.length);
  return items;
}

// -- focus: one group fills the screen ----------------------------------------------------

function renderFocus(m, now) {
  $("#focus-group").textContent = groupName(m, m.focus);
  const list = $("#focus-keypoints");
  const items = keypointList(m, m.focus, list, now);
  if (!items.length) {
    list.append(el("li", { class: "empty", text: "The group’s key points appear here when they are published." }));
  }

  const responses = [...m.responses.values()]
    .filter((r) => r.group_id === m.focus)
    .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  const corrections = [...m.corrections.values()].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  const ul = $("#focus-responses");
  ul.replaceChildren(...responses.map((r) => responseItem(r, corrections.filter((c) => c.response_id === r.id))));
  if (!responses.length) {
    ul.append(el("li", { class: "empty", text: "The Board’s response appears here when it is logged." }));
  }
}

function responseItem(r, corrections) {
  const stance = STANCE[r.stance] ? r.stance : "consider";
  const li = el("li", { class: `response stance-${stance}`, "data-response-id": r.id, "data-stance": stance },
    el("p", { class: "response-head" },
      el("span", { class: `stance ${stance}`, text: STANCE[stance] }),
      r.member ? el("span", { class: "member", text: r.member }) : null),
    el("p", { class: "response-text user-text", text: r.text }));
  if (stance === "decline" && r.reason) {
    li.append(el("p", { class: "reason" },
      el("span", { class: "reason-label", text: "Reason: " }),
      el("span", { class: "user-text", text: r.reason })));
  }
  if (corrections.length) {
    li.append(el("ul", { class: "corrections", "aria-label": "Corrections" },
      ...corrections.map((c) => {
        const outcome = c.outcome ?? "waiting";
        return el("li", { class: `correction outcome-${outcome}`, "data-correction-id": c.id, "data-outcome": outcome },
          el("span", { class: "correction-label", text: "Correction" }),
          el("span", { class: `outcome ${outcome}`, text: outcome }),
          el("span", { class: "correction-text user-text", text: c.text }));
      })));
  }
  return li;
}

// -- overview: every group's key points, and how to join ----------------------------------

function renderOverview(m, now) {
  const wall = $("#all-keypoints");
  const groups = m.groups ?? [];
  wall.dataset.groups = String(groups.length);
  wall.classList.toggle("many", groups.length > MAX_QR_GROUPS);
  const layout = wallLayout(groups.length);
  wall.style.setProperty("--cols", String(layout.columns));
  wall.replaceChildren(...groups.map((g, i) => {
    const list = el("ol", { class: "keypoints" });
    const items = keypointList(m, g.id, list, now);
    if (!items.length) list.append(el("li", { class: "empty", text: "No key points yet" }));
    const section = el("section", { class: "group", "data-group-id": g.id },
      el("h2", { class: "group-name" }, el("span", { text: g.name }), el("span", { class: "earlier" })),
      el("div", { class: "clip" }, list));
    section.style.gridColumn = `span ${layout.span(i)}`;
    return section;
  }));

  const join = $("#join");
  const codes = groups.filter((g) => m.join?.[g.id]).map((g) => ({ group: g, code: m.join[g.id] }));
  join.hidden = codes.length === 0;
  $("#overview").classList.toggle("with-join", codes.length > 0);
  const withQr = codes.length <= MAX_QR_GROUPS;
  join.classList.toggle("with-qr", withQr);
  join.classList.toggle("stacked", withQr && codes.length <= 2);
  $("#join-list").replaceChildren(...codes.map(({ group, code }) => {
    const path = `/j/${encodeURIComponent(code)}`;
    return el("li", { class: "join-item", "data-group-id": group.id },
      withQr ? el("img", { src: `${path}/qr.svg`, alt: `QR code to join ${group.name}`, width: 200, height: 200 }) : null,
      el("div", { class: "join-text" },
        el("p", { class: "join-name", text: group.name }),
        el("p", { class: "join-url", text: m.baseUrl + path })));
  }));
}

/** Columns for n groups; the last row's blocks widen to fill it (5 groups: 3 + 2). */
function wallLayout(n) {
  const cols = n <= 1 ? 1 : n <= 4 ? 2 : n <= 6 ? 3 : 4;
  const last = n % cols || cols;
  const gcd = (a, b) => (b ? gcd(b, a % b) : a);
  const columns = (cols * last) / gcd(cols, last); // a grid both row widths divide
  const fullRows = n - last;
  return { columns, span: (i) => (i < fullRows ? columns / cols : columns / last) };
}

// -- fitting: shrink a region's text until it fits; past that, show the newest items ------

const overflows = (box) => box.scrollHeight > box.clientHeight + 1;

/** Lower `--fit` on `root` from 1 towards `min` while any of `boxes` overflows;
 *  the largest fit that works, or 0 when even `min` does not. */
function shrink(root, boxes, min = MIN_FIT) {
  let f = 1;
  root.style.setProperty("--fit", "1");
  while (f > min && boxes.some(overflows)) {
    f = Math.max(min, Math.round((f - 0.05) * 100) / 100);
    root.style.setProperty("--fit", String(f));
  }
  return boxes.some(overflows) ? 0 : f;
}

// Width of the key points column against the responses column, in the order tried.
const SPLITS = ["1.1fr", "1fr", "0.8fr", "0.65fr", "0.5fr", "1.4fr"];

const itemsOf = (box) => [...box.querySelectorAll(":scope > ol > li, :scope > ul > li")];

function keepAll(box) {
  itemsOf(box).forEach((li) => { li.hidden = false; });
  const note = box.parentElement.querySelector(".earlier");
  if (note) note.textContent = "";
  box.classList.remove("cut");
}

/** Hide the oldest items of an overflowing list box until the rest fits; say how many. */
function keepNewest(box) {
  const items = itemsOf(box);
  const note = box.parentElement.querySelector(".earlier");
  keepAll(box);
  let hidden = 0;
  while (overflows(box) && hidden < items.length - 1) {
    items[hidden++].hidden = true;
    if (note) note.textContent = `(+${hidden} earlier)`;
  }
  box.classList.toggle("cut", overflows(box));
}

function fitAll() {
  const m = client.model;
  if (!m) return;
  if (m.focus) {
    // Key points | responses: give the fuller side more width before shrinking text.
    const focus = $("#focus");
    const boxes = [...focus.querySelectorAll(".clip")];
    boxes.forEach(keepAll);
    // Score: the text size when it fits; when nothing fits, how little is left over.
    let best = { score: -Infinity, split: SPLITS[0] };
    for (const split of SPLITS) {
      focus.style.setProperty("--split", split);
      const f = shrink(focus, boxes);
      const score = f || -Math.max(...boxes.map((b) => b.scrollHeight / Math.max(1, b.clientHeight)));
      if (score > best.score) best = { score, split };
      if (f === 1) break;
    }
    focus.style.setProperty("--split", best.split);
    if (!shrink(focus, boxes)) boxes.forEach(keepNewest);
    return;
  }
  // The wall: rows grow with their content while it all fits; when it does not, the
  // blocks get equal shares and each shows its newest key points.
  const wall = $("#all-keypoints");
  wall.querySelectorAll(".clip").forEach(keepAll);
  wall.classList.remove("tight");
  if (!shrink(wall, [wall])) {
    wall.classList.add("tight");
    const boxes = [...wall.querySelectorAll(".clip")];
    if (!shrink(wall, boxes)) boxes.forEach(keepNewest);
  }
  if (!$("#join").hidden && !shrink($("#join"), [$("#join-list")], 0.4)) paginateJoin();
  else joinPages = [];
  showJoinPage();
}

// -- join pages: a list that does not fit even with small codes shows a page at a time ---

const JOIN_PAGE_MS = 15000;
let joinPages = [];   // lists of item indexes; empty when everything fits
let joinPage = 0;

function paginateJoin() {
  const list = $("#join-list");
  const items = [...list.children];
  items.forEach((li) => { li.hidden = false; });
  const room = list.clientHeight;
  const top = (li) => li.getBoundingClientRect().top;
  const bottom = (li) => li.getBoundingClientRect().bottom;
  joinPages = [];
  let start = 0;
  while (start < items.length) {
    let end = start + 1;   // at least one item a page, however tall
    while (end < items.length && bottom(items[end]) - top(items[start]) <= room) end++;
    joinPages.push(items.slice(start, end).map((_, i) => start + i));
    start = end;
  }
  joinPage %= joinPages.length;
}

function showJoinPage() {
  const items = [...$("#join-list").children];
  const note = $("#join-page");
  if (joinPages.length < 2) {
    items.forEach((li) => { li.hidden = false; });
    note.textContent = "";
    return;
  }
  const shownNow = new Set(joinPages[joinPage]);
  items.forEach((li, i) => { li.hidden = !shownNow.has(i); });
  note.textContent = `(${joinPage + 1} of ${joinPages.length})`;
}

setInterval(() => {
  if (joinPages.length < 2) return;
  joinPage = (joinPage + 1) % joinPages.length;
  showJoinPage();
}, JOIN_PAGE_MS);

// -- render -------------------------------------------------------------------------------

let renderTimer = null;
let freshTimer = null;

function render() {
  renderTimer = null;
  const m = client.model;
  if (!m) return;
  const now = client.now();
  renderHeader(m);
  const focused = Boolean(m.focus);
  document.body.classList.toggle("focused", focused);
  $("#focus").hidden = !focused;
  $("#overview").hidden = focused;
  if (focused) renderFocus(m, now); else renderOverview(m, now);
  shown = null;
  tick();
  fitAll();

  // Re-render when the newest highlight runs out, so it does not linger.
  clearTimeout(freshTimer);
  const fresh = [...m.keypoints.values()]
    .map((k) => FRESH_MS - (now - (k.published_at ?? -Infinity)))
    .filter((left) => left > 0);
  if (fresh.length) freshTimer = setTimeout(scheduleRender, Math.min(...fresh) + 50);
}

function scheduleRender() {
  if (renderTimer == null) renderTimer = setTimeout(render, 0);
}

function renderStatus(status) {
  const node = $("#status");
  node.dataset.state = status.state;
  node.textContent = describeStatus(status);
  document.body.dataset.connection = status.state;
}

client.on("change", scheduleRender);
client.on("status", renderStatus);
renderStatus(client.status);
client.start();
client.everySecond(tick);

// A new window size, or a header that grew or shrank with the countdown: fit again.
let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(fitCountdown, 100);
});
let mainHeight = 0;
new ResizeObserver(([entry]) => {
  const h = Math.round(entry.contentRect.height);
  if (h !== mainHeight) { mainHeight = h; fitAll(); }
}).observe($("#main"));

// -- no mouse: hide the pointer when it is still; keep the display awake if allowed ------

let cursorTimer = null;
document.addEventListener("mousemove", () => {
  document.body.classList.remove("hide-cursor");
  clearTimeout(cursorTimer);
  cursorTimer = setTimeout(() => document.body.classList.add("hide-cursor"), 3000);
});

async function keepAwake() {
  try {
    if (document.visibilityState === "visible" && navigator.wakeLock) await navigator.wakeLock.request("screen");
  } catch { /* not allowed here (plain http, or the browser declines): nothing to do */ }
}
document.addEventListener("visibilitychange", keepAwake);
keepAwake();
