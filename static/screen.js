// The plenary screen: a projector at the front of the hall, read from the back. No mouse,
// no keyboard: it connects, follows the day and recovers by itself. It renders the model
// that the shared client keeps; every change re-renders the page from the model.
//
// Nothing is ever dropped to make room. Each list (the presenting group's key points, the
// Board's responses, the wall of every group's key points, the join codes) is measured,
// set at the largest type size that keeps it on the fewest pages, and split into pages
// that turn every PAGE_MS with "page 2 of 3" beside it. No item is ever cut: a page holds
// whole items only.
//
// Its language (CONTRACT §10): `?lang=fr` in its link, else the browser's (screen-lang.js,
// imported first, before i18n.js chooses). When the organiser sets the assembly's
// `second_language`, the words around the day (the title, "Next:", the countdown's
// "Paused", "over", "Ended"…) show a second time, smaller, in that language (i18n-second.js).

import "/static/screen-lang.js";
import { applyDocument, assemblyTitle, formatDate, formatNumber, groupText, nt, t } from "/static/i18n.js";
import { nt2, second, t2, useSecond } from "/static/i18n-second.js";
import { createClient, describeStatus, secretFromPath } from "/static/client.js";
import { currentSlot, formatRemaining, groupKeypoints, nextSlot, pollLabels, remainingMs } from "/static/model.js";
import { el, withNodes } from "/static/dom.js";

applyDocument();
document.title = t("Plenary screen") + " · townhall";

const STANCE = { commit: () => t("Commitment"), consider: () => t("Under consideration"), decline: () => t("Declined") };
// A correction's outcome, as the phones name it.
const OUTCOME = { accepted: () => t("Accepted"), noted: () => t("Noted"), waiting: () => t("Waiting") };
const FRESH_MS = 10000;      // a newly published key point stays highlighted this long
const MAX_QR_GROUPS = 6;     // more groups than this: addresses only, no QR images
// How long a page stays up. Calm by default; `?page_ms=` lets a test turn pages faster.
const PAGE_MS = pageInterval(13000);
const FADE_MS = 350;         // the fade between two pages (screen.css .page-out)
// Text scales tried, largest first. The CSS floors them (max(2.6vh, …)), so the smallest
// never goes below the legible minimum.
const FITS = [1, 0.95, 0.9, 0.85, 0.8, 0.75];
const JOIN_FITS = [1, 0.9, 0.8, 0.7, 0.6];   // QR codes: 14vh down to 8.4vh
// Width of the key points column against the responses column, in the order tried.
const SPLITS = ["1.1fr", "1fr", "0.8fr", "0.65fr", "0.5fr", "1.4fr"];
const MIN_WALL_COLUMN_VH = 36;  // narrower wall columns would hold a handful of words a line
const SLACK_PX = 2;             // rounding between what we measure and what is drawn

const $ = (sel) => document.querySelector(sel);

function pageInterval(fallback) {
  const asked = Number(new URLSearchParams(location.search).get("page_ms"));
  return Number.isFinite(asked) && asked >= 500 ? asked : fallback;
}

const client = createClient({ token: secretFromPath() });
window.townhall = client;

// -- two languages: the screen's own, and the assembly's second one below it, smaller ----

/**
 * A label in the screen's language and, when the assembly has a second language (and it
 * says something else there), again below it in that one. `say` writes the label once for
 * both, as (t) => t("Paused"): it is called with the screen's t, then with the second
 * language's. `nodes` (optional) makes the values a message's {placeholders} stand for,
 * afresh for each line. Returns the nodes to append.
 */
function bilingual(say, { nodes = null, cls = "" } = {}) {
  const line = (text) => (nodes ? withNodes(text, nodes()) : [text]);
  const first = say(t, nt);
  const other = second() ? say(t2, nt2) : null;
  if (other == null || other === first) return line(first);
  const two = second();
  return [el("span", { class: `duo ${cls}`.trim() },
    el("span", { class: "l1" }, ...line(first)),
    el("span", { class: "l2", lang: two.lang, dir: two.dir }, ...line(other)))];
}

/** The assembly's title in the second language, where the organiser translated it. */
function secondTitle(m) {
  const two = second();
  return two ? m.assembly?.translations?.[two.lang]?.title || "" : "";
}

// The second language follows the assembly (the organiser may set it during the day).
let wantedSecond;
function followSecondLanguage(m) {
  const code = m.assembly?.second_language ?? null;
  if (code === wantedSecond) return;
  wantedSecond = code;
  useSecond(code).then(() => {
    if (wantedSecond !== code) return;
    document.body.dataset.second = second()?.lang ?? "";
    shown = null;
    scheduleRender();
  });
}

// -- the countdown: several times a second, from the model and the server clock ----------

const countdown = $("#countdown");
let shown = null;

function tick() {
  const m = client.model;
  if (!m) return;
  const timer = m.timer ?? { status: "idle" };
  const ms = remainingMs(timer, client.now());
  const state = timer.status === "paused" ? "paused" : timer.status === "running" ? "running" : "idle";
  // After agenda.ended nothing runs: say so, never a growing overrun.
  const ended = state === "idle" && timer.ended_slot_id != null;
  const text = state === "idle" || ms == null ? "" : formatRemaining(ms);
  const key = `${state}|${ended}|${text}`;
  if (key === shown) return;
  shown = key;

  const over = ms != null && ms < 0 && state !== "idle";
  countdown.classList.toggle("over", over);
  countdown.classList.toggle("paused", state === "paused");
  countdown.classList.toggle("idle", state === "idle");
  countdown.classList.toggle("long", text.replace(/ over$/, "").length > 5);
  countdown.dataset.state = over ? `${state} over` : ended ? "ended" : state;

  const parts = [];
  if (state === "idle") {
    parts.push(el("span", { class: "cd-word" }, ...(ended ? bilingual((t) => t("Ended")) : bilingual((t) => t("Not started")))));
  } else {
    if (state === "paused") parts.push(el("span", { class: "cd-paused" }, ...bilingual((t) => t("Paused"))), " ", el("span", { class: "cd-break" }));
    // The digits read left to right in every language; the words around them follow it.
    const digits = localDigits(over ? text.replace(/ over$/, "") : text);
    parts.push(el("span", { class: "cd-main" },
      el("span", { class: "cd-digits", dir: "ltr", text: digits }),
      over ? " " : null,
      over ? el("span", { class: "cd-over" }, ...bilingual((t) => t("over"))) : null));
  }
  countdown.replaceChildren(...parts);
  fitCountdown();
}

/** "12:05" in the screen's digits (Arabic's own, say), each part as long as it was. */
const localDigits = (text) => text.replace(/\d+/g, (d) => formatNumber(Number(d), { minimumIntegerDigits: d.length, useGrouping: false }));

/** The countdown keeps its full size unless it would not fit beside the slot title (over
 *  an hour, or paused in an overrun): then it narrows just enough. */
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

/** The slot title keeps to its lines (screen.css clamps them): a long one beside a wide
 *  countdown gets smaller, down to a floor, starting from the size the CSS gives it. */
function fitTitle() {
  const title = $("#slot-title");
  title.style.fontSize = "";
  const vh = window.innerHeight / 100;
  const floor = document.body.classList.contains("compact") ? 2.8 : 3.6;
  let size = parseFloat(getComputedStyle(title).fontSize) / vh;
  while (size > floor && title.scrollHeight > title.clientHeight + 1) {
    size = Math.max(floor, size - 0.4);
    title.style.fontSize = `${size.toFixed(1)}vh`;
  }
}

// -- header -------------------------------------------------------------------------------

let headerShown = null;
function renderHeader(m) {
  followSecondLanguage(m);
  const slot = currentSlot(m);
  // After agenda.ended the slot that ended stays named, with "Ended" beside it.
  const ended = slot ? null : m.agenda.find((s) => s.id === m.timer?.ended_slot_id) ?? null;
  const named = slot ?? ended;
  const title = assemblyTitle(m);
  const title2 = secondTitle(m);
  // What is left to run, not agenda order: slots are often taken out of order.
  const next = nextSlot(m);
  const first = !m.runs.length;
  const key = JSON.stringify([named?.title, title, title2, m.assembly?.date, next?.title, next?.minutes, first, second()?.lang]);
  if (key === headerShown) return;
  headerShown = key;
  const heading = named ? named.title : title || t("Plenary screen"); // (t() outside a template: extracted)
  document.title = `${heading} · townhall`;
  // The assembly's title in both languages (the second where the organiser translated it).
  const titleLines = () => (title2 && title2 !== title
    ? [el("span", { class: "duo" }, el("span", { class: "l1", text: title }),
      el("span", { class: "l2", lang: second().lang, dir: second().dir, text: title2 }))]
    : [title]);
  $("#assembly-title").replaceChildren(...(named ? titleLines() : [m.assembly?.date ? formatDate(m.assembly.date) : ""]));
  $("#slot-title").replaceChildren(...(named ? [named.title] : title ? titleLines() : bilingual((t) => t("Welcome"))));
  const nodes = () => ({ title: el("span", { dir: "auto", text: next.title }), minutes: formatNumber(next.minutes) });
  $("#slot-next").replaceChildren(...(!next ? []
    : first ? bilingual((t) => t("First: {title} ({minutes} min)"), { nodes })
      : bilingual((t) => t("Next: {title} ({minutes} min)"), { nodes })));
}

// -- items ------------------------------------------------------------------------------

// In the order the group's facilitator set (groupKeypoints), published ones only.
const publishedOf = (m, groupId) => groupKeypoints(m, groupId).filter((k) => k.published);

function keypointItem(k, number, now) {
  const li = el("li", { class: "keypoint", "data-keypoint-id": k.id, "data-key": `kp:${k.id}` },
    el("span", { class: "kp-num", text: formatNumber(number), "aria-hidden": "true" }),
    el("span", { class: "kp-text user-text", dir: "auto", text: k.text }));
  const age = now - (k.published_at ?? -Infinity);
  if (age >= 0 && age < FRESH_MS) {
    li.classList.add("fresh");
    // Resume the fade where it was, so a re-render does not restart it.
    li.style.animationDelay = `-${Math.round(age)}ms`;
  }
  return li;
}

const emptyItem = (key, text) => el("li", { class: "empty", "data-key": key, text });

/**
 * A Board response: its text, its reason, why it was withdrawn, and each correction are
 * separate paragraphs, so a long response continues on the next page between them,
 * never mid-sentence. Each carries the data-key the pager shows it by.
 */
function responseItem(r, corrections, checkback = null) {
  const stance = STANCE[r.stance] ? r.stance : "consider";
  const withdrawn = r.withdrawn ?? null;
  const key = `r:${r.id}`;
  const who = r.member ? el("span", { dir: "auto", text: r.member }) : null;
  const li = el("li", {
    class: `response stance-${stance}${withdrawn ? " withdrawn" : ""}`,
    "data-response-id": r.id, "data-stance": stance, "data-key": key,
  },
  // Shown in place of the text on a page that starts partway through the response.
  el("p", { class: "cont-label" }, ...withNodes(contLabel(stance, Boolean(withdrawn), Boolean(who)),
    { stance: STANCE[stance](), member: who })),
  el("div", { class: "response-main", "data-key": `${key}:text` },
    el("p", { class: "response-head" },
      el("span", { class: `stance ${stance}`, text: STANCE[stance]() }),
      withdrawn ? el("span", { class: "withdrawn-badge", text: t("Withdrawn") }) : null,
      r.member ? el("span", { class: "member", dir: "auto", text: r.member }) : null),
    el("p", { class: "response-text user-text", dir: "auto", text: r.text })),
  stance === "decline" && r.reason
    ? el("p", { class: "reason", "data-key": `${key}:reason` },
      ...withNodes(t("Reason: {reason}"), { reason: el("span", { class: "reason-text user-text", dir: "auto", text: r.reason }) },
        "reason-label"))
    : null,
  // §12: a withdrawn response stays on screen, marked, with why it was withdrawn.
  withdrawn
    ? el("p", { class: "withdrawn-note", "data-key": `${key}:withdrawn` },
      ...withNodes(t("Withdrawn: {reason}"),
        { reason: el("span", { class: "withdrawn-reason user-text", dir: "auto", text: withdrawn.reason ?? "" }) }, "withdrawn-label"))
    : null,
  // §9: what the group answered when asked whether this response reflects what it said.
  checkback ? checkbackItem(checkback, `${key}:checkback`) : null);
  if (corrections.length) {
    li.append(el("ul", { class: "corrections", "aria-label": t("Corrections") },
      ...corrections.map((c) => {
        const outcome = c.outcome ?? "waiting";
        return el("li", {
          class: `correction outcome-${outcome}`, "data-correction-id": c.id,
          "data-outcome": outcome, "data-key": `c:${c.id}`,
        },
        el("span", { class: "correction-label", text: t("Correction") }),
        el("span", { class: `outcome ${outcome}`, text: OUTCOME[outcome]?.() ?? outcome }),
        el("span", { class: "correction-text user-text", dir: "auto", text: c.text }));
      })));
  }
  return li;
}

/** The one line a response's continuation starts with, as a whole sentence. */
function contLabel(stance, withdrawn, named) {
  if (withdrawn) return named ? t("{stance} (withdrawn) — {member}, continued") : t("{stance} (withdrawn), continued");
  return named ? t("{stance} — {member}, continued") : t("{stance}, continued");
}

// -- measuring: what a list needs, as containers of items with their heights ------------
//
// A "flow" is what the pager packs: containers (a group's card, a Board response, or a
// plain list) holding items (key points, a response and its corrections, join codes),
// each with the height it takes. Heights come from the page as it is laid out now.
//   { gap, containers: [{ key, head, contHead, tail, items: [{ key, h, gap }] }] }
// head/tail: the container's own top and bottom (padding, card title); contHead: its top
// when it continues from an earlier column or page; item.gap: the space above an item
// that follows another one of the same container.

const rectOf = (node) => node.getBoundingClientRect();
const rowGap = (node) => parseFloat(getComputedStyle(node).rowGap) || 0;

/** A plain list: one container, its children the items. */
function listFlow(list) {
  const rects = [...list.children].map(rectOf);
  const items = [...list.children].map((li, i) => ({
    key: li.dataset.key, h: rects[i].height, gap: i ? rects[i].top - rects[i - 1].bottom : 0,
  }));
  return { gap: 0, containers: [{ key: "list", head: 0, contHead: 0, tail: 0, items }] };
}

/** Items inside one container element: its top and bottom, and each item's height. */
function containerOf(box, key, itemNodes) {
  const outer = rectOf(box);
  const rects = itemNodes.map(rectOf);
  const items = itemNodes.map((node, i) => ({
    key: node.dataset.key, h: rects[i].height, gap: i ? rects[i].top - rects[i - 1].bottom : 0,
  }));
  const head = rects[0].top - outer.top;
  return { key, head, contHead: head, tail: outer.bottom - rects[rects.length - 1].bottom, items };
}

/** The Board's responses: each response (its paragraphs, then each correction) is a
 *  container. */
function responseFlow(list) {
  const containers = [...list.children].map((li) => {
    if (!li.classList.contains("response")) return containerOf(li, li.dataset.key, [li]);
    const c = containerOf(li, li.dataset.key, [...li.querySelectorAll(":scope > [data-key], .corrections > li")]);
    // Continued on a new page, a response shows a one-line label (drawn aside while
    // measuring) in place of its text. What space its next part keeps above it depends
    // on which part that is: count the largest.
    const label = rectOf(li.querySelector(".cont-label")).height;
    c.contHead = c.head + label + Math.max(0, ...c.items.map((it) => it.gap));
    return c;
  });
  return { gap: rowGap(list), containers };
}

/** The wall: each group's card is a container of its key points. */
function cardFlow(column) {
  // A card continued from an earlier column says "continued" under its name.
  const note = column.querySelector(".cont-note");
  const extra = note ? rectOf(note).height : 0;
  const containers = [...column.children].map((card) => {
    const c = containerOf(card, card.dataset.key, [...card.querySelectorAll("ol > li")]);
    c.contHead = c.head + extra;
    return c;
  });
  return { gap: rowGap(column), containers };
}

// -- pagination: pure arithmetic on a flow ----------------------------------------------

const KEEP_WHOLE = 1 / 3;   // a container that fits a column moves whole past less room than this

const containerHeight = (c) => c.head + c.tail + c.items.reduce((s, it, i) => s + it.h + (i ? it.gap : 0), 0);

/**
 * Pack a flow into pages of `cols` columns of `budget` px. Items are never cut; a
 * container splits between items when it must (or when that saves a mostly empty
 * column). Each page: { columns: [[{ key, cont, items: [itemKey] }]], keys, over }, where
 * `over` says an item taller than a whole column had to stand alone.
 */
function paginate(flow, budget, cols) {
  const pages = [];
  let page = null;
  let column = null;
  let used = 0;
  const newColumn = () => {
    if (!page || page.columns.length === cols) {
      page = { columns: [], keys: [], over: false };
      pages.push(page);
    }
    column = [];
    page.columns.push(column);
    used = 0;
  };
  newColumn();
  for (const c of flow.containers) {
    const whole = containerHeight(c);
    const room = budget - used - (column.length ? flow.gap : 0);
    if (column.length && whole > room && whole <= budget && room < KEEP_WHOLE * budget) newColumn();
    let seg = null;
    c.items.forEach((it, i) => {
      const cost = () => (seg ? it.gap + it.h
        : (column.length ? flow.gap : 0) + (i === 0 ? c.head : c.contHead) + it.h + c.tail);
      if (used + cost() > budget + 0.5 && (seg || column.length)) { newColumn(); seg = null; }
      const add = cost();
      if (!seg) {
        seg = { key: c.key, cont: Boolean(c.cont) || i > 0, items: [] };
        column.push(seg);
      }
      seg.items.push(it.key);
      page.keys.push(it.key);
      used += add;
      if (used > budget + 0.5) page.over = true;
    });
  }
  return pages;
}

/** Fewer pages first; a page that still overflows counts as many. */
const pagesCost = (pages) => pages.length + (pages.some((p) => p.over) ? 1000 : 0);

/** The same number of pages, filled evenly: the smallest budget that needs no more. */
function balanced(flow, budget, cols) {
  const cost = pagesCost(paginate(flow, budget, cols));
  let lo = 0;
  let hi = budget;
  for (let i = 0; i < 14 && hi - lo > 1; i++) {
    const mid = (lo + hi) / 2;
    if (pagesCost(paginate(flow, mid, cols)) <= cost) hi = mid; else lo = mid;
  }
  return paginate(flow, hi, cols);
}

/** Of measured options [{fit, flow, budget, cols}], the one with the fewest pages, then
 *  the largest type; ties keep the earlier option. */
function bestOption(options) {
  let best = null;
  for (const o of options) {
    o.cost = pagesCost(paginate(o.flow, o.budget, o.cols));
    if (!best || o.cost < best.cost || (o.cost === best.cost && o.fit > best.fit)) best = o;
  }
  return best;
}

/** The part of a flow that holds `keys` (one page's items). */
function subflow(flow, keys) {
  const want = new Set(keys);
  const containers = flow.containers.flatMap((c) => {
    const items = c.items.filter((it) => want.has(it.key));
    if (!items.length) return [];
    const cont = Boolean(c.cont) || items[0] !== c.items[0];
    return [{ ...c, cont, head: cont ? c.contHead : c.head, items }];
  });
  return { gap: flow.gap, containers };
}

/**
 * Pages for the chosen option, evenly filled; then each page takes the largest type its
 * own items fit at (a page of short points need not stay at the size of a long one), so
 * no page keeps a large empty area while other items wait. Pages carry their `fit`.
 */
function planPages(options, chosen) {
  return balanced(chosen.flow, chosen.budget, chosen.cols).map((page) => {
    for (const o of options) {
      if (o.fit <= chosen.fit) break;
      const [alone, ...more] = paginate(subflow(o.flow, page.keys), o.budget, o.cols);
      if (!more.length && !alone.over) return { ...alone, fit: o.fit };
    }
    return { ...page, fit: chosen.fit };
  });
}

// -- pagers: which page of a list is up, turned by one calm clock -------------------------

const pagers = [];

/** What a pager says: which page of how many ({n}, {total}). */
const pageOfPages = (vars) => t("page {n} of {total}", vars);

/** A pager shows one page of a list at a time: `show(page)` draws it, `box` fades, and
 *  `fitBox` takes the page's type size. */
function createPager({ box, indicator, label = pageOfPages, show, active, fitBox = null }) {
  const p = { box, indicator, label, show, active, fitBox, pages: [], index: 0, held: false };
  pagers.push(p);
  return p;
}

const pageOf = (pages, key) => (key == null ? -1 : pages.findIndex((pg) => pg.keys.includes(key)));

/**
 * New pages for a pager. It stays on what is up now (the page holding the item shown
 * first), unless `jumpTo` names a new item: then it shows that one and holds it for an
 * extra turn. `reset` starts over (another group came into focus).
 */
function setPages(p, pages, { jumpTo = null, reset = false } = {}) {
  const anchor = reset ? null : p.pages[p.index]?.keys[0];
  p.pages = pages;
  if (reset) { p.index = 0; p.held = false; }
  const jump = pageOf(pages, jumpTo);
  const stay = pageOf(pages, anchor);
  if (jump >= 0) { p.index = jump; p.held = true; }
  else if (stay >= 0) p.index = stay;
  showPage(p);   // (clamps the index when the list got shorter)
}

function showPage(p) {
  const n = p.pages.length;
  p.index = Math.max(0, Math.min(p.index, n - 1));
  const page = p.pages[p.index];
  if (page?.fit != null && p.fitBox) p.fitBox.style.setProperty("--fit", String(page.fit));
  if (page) p.show(page);
  const ind = p.indicator;
  ind.hidden = n < 2;
  ind.textContent = n < 2 ? "" : p.label({ n: formatNumber(p.index + 1), total: formatNumber(n) });
  ind.dataset.page = String(p.index + 1);
  ind.dataset.pages = String(n);
}

const stillness = matchMedia("(prefers-reduced-motion: reduce)");

/** Fade out, show the next page, fade in (or just show it, where motion is unwelcome). */
function turnPage(p) {
  const next = () => {
    if (p.pages.length > 1) p.index = (p.index + 1) % p.pages.length;
    showPage(p);
    p.box.classList.remove("page-out");
  };
  if (stillness.matches) { next(); return; }
  p.box.classList.add("page-out");
  setTimeout(next, FADE_MS);
}

// One clock for every pager, so the screen changes in one calm step, not in several.
setInterval(() => {
  for (const p of pagers) {
    if (!p.active() || p.pages.length < 2) continue;
    if (p.held) p.held = false; else turnPage(p);
  }
}, PAGE_MS);

const focused = () => Boolean(client.model?.focus);

/** A group's name in the screen's language where the organiser translated it. */
const groupNameOf = (m, id) => groupText(m, m.groups.find((g) => g.id === id)) || id;
let polling = false;   // a poll holds the main area (render decides)

/** Show exactly the items of `page` among `list`'s (nested) items marked with data-key. */
function showKeys(list, page) {
  const keys = new Set(page.keys);
  for (const node of list.querySelectorAll("[data-key]")) {
    if (!node.classList.contains("response")) node.hidden = !keys.has(node.dataset.key);
  }
  // A response is up when any part of it is; starting partway, it says whose it is.
  const segs = new Map(page.columns.flat().map((s) => [s.key, s]));
  for (const li of list.querySelectorAll(":scope > li.response")) {
    const seg = segs.get(li.dataset.key);
    li.hidden = !seg;
    li.classList.toggle("cont", Boolean(seg?.cont));
    // An empty list of corrections would still keep its margin.
    const ul = li.querySelector(".corrections");
    if (ul) ul.hidden = ![...ul.children].some((c) => !c.hidden);
  }
}

// -- focus: one group fills the screen ----------------------------------------------------

const pointsPager = createPager({
  box: $("#focus-keypoints"), indicator: $("#points-pager"), active: () => focused() && !polling, fitBox: $(".focus-points"),
  show: (page) => showKeys($("#focus-keypoints"), page),
});
const boardPager = createPager({
  box: $("#focus-responses"), indicator: $("#board-pager"), active: () => focused() && !polling, fitBox: $(".focus-board"),
  show: (page) => showKeys($("#focus-responses"), page),
});

function focusResponses(m) {
  const corrections = [...m.corrections.values()].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  return [...m.responses.values()]
    .filter((r) => r.group_id === m.focus)
    .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))
    .map((r) => ({ r, corrections: corrections.filter((c) => c.response_id === r.id), checkback: checkbackOf(m, r.id) }));
}

/** A response's newest check-back poll, open or closed. */
const checkbackOf = (m, responseId) => [...m.polls.values()]
  .filter((p) => p.response_id === responseId).sort((a, b) => b.seq - a.seq)[0] ?? null;

function renderFocus(m, now) {
  $("#focus-group").textContent = groupNameOf(m, m.focus);
  const points = publishedOf(m, m.focus);
  $("#focus-keypoints").replaceChildren(...(points.length
    ? points.map((k, i) => keypointItem(k, i + 1, now))
    : [emptyItem("kp:none", t("The group’s key points appear here when they are published."))]));
  const responses = focusResponses(m);
  $("#focus-responses").replaceChildren(...(responses.length
    ? responses.map(({ r, corrections, checkback }) => responseItem(r, corrections, checkback))
    : [emptyItem("r:none", t("The Board’s response appears here when it is logged."))]));
}

/** A list with every item shown, none continued: the state that is measured. */
function unpage(list) {
  list.querySelectorAll("[hidden]").forEach((node) => { node.hidden = false; });
  list.querySelectorAll(".cont").forEach((node) => node.classList.remove("cont"));
}

/**
 * Choose the column split and each column's type size, then pages. Fewest pages first
 * (the longer column decides how long a full turn takes), then the larger type.
 */
function layoutFocus({ jumps = {}, reset = false } = {}) {
  const focus = $("#focus");
  const cols = [
    { section: $(".focus-points"), list: $("#focus-keypoints"), flowOf: listFlow, pager: pointsPager, jump: jumps.points },
    { section: $(".focus-board"), list: $("#focus-responses"), flowOf: responseFlow, pager: boardPager, jump: jumps.board },
  ];
  cols.forEach((c) => unpage(c.list));
  focus.classList.add("measuring");
  let best = null;
  for (const split of SPLITS) {
    focus.style.setProperty("--split", split);
    const options = cols.map(() => []);
    for (const fit of FITS) {
      cols.forEach((c) => c.section.style.setProperty("--fit", String(fit)));
      cols.forEach((c, i) => options[i].push({
        fit, cols: 1, flow: c.flowOf(c.list), budget: c.list.parentElement.clientHeight - SLACK_PX,
      }));
    }
    const chosen = options.map(bestOption);
    const score = [Math.max(...chosen.map((o) => o.cost)), chosen[0].cost + chosen[1].cost,
      -Math.min(...chosen.map((o) => o.fit))];
    if (!best || lexLess(score, best.score)) best = { split, options, chosen, score };
    if (chosen.every((o) => o.cost === 1 && o.fit === 1)) break;
  }
  focus.classList.remove("measuring");
  focus.style.setProperty("--split", best.split);
  cols.forEach((c, i) => {
    setPages(c.pager, planPages(best.options[i], best.chosen[i]), { jumpTo: c.jump, reset });
  });
}

const lexLess = (a, b) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
};

// -- overview: every group's key points, newspaper columns that page ------------------------

let wallGroups = [];   // [{ group, items: [{ key, k, number }] }] as last rendered

const wallPager = createPager({
  box: $("#all-keypoints"), indicator: $("#wall-pager"), fitBox: $("#all-keypoints"),
  label: (vars) => t("Key points: page {n} of {total}", vars),
  active: () => !focused() && !polling, show: (page) => drawWallPage(page),
});

function renderOverview(m) {
  wallGroups = (m.groups ?? []).map((group) => ({
    group,
    items: publishedOf(m, group.id).map((k, i) => ({ key: `kp:${k.id}`, k, number: i + 1 })),
  }));
}

/** One group's card, or the part of it (`keys`) that a column holds. */
function card({ group, items }, keys = null, cont = false) {
  const now = client.now();
  const shownItems = keys ? items.filter((it) => keys.includes(it.key)) : items;
  const list = el("ol", { class: "keypoints" },
    ...(items.length
      ? shownItems.map((it) => keypointItem(it.k, it.number, now))
      : [emptyItem(`none:${group.id}`, t("No key points yet"))]));
  return el("section", { class: `group${cont ? " cont" : ""}`, "data-group-id": group.id, "data-key": `g:${group.id}` },
    el("h2", { class: "group-name" },
      el("span", { dir: "auto", text: groupText(client.model, group) }),
      el("span", { class: "cont-note", text: t("continued") })),
    list);
}

function drawWallPage(page) {
  const wall = $("#all-keypoints");
  const byKey = new Map(wallGroups.map((g) => [`g:${g.group.id}`, g]));
  wall.replaceChildren(...page.columns.map((column) => el("div", { class: "wall-col" },
    ...column.map((seg) => card(byKey.get(seg.key), seg.items, seg.cont)))));
}

/** How many wall columns are worth trying: none narrower than MIN_WALL_COLUMN_VH. */
function wallColumns(wall) {
  const gap = parseFloat(getComputedStyle(wall).columnGap) || 0;
  const min = (window.innerHeight * MIN_WALL_COLUMN_VH) / 100;
  return Math.max(1, Math.min(4, Math.floor((wall.clientWidth + gap) / (min + gap))));
}

/**
 * Every card whole in one column, measured at each column count and type size; the
 * choice with the fewest pages, then the largest type, then fewer split cards, then
 * more columns (shorter lines) wins.
 */
function layoutWall({ jumpTo = null } = {}) {
  const wall = $("#all-keypoints");
  const column = el("div", { class: "wall-col" }, ...wallGroups.map((g) => card(g)));
  wall.replaceChildren(column);
  wall.classList.add("measuring");
  let best = null;
  for (let cols = wallColumns(wall); cols >= 1; cols--) {
    wall.style.setProperty("--cols", String(cols));
    const options = FITS.map((fit) => {
      wall.style.setProperty("--fit", String(fit));
      return { fit, cols, flow: cardFlow(column), budget: column.clientHeight - SLACK_PX };
    });
    const o = bestOption(options);
    const pages = planPages(options, o);
    const splits = pages.reduce((n, pg) => n + pg.columns.flat().filter((s) => s.cont).length, 0);
    const score = [o.cost, -o.fit, splits, -cols];
    if (!best || lexLess(score, best.score)) best = { score, o, pages };
  }
  wall.classList.remove("measuring");
  wall.style.setProperty("--cols", String(best.o.cols));
  setPages(wallPager, best.pages, { jumpTo });
}

// -- polls (CONTRACT §9): a hall poll, or the presenting group's check-back, takes the main
// area while it is open: the question, the number of voters and the results as large bars
// (option text, count and share; a ranking by points; a rating's five bars and mean). With
// `hide_results` only the number of voters shows until the close. Several open at once
// page, newest first. After the close the final results stay up for FINAL_MS, or until
// the lead changes the focus, starts a slot or opens another poll, whichever comes first
// (after a reload only the FINAL_MS clock applies). Results never show who voted.

const FINAL_MS = 3 * 60000;
const POLL_FITS = [1, 0.9, 0.8, 0.72, 0.66, 0.6, 0.55, 0.5];
const MIN_CHART_COLUMN_VH = 50;   // narrower columns would wrap a long option too often
const pollDismissed = new Set();  // closed polls whose final results have had their time
let pollTimer = null;

/** Polls the screen shows: the hall's, and a check-back of the group in focus. */
const onScreen = (m, p) => (p.group_id == null && !p.response_id)
  || (p.purpose === "checkback" && p.group_id != null && p.group_id === m.focus);

function pollsOnScreen(m, now) {
  const mine = [...m.polls.values()].filter((p) => onScreen(m, p));
  const open = mine.filter((p) => p.closed_at == null).sort((a, b) => b.seq - a.seq);
  if (open.length) return open;
  const last = mine.filter((p) => !pollDismissed.has(p.id) && now - p.closed_at < FINAL_MS)
    .sort((a, b) => b.closed_at - a.closed_at)[0];
  return last ? [last] : [];
}

// The lead moving on ends the final results' time on screen.
client.on("event", (e) => {
  if (!["plenary.focused", "agenda.started", "poll.opened"].includes(e.type) || !client.model) return;
  for (const p of client.model.polls.values()) if (p.closed_at != null) pollDismissed.add(p.id);
});

const resultsHidden = (poll) => Boolean(poll.hide_results) && poll.closed_at == null;
const votersText = (n) => (n ? nt("{n} voter", "{n} voters", n) : t("No votes yet"));
const percentText = (percent) => formatNumber(percent / 100, { style: "percent" });

/** A poll's answers as shown: a rating's numbers in the screen's digits. */
const labelsOf = (poll) => (poll.kind === "rating" ? pollLabels(poll).map((d) => formatNumber(Number(d))) : [...pollLabels(poll)]);

/** The bars of a poll, in the order shown: label, count, share of voters, bar length
 *  (a ranking by points, its bars against the top score). */
function chartRows(poll) {
  const r = poll.results ?? {};
  const voters = r.voters ?? 0;
  const labels = labelsOf(poll);
  if (poll.kind === "rating") {
    labels[0] = t("{n} (lowest)", { n: formatNumber(1) });
    labels[4] = t("{n} (highest)", { n: formatNumber(5) });
  }
  if (poll.kind === "rank") {
    const scores = r.scores ?? labels.map(() => 0);
    const top = Math.max(0, ...scores);
    const sorted = labels.map((label, i) => ({ label, i, score: scores[i] ?? 0 }))
      .sort((a, b) => b.score - a.score || a.i - b.i);
    // Equal points share a place: 1, 2, 2, 4.
    return sorted.map((x) => ({ label: x.label, place: 1 + sorted.filter((y) => y.score > x.score).length,
      score: x.score, lead: top > 0 && x.score === top, width: top ? (100 * x.score) / top : 0,
      value: nt("{n} point", "{n} points", x.score) }));
  }
  const counts = r.counts ?? labels.map(() => 0);
  const top = Math.max(0, ...counts);
  return labels.map((label, i) => {
    const count = counts[i] ?? 0;
    const percent = voters ? Math.round((100 * count) / voters) : 0;
    return { label, count, percent, lead: top > 0 && count === top, width: voters ? (100 * count) / voters : 0,
      value: `${formatNumber(count)} · ${percentText(percent)}` };
  });
}

function barFill(cls, width) {
  const fill = el("span", { class: cls, "aria-hidden": "true" });
  fill.style.width = `${width.toFixed(1)}%`;
  return fill;
}

/** Beside a Board response in focus: what its group answered to the check-back. */
function checkbackItem(poll, key) {
  const open = poll.closed_at == null;
  const box = el("div", { class: `checkback${open ? " open" : ""}`, "data-key": key, "data-poll-id": poll.id },
    el("p", { class: "cb-head" },
      el("span", { class: "cb-label", text: open ? t("Check-back · voting open") : t("Check-back · final result") }),
      el("span", { class: "cb-voters", text: votersText(poll.results?.voters ?? 0) })),
    el("p", { class: "cb-question", dir: "auto", text: poll.question }));
  if (resultsHidden(poll)) {
    box.append(el("p", { class: "cb-hidden", text: t("Results when the poll closes") }));
    return box;
  }
  box.append(el("ul", { class: "cb-results" }, ...chartRows(poll).map((row) => el("li", {
    class: `cb-row${row.lead ? " lead" : ""}`, "data-count": row.count ?? null, "data-percent": row.percent ?? null,
    "data-score": row.score ?? null,
  },
  el("span", { class: "cb-opt", dir: "auto", text: row.label }),
  el("span", { class: "cb-bar" }, barFill("cb-fill", row.width)),
  el("span", { class: "cb-value", text: row.value })))));
  return box;
}

const pollPager = createPager({
  box: $("#poll"), indicator: $("#poll-pager"), label: (vars) => t("Poll {n} of {total}", vars), active: () => polling,
  show: (page) => drawPoll(page.keys[0].slice("poll:".length)),
});

function layoutPolls(polls, reset) {
  const keys = polls.map((p) => `poll:${p.id}`);
  const fresh = arrived("polls", keys);   // newest first: a poll just opened is shown at once
  setPages(pollPager, keys.map((k) => ({ keys: [k], columns: [] })), { jumpTo: fresh[0] ?? null, reset });
}

function pollKicker(m, poll) {
  if (poll.purpose === "checkback") return t("Check-back · {group}", { group: groupNameOf(m, poll.group_id) });
  if (poll.purpose === "evaluation") return t("Evaluation");
  if (poll.kind === "multi") return t("Poll · choose any");
  if (poll.kind === "rank") return t("Ranking");
  if (poll.kind === "rating") return t("Rating, {low} to {high}", { low: formatNumber(1), high: formatNumber(5) });
  return t("Poll");
}

function drawPoll(id) {
  const m = client.model;
  const poll = m?.polls.get(id);
  if (!poll) return;
  const section = $("#poll");
  const open = poll.closed_at == null;
  const hidden = resultsHidden(poll);
  const r = poll.results ?? {};
  Object.assign(section.dataset, { pollId: id, kind: poll.kind, state: open ? "open" : "closed", hidden: String(hidden) });
  $("#poll-kicker").textContent = pollKicker(m, poll);
  $("#poll-question").textContent = poll.question;

  const response = poll.response_id ? m.responses.get(poll.response_id) : null;
  $("#poll-about").hidden = !response;
  if (response) {
    const stance = STANCE[response.stance] ? response.stance : "consider";
    $("#poll-about-stance").className = `stance ${stance}`;
    $("#poll-about-stance").textContent = STANCE[stance]();
    $("#poll-about-member").textContent = response.member ?? "";
    $("#poll-about-text").textContent = response.text;
  }

  const voters = r.voters ?? 0;
  // The number large, the word small: "{n}" stays a placeholder for the number's own span.
  $("#poll-voters").replaceChildren(...withNodes(nt("{n} voter", "{n} voters", voters, { n: "{n}" }),
    { n: el("span", { class: "n", dir: "ltr", text: formatNumber(voters) }) }, "w"));
  $("#poll-state").textContent = open ? t("Voting open") : t("Final results");

  const chart = $("#poll-chart");
  chart.className = `chart ${poll.kind}${hidden ? " bare" : ""}`;
  // While hidden: the options alone (a rating's numbers say nothing), no count anywhere.
  const rows = hidden
    ? (poll.kind === "rating" ? [] : labelsOf(poll).map((label) => ({ label })))
    : chartRows(poll);
  chart.replaceChildren(...rows.map((row) => el("li", {
    class: `poll-bar${row.lead ? " lead" : ""}`, "data-count": row.count ?? null, "data-percent": row.percent ?? null,
    "data-score": row.score ?? null,
  },
  row.value != null ? barFill("bar-fill", row.width) : null,
  row.place ? el("span", { class: "bar-place", text: formatNumber(row.place) }) : null,
  el("span", { class: "bar-label", dir: "auto", text: row.label }),
  row.value != null ? el("span", { class: "bar-value", text: row.value }) : null)));
  $("#poll-hidden").hidden = !hidden;

  const note = $("#poll-note");
  const n = pollLabels(poll).length;
  const said = hidden ? ""
    : poll.kind === "rating" ? (r.mean != null ? t("Average {mean} out of {max}", { mean: formatNumber(r.mean), max: formatNumber(5) }) : "")
      : poll.kind === "multi" ? t("People could choose more than one answer: shares are of the voters.")
        : poll.kind === "rank" ? t("Points: a first place earns {first}, a second {second}, and so on.",
          { first: formatNumber(n - 1), second: formatNumber(n - 2) }) : "";
  note.textContent = said;
  note.hidden = !said;
  note.classList.toggle("mean", poll.kind === "rating");
  fitPoll();
}

/** The largest type, then the fewest columns, that shows every bar and label whole. */
function fitPoll() {
  const section = $("#poll");
  const chart = $("#poll-chart");
  const wrap = chart.parentElement;
  const n = chart.children.length;
  const maxCols = Math.max(1, Math.min(3, n,
    Math.floor(wrap.clientWidth / ((window.innerHeight * MIN_CHART_COLUMN_VH) / 100))));
  const fits = () => wrap.scrollHeight <= wrap.clientHeight + 1 && section.scrollHeight <= section.clientHeight + 1
    && chart.scrollWidth <= chart.clientWidth + 1;
  const set = (fit, cols) => {
    section.style.setProperty("--fit", String(fit));
    chart.style.setProperty("--cols", String(cols));
    chart.style.setProperty("--rows", String(Math.max(1, Math.ceil(n / cols))));
    section.dataset.fit = String(fit);
    section.dataset.cols = String(cols);
  };
  for (const fit of POLL_FITS) {
    for (let cols = 1; cols <= maxCols; cols++) {
      set(fit, cols);
      if (fits()) return;
    }
  }
  set(POLL_FITS.at(-1), maxCols);
}

// -- join: how late arrivals get in ---------------------------------------------------------

const joinPager = createPager({
  box: $("#join-list"), indicator: $("#join-pager"),
  active: () => !focused() && !polling && !$("#join").hidden,
  show: (page) => showKeys($("#join-list"), page),
});

function renderJoin(m) {
  const groups = m.groups ?? [];
  const join = $("#join");
  const codes = groups.filter((g) => m.join?.[g.id]).map((g) => ({ group: g, code: m.join[g.id] }));
  join.hidden = codes.length === 0;
  $("#overview").classList.toggle("with-join", codes.length > 0);
  const withQr = codes.length <= MAX_QR_GROUPS;
  join.classList.toggle("with-qr", withQr);
  join.classList.toggle("stacked", withQr && codes.length <= 2);
  // An entry is rebuilt only when what it shows changes: a new <img> fetches its QR code
  // again (they are never cached: a replaced code must not linger), on every render.
  const list = $("#join-list");
  const kept = new Map([...list.children].map((li) => [li.dataset.signature, li]));
  const items = codes.map(({ group, code }) => {
    const signature = JSON.stringify([withQr, m.baseUrl, group.id, code, groupText(m, group)]);
    const old = kept.get(signature);
    if (old) return old;
    const path = `/j/${encodeURIComponent(code)}`;
    return el("li", { class: "join-item", "data-group-id": group.id, "data-key": `j:${group.id}`, "data-signature": signature },
      withQr ? el("img", { src: `${path}/qr.svg`, alt: t("QR code to join {group}", { group: groupText(m, group) }), width: 200, height: 200 }) : null,
      el("div", { class: "join-text" },
        el("p", { class: "join-name", dir: "auto", text: groupText(m, group) }),
        el("p", { class: "join-url", dir: "ltr", text: m.baseUrl + path })));
  });
  if (items.length !== list.children.length || items.some((li, i) => list.children[i] !== li)) list.replaceChildren(...items);
}

/** The largest codes that keep the list on the fewest pages. Measured with every entry
 *  shown: a list measured while a page hides some would always seem to fit. */
function layoutJoin() {
  const join = $("#join");
  const list = $("#join-list");
  if (join.hidden) { setPages(joinPager, []); return; }
  unpage(list);
  const o = bestOption(JOIN_FITS.map((fit) => {
    join.style.setProperty("--fit", String(fit));
    return { fit, cols: 1, flow: listFlow(list), budget: list.clientHeight - SLACK_PX };
  }));
  join.style.setProperty("--fit", String(o.fit));
  setPages(joinPager, balanced(o.flow, o.budget, 1));
}

// -- render ---------------------------------------------------------------------------------

let renderTimer = null;
let freshTimer = null;
let view = null;       // the group in focus, or "" for the overview, as last rendered
let known = {};        // list name -> the item keys it showed last time

/** Keys in `keys` that were not there last time (none on the first look). */
function arrived(name, keys) {
  const before = known[name];
  known[name] = new Set(keys);
  return before ? keys.filter((k) => !before.has(k)) : [];
}

function render() {
  renderTimer = null;
  const m = client.model;
  if (!m) return;
  const now = client.now();
  const polls = pollsOnScreen(m, now);
  polling = polls.length > 0;
  const isFocused = Boolean(m.focus);
  document.body.classList.toggle("focused", isFocused && !polling);
  document.body.classList.toggle("polling", polling);
  // In a plenary the hall reads the groups' points: the header keeps to one row (the
  // countdown as large as ever), as while a group presents.
  document.body.classList.toggle("compact", isFocused || polling || currentSlot(m)?.kind === "plenary");
  renderHeader(m);
  $("#poll").hidden = !polling;
  $("#focus").hidden = !isFocused || polling;
  $("#overview").hidden = isFocused || polling;
  shown = null;
  tick();

  const started = performance.now();
  const viewKey = polling ? "poll" : m.focus ?? "";
  const reset = view !== viewKey;
  if (reset) known = {};
  view = viewKey;
  // Final results leave the screen when their time is up.
  clearTimeout(pollTimer);
  const closing = polls.length === 1 && polls[0].closed_at != null ? polls[0] : null;
  if (closing) pollTimer = setTimeout(scheduleRender, FINAL_MS - (now - closing.closed_at) + 50);
  if (polling) {
    // The poll holds the main area: the lists under it keep nothing and do not page.
    $("#focus-keypoints").replaceChildren();
    $("#focus-responses").replaceChildren();
    $("#all-keypoints").replaceChildren();
    [pointsPager, boardPager, wallPager, joinPager].forEach((p) => setPages(p, []));
    renderJoin(m);
    layoutPolls(polls, reset);
    sizes = sizeKey();
    performance.measure("screen-layout", { start: started });
    return;
  }
  setPages(pollPager, []);
  // Every box first, then measure: the join panel, for one, narrows the wall. The view
  // that is not shown keeps nothing (no withdrawn or unpublished text lingers in it).
  if (isFocused) {
    renderFocus(m, now);
    $("#all-keypoints").replaceChildren();
    setPages(wallPager, []);
  } else {
    renderOverview(m);
    $("#focus-keypoints").replaceChildren();
    $("#focus-responses").replaceChildren();
  }
  renderJoin(m);
  if (isFocused) {
    const keys = (list) => [...list.querySelectorAll("[data-key]")].map((n) => n.dataset.key);
    const jumps = {
      points: arrived("points", keys($("#focus-keypoints"))).at(-1),
      board: arrived("board", keys($("#focus-responses"))).at(-1),
    };
    layoutFocus({ jumps, reset });
  } else {
    const keys = wallGroups.flatMap((g) => g.items.map((it) => it.key));
    // The newest published point, wherever it sits, is the one to show.
    const fresh = arrived("wall", keys);
    const newest = fresh.map((k) => m.keypoints.get(k.slice(3)))
      .sort((a, b) => (a?.published_at ?? 0) - (b?.published_at ?? 0)).at(-1);
    layoutWall({ jumpTo: newest ? `kp:${newest.id}` : null });
    layoutJoin();
  }
  sizes = sizeKey();
  // What measuring and paging cost, for bench/ (performance.getEntriesByName).
  performance.measure("screen-layout", { start: started });

  // Re-render when the newest highlight runs out, so it does not linger.
  clearTimeout(freshTimer);
  const fresh = [...m.keypoints.values()]
    .map((k) => FRESH_MS - (now - (k.published_at ?? -Infinity)))
    .filter((left) => left > 0);
  if (fresh.length) freshTimer = setTimeout(scheduleRender, Math.min(...fresh) + 50);
}

/** Lay out again at the current sizes; the model has not changed. */
function relayout() {
  if (!client.model) return;
  const started = performance.now();
  if (polling) showPage(pollPager);
  else if (focused()) layoutFocus();
  else {
    layoutWall();
    layoutJoin();
  }
  sizes = sizeKey();
  performance.measure("screen-layout", { start: started });
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


// -- any box that gives the lists their room changed size: lay out again -----------------
// (The header grows when "Paused" appears, the title wraps, the window resizes…)

const watched = ["header.bar", "#main", "#focus-group", "#focus-points-title", "#focus-board-title",
  "#all-keypoints", "#join-title", "#join-list", "#poll"].map((sel) => $(sel));
const sizeKey = () => watched.map((n) => `${n.clientWidth}x${n.clientHeight}`).join(" ");
let sizes = "";
let relayoutFrame = null;
const observer = new ResizeObserver(() => {
  // Our own layout changes none of these sizes once it is done; compare to stop loops.
  if (relayoutFrame != null || sizeKey() === sizes) return;
  relayoutFrame = requestAnimationFrame(() => {
    relayoutFrame = null;
    if (sizeKey() !== sizes) relayout();
  });
});
watched.forEach((n) => observer.observe(n));

// -- start: the device's last view at once (if it kept one), then the live day --------------
// (After everything above is defined: a kept view makes the first tick lay out at once.)

client.on("change", scheduleRender);
client.on("status", renderStatus);
renderStatus(client.status);
client.start();
// A countdown that changes the header's height ("Paused", an overrun) lays out again
// before the frame is drawn, not a frame later.
client.everySecond(() => {
  tick();
  if (client.model && sizeKey() !== sizes) relayout();
});

let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(fitCountdown, 100);
});

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
