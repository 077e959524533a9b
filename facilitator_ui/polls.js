// Polls (CONTRACT §9) on the staff consoles: a composer that opens a poll once per
// intent, a list of polls with their live and final results and a Close button, the
// check-back of a Board response shown beside it, and the end-of-day evaluation. The
// pages (facilitator, lead, Board, organiser) own where these go; everything here
// renders from client.model, keeps its own busy state so a control stays busy across
// re-renders, and shows each error next to the control it is about, until it is no
// longer true. People's text goes in with textContent and dir="auto".

import { errorText, formatNumber, nt, t } from "/static/i18n.js";
import { uuid } from "/static/client.js";
import { groupKeypoints, pollLabels } from "/static/model.js";
import { el } from "/static/dom.js";
import {
  capitalise, clockTime, confirmAction, createIntent, focusFirst, groupLabel as groupName, isInert, reconcile, setInert,
  setText, toast, withNodes,
} from "/console/console-common.js";

export const LIMITS = { question: 300, option: 1000, minOptions: 2, maxOptions: 12 };

/** The kinds of poll, their names and what they ask, in the visitor's language. */
export const KINDS = [
  { value: "choice", get label() { return t("Single choice"); }, get hint() { return t("Each person picks one option."); } },
  { value: "multi", get label() { return t("Several choices"); }, get hint() { return t("Each person picks every option they agree with."); } },
  { value: "rating", get label() { return t("Rating 1–5"); },
    get hint() { return t("Each person answers from 1 (lowest) to 5 (highest): say in the question what 1 and 5 mean."); } },
  { value: "rank", get label() { return t("Ranking"); },
    get hint() { return t("Each person puts the options in order; the results add up the places (a Borda count)."); } },
];
const kindLabel = (kind) => KINDS.find((k) => k.value === kind)?.label ?? kind;

/**
 * The end-of-day evaluation: three anonymous ratings, opened together for the hall. The
 * questions go out in the language of the console that opens them (the hall's, as a rule).
 */
export const EVALUATION = [
  () => t("How fair was the process today? (1 = not fair at all, 5 = completely fair)"),
  () => t("How well were you heard today, in your group and in the plenary? (1 = not at all, 5 = fully)"),
  () => t("How well was the day run: the timing, the facilitation and the organisation? (1 = very badly, 5 = very well)"),
];

// The question a build from key points suggests, when none is written yet (editable).
const BUILT_QUESTION = {
  choice: () => t("Which of these matters most to you?"),
  multi: () => t("Which of these do you agree with? Pick as many as you like."),
  rank: () => t("Which of these matter most? Put them in order, the most important first."),
};

const OFFLINE = new Set(["offline", "timeout", "unavailable"]);
/** Characters as the server counts them (code points, not UTF-16 units). */
const chars = (s) => [...s].length;
export const votersText = (n) => (n ? nt("{n} voter", "{n} voters", n) : t("No votes yet"));
export const isOpen = (poll) => poll.closed_at == null;
/** Does this page run `poll` (state.py's runs_poll)? They see hidden results as they come. */
export const runsPoll = (m, poll) => m.role === "lead" || m.role === "organiser"
  || (m.role === "facilitator" && poll.group_id != null && m.groupId === poll.group_id);
/**
 * Results this page may not see yet: hidden until the close from those who do not run
 * the poll (a poll just opened holds zeros in the model until the server says more).
 */
export const resultsHidden = (m, poll) => {
  const r = poll.results ?? {};
  if (!("counts" in r) && !("scores" in r)) return true;
  return Boolean(poll.hide_results) && isOpen(poll) && !runsPoll(m, poll);
};

/** A response's newest check-back poll, open or closed; null when it was never checked. */
export const checkbackOf = (m, responseId) => {
  let best = null;
  for (const p of m.polls.values()) if (p.response_id === responseId && (!best || p.seq > best.seq)) best = p;
  return best;
};

/** Published key points of one group (in its order), or of every group (hall), in order. */
export function publishedKeypoints(m, groupId) {
  const groups = groupId ? [groupId] : m.groups.map((g) => g.id);
  return groups.flatMap((gid) => groupKeypoints(m, gid).filter((k) => k.published)
    .map((k) => ({ id: k.id, text: k.text, group_id: gid })));
}

/** "Hall poll · Ranking", "Access to services · Single choice", "Check-back · Access…". */
export function pollKicker(m, poll) {
  if (poll.purpose === "checkback") return t("Check-back · {group}", { group: groupName(m, poll.group_id) });
  if (poll.purpose === "evaluation") return t("End-of-day evaluation · Rating 1–5");
  const who = poll.group_id ? groupName(m, poll.group_id) : t("Whole hall");
  return t("{who} · {kind}", { who, kind: kindLabel(poll.kind) });
}

// -- sending: once per intent, busy while its answer is awaited ----------------------------------

/**
 * send(key, name, payload) -> the ack, or null when a write with the same key is still
 * waiting for its answer (a second tap). send.busy(key) says so; `changed` is called
 * whenever that may have changed, so the page redraws the control as busy or not.
 */
export function createPollSender(client, changed = () => {}) {
  const busy = new Set();
  async function send(key, name, payload) {
    if (busy.has(key)) return null;
    busy.add(key);
    changed();
    const ack = await sendOne(client, name, payload);
    busy.delete(key);
    changed();
    return ack;
  }
  send.busy = (key) => busy.has(key);
  /** Hold `key` busy while `fn` sends several commands (a set of polls): null when busy. */
  send.hold = async (key, fn) => {
    if (busy.has(key)) return null;
    busy.add(key);
    changed();
    try {
      return await fn();
    } finally {
      busy.delete(key);
      changed();
    }
  };
  return send;
}

/** client.send that always answers an ack, whatever went wrong. */
async function sendOne(client, name, payload) {
  try {
    return (await client.send(name, payload)) ?? { ok: false, error: { code: "client", message: "" } };
  } catch (err) {
    return { ok: false, error: { code: "client", message: String(err?.message ?? err) } };
  }
}

/** The words for a refusal: the server's own, or what to do when not connected. */
function explain(error) {
  const code = error?.code;
  if (code === "offline") return t("Not connected: try again when the status says Connected.");
  if (code === "timeout") return t("No answer from the server, so it may not have happened: check and try again (it will not happen twice).");
  return capitalise(errorText(error)) || t("That did not work: try again.");
}

/**
 * Error paragraphs next to their controls: show(node, message, {field, offline}) marks
 * `field` invalid; clear(node). A message that says the connection is down goes by
 * itself once it is back.
 */
const offlineErrors = new WeakMap(); // client -> error nodes that say the connection is down

function createErrors(client) {
  let offline = offlineErrors.get(client);
  if (!offline) {
    // One listener per page, however many controls have an error paragraph.
    offline = new Set();
    offlineErrors.set(client, offline);
    client.on("status", (s) => {
      if (s.state !== "connected") return;
      for (const node of [...offline]) {
        offline.delete(node);
        if (node.isConnected) clearNode(node);
      }
    });
  }
  function clearNode(node) {
    setText(node, "");
    node._field?.removeAttribute("aria-invalid");
    node._field = null;
  }
  function show(node, message, { field = null, code = null } = {}) {
    setText(node, message);
    if (node._field && node._field !== field) node._field.removeAttribute("aria-invalid");
    node._field = field;
    field?.setAttribute("aria-invalid", "true");
    if (OFFLINE.has(code)) offline.add(node); else offline.delete(node);
  }
  function clear(node) {
    if (!node) return;
    clearNode(node);
    offline.delete(node);
  }
  return { show, clear };
}

/** Wait until the page has drawn what `ready(model)` describes, then run `fn` (once). */
function createAfterRender() {
  let waiting = [];
  return {
    after(ready, fn, ms = 5000) { waiting.push({ ready, fn, until: Date.now() + ms }); },
    run(m) {
      if (!waiting.length) return;
      const due = waiting;
      waiting = [];
      for (const w of due) {
        if (w.ready(m)) w.fn();
        else if (Date.now() < w.until) waiting.push(w);
      }
    },
  };
}

// -- results ------------------------------------------------------------------------------------

/**
 * The rows of a poll's results in the order shown: {index, label, value, width, top,
 * count|score, percent|place}. A ranking is ordered by its Borda score (bars against the
 * top score); choices and ratings keep their order (bars against the voters).
 */
export function resultRows(poll) {
  const r = poll.results ?? {};
  const voters = r.voters ?? 0;
  const labels = [...pollLabels(poll)];
  if (poll.kind === "rating") {
    for (let i = 0; i < labels.length; i++) labels[i] = formatNumber(i + 1);
    labels[0] = t("{n} (lowest)", { n: formatNumber(1) });
    labels[4] = t("{n} (highest)", { n: formatNumber(5) });
  }
  if (poll.kind === "rank") {
    const scores = r.scores ?? labels.map(() => 0);
    const top = Math.max(0, ...scores);
    const rows = labels.map((label, index) => ({ label, index, score: scores[index] ?? 0 }))
      .sort((a, b) => b.score - a.score || a.index - b.index);
    // Places once there are points to order by; equal points share a place: 1, 2, 2, 4.
    return rows.map((x) => ({
      ...x, place: top > 0 ? 1 + rows.filter((y) => y.score > x.score).length : null, top: top > 0 && x.score === top,
      width: top ? (100 * x.score) / top : 0, value: nt("{n} point", "{n} points", x.score),
    }));
  }
  const counts = r.counts ?? labels.map(() => 0);
  const top = Math.max(0, ...counts);
  return labels.map((label, index) => {
    const count = counts[index] ?? 0;
    const percent = voters ? Math.round((100 * count) / voters) : 0;
    return { label, index, count, percent, top: top > 0 && count === top,
      width: voters ? (100 * count) / voters : 0,
      value: nt("{n} vote · {percent}", "{n} votes · {percent}", count, { percent: formatNumber(percent / 100, { style: "percent" }) }) };
  });
}

/** Fill `box` with the chart of `poll` (redrawn only when the results changed). */
export function drawResults(box, poll, m, { compact = false } = {}) {
  const hidden = resultsHidden(m, poll);
  const sig = JSON.stringify([poll.kind, poll.options, poll.results, isOpen(poll), hidden]);
  if (box._sig === sig) return;
  box._sig = sig;
  const r = poll.results ?? {};
  if (hidden) {
    box.replaceChildren(el("p", { class: "poll-hidden-note",
      text: isOpen(poll) ? t("The results stay hidden until the poll closes.") : t("No results.") }));
    return;
  }
  const rows = resultRows(poll);
  const list = el(poll.kind === "rank" ? "ol" : "ul", { class: `poll-bars${compact ? " compact" : ""}` },
    ...rows.map((row) => el("li", {
      class: `poll-row${row.top ? " top" : ""}`, "data-option": row.index,
      "data-count": row.count ?? null, "data-percent": row.percent ?? null,
      "data-score": row.score ?? null, "data-place": row.place ?? null,
    },
    el("span", { class: "poll-opt" },
      row.place ? el("span", { class: "poll-place", text: t("{n}.", { n: formatNumber(row.place) }) }) : null,
      el("span", { class: "poll-opt-text user-text", dir: "auto", text: row.label })),
    el("span", { class: "poll-track", "aria-hidden": "true" }, barFill(row.width)),
    el("span", { class: "poll-num", dir: "auto", text: row.value }))));
  const notes = [];
  if (poll.kind === "rating") {
    notes.push(el("p", { class: "poll-mean" }, r.mean == null ? t("Mean: no votes yet")
      : t("Mean {mean} out of {max}", { mean: formatNumber(r.mean), max: formatNumber(5) })));
  } else if (poll.kind === "rank" && !compact) {
    const n = poll.options.length;
    notes.push(el("p", { class: "poll-note hint",
      text: t("Ordered by points: first place on a ballot gets {first}, second {second}, and so on; an option left out gets none.",
        { first: formatNumber(n - 1), second: formatNumber(n - 2) }) }));
  } else if (poll.kind === "multi" && !compact) {
    notes.push(el("p", { class: "poll-note hint", text: t("People may pick several, so the shares add up to more than 100%.") }));
  }
  box.replaceChildren(list, ...notes);
}

/** A textarea as tall as its text (a key point of 140 characters shows whole). */
function fit(area) {
  if (!area.isConnected || !area.getClientRects().length) return;
  area.style.height = "auto";
  const border = area.offsetHeight - area.clientHeight;
  area.style.height = `${area.scrollHeight + border}px`;
}

function barFill(width) {
  const fill = el("span", { class: "poll-fill" });
  fill.style.width = `${Math.max(0, Math.min(100, width)).toFixed(1)}%`;
  return fill;
}

// -- the composer --------------------------------------------------------------------------------

/**
 * A form that opens a poll. audiences(m) lists who may vote: [{value: "" for the whole
 * hall or a group id, label}]; with one choice it is said, not asked. notify(message)
 * says a poll opened (a toast by default). onOpened(pollId) runs once it is drawn.
 */
export function createPollComposer(client, { id, send, changed = () => {}, audiences, notify = toast, onOpened = null, title = t("New poll") }) {
  const errors = createErrors(client);
  const intent = createIntent();
  const ids = (what) => `${id}-${what}`;
  let rowSeq = 0;
  const st = {
    kind: "choice",
    rows: [newRow(), newRow()],
    picker: null, // {audience, items: [{id, text, group_id}], picked: Set} after a build
    checked: false, // a submit was refused here: check every field as it is edited
  };
  function newRow(text = "", kp = null) { return { key: `r${++rowSeq}`, text, kp }; }
  const sendKey = `open:${id}`;

  // Disclosure: "New poll" opens the form.
  const toggle = el("button", { type: "button", class: "poll-new", id: ids("toggle"), "aria-expanded": "false",
    "aria-controls": ids("form"), text: t("{title}…", { title }) });
  const question = el("textarea", { id: ids("question"), class: "poll-question-input", dir: "auto", rows: 2,
    maxLength: LIMITS.question * 2, "aria-describedby": `${ids("question-count")} ${ids("question-error")}` });
  const questionCount = el("p", { class: "poll-count", id: ids("question-count") });
  const questionError = el("p", { class: "poll-error", id: ids("question-error"), role: "alert" });

  const kindHint = el("p", { class: "hint", id: ids("kind-hint") });
  const kindBox = el("div", { class: "poll-kind-options" });
  for (const k of KINDS) {
    const input = el("input", { type: "radio", name: ids("kind"), id: ids(`kind-${k.value}`), value: k.value });
    input.checked = k.value === st.kind;
    input.addEventListener("change", () => { if (input.checked) setKind(k.value); });
    kindBox.append(input, el("label", { for: input.id, class: "poll-kind", text: k.label }));
  }
  const kinds = el("fieldset", { class: "poll-kinds", "aria-describedby": ids("kind-hint") },
    el("legend", { text: t("Kind of poll") }), kindBox, kindHint);

  const audienceSelect = el("select", { id: ids("audience"), dir: "auto" });
  const audienceFixed = el("p", { class: "poll-audience-fixed", hidden: true });
  const audienceField = el("div", { class: "poll-field poll-audience" },
    el("label", { for: ids("audience"), id: ids("audience-label"), text: t("Who votes") }), audienceSelect, audienceFixed);

  // Options, with "Build from key points" and, when there are more than 12, a choice of which.
  const build = el("button", { type: "button", class: "poll-build", id: ids("build"), text: t("Build from key points"),
    "aria-describedby": ids("build-hint") });
  const buildHint = el("p", { class: "hint", id: ids("build-hint") });
  const pickList = el("ul", { class: "poll-pick-list" });
  const pickHint = el("p", { class: "hint", id: ids("pick-hint") });
  const pickError = el("p", { class: "poll-error", id: ids("pick-error"), role: "alert" });
  const picker = el("fieldset", { class: "poll-pick", id: ids("pick"), hidden: true, "aria-describedby": `${ids("pick-hint")} ${ids("pick-error")}` },
    el("legend", { text: t("Key points in the poll (at most {max})", { max: formatNumber(LIMITS.maxOptions) }) }), pickHint, pickList, pickError);
  const rowsList = el("ol", { class: "poll-option-rows", id: ids("options") });
  const add = el("button", { type: "button", class: "poll-add-option", id: ids("add"), text: t("Add an option") });
  const optionsError = el("p", { class: "poll-error", id: ids("options-error"), role: "alert" });
  const optionsBox = el("fieldset", { class: "poll-options", "aria-describedby": ids("options-error") },
    el("legend", { text: t("Options ({min} to {max})", { min: formatNumber(LIMITS.minOptions), max: formatNumber(LIMITS.maxOptions) }) }),
    el("div", { class: "poll-build-row" }, build, buildHint),
    picker, rowsList, add, optionsError);
  const ratingNote = el("p", { class: "poll-rating-note hint", hidden: true,
    text: t("A rating has no options: each person answers from 1 (lowest) to 5 (highest).") });

  const anonymous = el("input", { type: "checkbox", id: ids("anonymous"), "aria-describedby": ids("anonymous-hint") });
  anonymous.checked = true;
  const anonymousHint = el("p", { class: "hint", id: ids("anonymous-hint") });
  const hide = el("input", { type: "checkbox", id: ids("hide"), "aria-describedby": ids("hide-hint") });
  const hideHint = el("p", { class: "hint", id: ids("hide-hint"),
    text: t("Phones and the projector show only how many have voted until you close it; you see the results here as they come.") });
  const checks = el("div", { class: "poll-checks" },
    el("div", { class: "poll-check" }, anonymous, el("label", { for: anonymous.id, text: t("Anonymous") }), anonymousHint),
    el("div", { class: "poll-check" }, hide, el("label", { for: hide.id, text: t("Hide results until the poll closes") }), hideHint));

  const submit = el("button", { type: "submit", class: "primary poll-open", id: ids("open"), text: t("Open the poll") });
  const cancel = el("button", { type: "button", class: "poll-cancel", text: t("Cancel") });
  const formError = el("p", { class: "poll-error poll-form-error", id: ids("error"), role: "alert" });
  const form = el("form", { class: "poll-form card", id: ids("form"), hidden: true, noValidate: true, "aria-label": title },
    el("div", { class: "poll-field" },
      el("label", { for: question.id, text: t("Question") }), question, questionCount, questionError),
    kinds, audienceField, optionsBox, ratingNote, checks, formError,
    el("div", { class: "form-actions" }, cancel, submit));
  const root = el("div", { class: "poll-composer" }, toggle, form);

  // -- behaviour ----------------------------------------------------------------------------

  function setOpen(open) {
    form.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.hidden = open;
    if (open) {
      draw();
      for (const area of form.querySelectorAll("textarea")) fit(area);
      question.focus();
    } else {
      focusFirst(toggle);
    }
  }
  toggle.addEventListener("click", () => setOpen(true));
  cancel.addEventListener("click", () => setOpen(false));
  form.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !document.querySelector("dialog[open]")) { e.preventDefault(); setOpen(false); }
  });

  function setKind(kind) {
    st.kind = kind;
    for (const input of kindBox.querySelectorAll("input")) input.checked = input.value === kind;
    edited();
    draw();
  }

  const audience = () => (audienceSelect.hidden ? audienceFixed.dataset.value ?? "" : audienceSelect.value);
  audienceSelect.addEventListener("change", () => {
    // A choice of key points was for the audience it was built for.
    if (st.picker && st.picker.audience !== audience()) st.picker = null;
    errors.clear(pickError);
    edited();
    draw();
  });

  question.addEventListener("input", () => { updateCount(); fit(question); edited(); });
  anonymous.addEventListener("change", () => { drawChecks(); edited(); });
  hide.addEventListener("change", edited);

  function updateCount() {
    const n = chars(question.value.trim());
    setText(questionCount, `${formatNumber(n)} / ${formatNumber(LIMITS.question)}`);
    questionCount.classList.toggle("over", n > LIMITS.question);
  }

  function drawChecks() {
    setText(anonymousHint, anonymous.checked
      ? t("No one, not even you, can see who voted what.")
      : t("Each vote is kept in the record of the day with the voter's name (never shown on a screen)."));
  }

  /** Something in the form changed: a refusal of the old content is no longer true. */
  function edited() {
    errors.clear(formError);
    if (st.checked) validate(false);
  }

  add.addEventListener("click", () => {
    if (isInert(add)) return;
    const row = newRow();
    st.rows.push(row);
    edited();
    drawRows();
    focusFirst(rowNode(row.key)?._refs.area);
  });

  function removeRow(key) {
    const i = st.rows.findIndex((r) => r.key === key);
    if (i < 0 || st.rows.length <= LIMITS.minOptions) return;
    const [row] = st.rows.splice(i, 1);
    if (row.kp && st.picker) st.picker.picked.delete(row.kp);
    edited();
    draw();
    const next = st.rows[i] ?? st.rows[i - 1];
    focusFirst(rowNode(next?.key)?._refs.area, add);
  }

  const rowNode = (key) => [...rowsList.children].find((li) => li.dataset.key === key) ?? null;

  function createRow(row) {
    const area = el("textarea", { id: ids(`opt-${row.key}`), class: "poll-option-text", rows: 2, dir: "auto",
      maxLength: LIMITS.option * 2, "aria-describedby": ids(`opt-${row.key}-error`) });
    area.value = row.text;
    area.addEventListener("input", () => { row.text = area.value; fit(area); edited(); });
    const label = el("label", { for: area.id, class: "poll-option-label" });
    const remove = el("button", { type: "button", class: "small quiet poll-option-remove", text: t("Remove") });
    remove.addEventListener("click", () => { if (!isInert(remove)) removeRow(row.key); });
    const error = el("p", { class: "poll-error", id: ids(`opt-${row.key}-error`), role: "alert" });
    const li = el("li", { class: "poll-option" }, label, el("div", { class: "poll-option-line" }, area, remove), error);
    li._refs = { area, label, remove, error };
    return li;
  }

  function drawRows() {
    const n = st.rows.length;
    const created = reconcile(rowsList, st.rows, (r) => r.key, createRow, (li, row) => {
      const i = st.rows.indexOf(row);
      const r = li._refs;
      setText(r.label, t("Option {n}", { n: formatNumber(i + 1) }));
      r.remove.setAttribute("aria-label", t("Remove option {n}", { n: formatNumber(i + 1) }));
      setInert(r.remove, n <= LIMITS.minOptions);
      if (r.area.value !== row.text) {
        r.area.value = row.text;
        fit(r.area);
      }
    });
    for (const li of created) fit(li._refs.area);
    setInert(add, n >= LIMITS.maxOptions);
    setText(add, n >= LIMITS.maxOptions ? t("{n} options: the most a poll takes", { n: formatNumber(LIMITS.maxOptions) }) : t("Add an option"));
  }

  // -- building from key points --------------------------------------------------------------

  build.addEventListener("click", () => {
    const m = client.model;
    if (!m || isInert(build)) return;
    const items = publishedKeypoints(m, audience() || null);
    if (!items.length) return;
    st.picker = { audience: audience(), items, picked: new Set(items.slice(0, LIMITS.maxOptions).map((k) => k.id)) };
    errors.clear(pickError);
    fillFromPicked();
    if (!question.value.trim() && BUILT_QUESTION[st.kind]) {
      question.value = BUILT_QUESTION[st.kind]();
      updateCount();
    }
    edited();
    draw();
    fit(question);
  });

  /** The option rows become the ticked key points, in their order (rows kept as edited). */
  function fillFromPicked() {
    const { items, picked } = st.picker;
    const old = new Map(st.rows.filter((r) => r.kp).map((r) => [r.kp, r]));
    const rows = items.filter((k) => picked.has(k.id)).map((k) => old.get(k.id) ?? newRow(k.text, k.id));
    while (rows.length < LIMITS.minOptions) rows.push(newRow());
    st.rows = rows;
  }

  function drawPicker(m) {
    const p = st.picker;
    const show = Boolean(p && p.items.length > LIMITS.maxOptions);
    picker.hidden = !show;
    if (!show) return;
    setText(pickHint, t("{n} key points are published; a poll takes at most {max}. {ticked} ticked: untick some to tick others.",
      { n: formatNumber(p.items.length), max: formatNumber(LIMITS.maxOptions), ticked: formatNumber(p.picked.size) }));
    const hall = !p.audience;
    reconcile(pickList, p.items, (k) => k.id, (k) => {
      const box = el("input", { type: "checkbox", id: ids(`pick-${k.id}`), "data-keypoint-id": k.id });
      box.addEventListener("change", () => pick(k.id, box));
      return el("li", { class: "poll-pick-item" }, box,
        el("label", { for: box.id }, hall ? el("span", { class: "poll-pick-group", dir: "auto" }) : null,
          el("span", { class: "user-text", dir: "auto", text: k.text })));
    }, (li, k) => {
      const box = li.querySelector("input");
      if (box.checked !== p.picked.has(k.id)) box.checked = p.picked.has(k.id);
      const g = li.querySelector(".poll-pick-group");
      if (g) setText(g, t("{group}:", { group: groupName(m, k.group_id) }) + " ");
    });
  }

  function pick(kpId, box) {
    const p = st.picker;
    if (!p) return;
    if (box.checked && p.picked.size >= LIMITS.maxOptions) {
      box.checked = false;
      errors.show(pickError, t("A poll takes at most {max} options: untick one first.", { max: formatNumber(LIMITS.maxOptions) }));
      return;
    }
    if (box.checked) p.picked.add(kpId); else p.picked.delete(kpId);
    errors.clear(pickError); // no longer true once one is unticked
    fillFromPicked();
    edited();
    draw();
  }

  // -- checking and sending --------------------------------------------------------------------

  /** Every problem, each next to its field; focus the first when asked. True when none. */
  function validate(focus) {
    const problems = [];
    const q = question.value.trim();
    if (!q) problems.push([questionError, t("Write the question."), question]);
    else if (chars(q) > LIMITS.question) {
      problems.push([questionError, t("The question is {n} characters: the limit is {max}.",
        { n: formatNumber(chars(q)), max: formatNumber(LIMITS.question) }), question]);
    }
    const rowProblems = new Map();
    let optionsProblem = null;
    if (st.kind !== "rating") {
      const seen = new Map();
      st.rows.forEach((row, i) => {
        const text = row.text.trim();
        const n = formatNumber(i + 1);
        if (!text) rowProblems.set(row.key, t("Option {n} is empty: write it or remove it.", { n }));
        else if (chars(text) > LIMITS.option) {
          rowProblems.set(row.key, t("Option {n} is {length} characters: the limit is {max}.",
            { n, length: formatNumber(chars(text)), max: formatNumber(LIMITS.option) }));
        } else if (seen.has(text.toLocaleLowerCase())) {
          rowProblems.set(row.key, t("Option {n} says the same as option {other}: make each one different.",
            { n, other: formatNumber(seen.get(text.toLocaleLowerCase()) + 1) }));
        } else seen.set(text.toLocaleLowerCase(), i);
      });
      if (st.rows.length < LIMITS.minOptions) optionsProblem = t("A poll needs at least {min} options.", { min: formatNumber(LIMITS.minOptions) });
      if (st.rows.length > LIMITS.maxOptions) optionsProblem = t("A poll takes at most {max} options: remove some.", { max: formatNumber(LIMITS.maxOptions) });
    }
    for (const li of rowsList.children) {
      const r = li._refs;
      const problem = st.kind === "rating" ? null : rowProblems.get(li.dataset.key);
      if (problem) problems.push([r.error, problem, r.area]);
      else errors.clear(r.error);
    }
    if (optionsProblem) problems.push([optionsError, optionsProblem, null]);
    else errors.clear(optionsError);
    if (!problems.some(([node]) => node === questionError)) errors.clear(questionError);
    for (const [node, message, field] of problems) errors.show(node, message, { field });
    if (focus && problems.length) focusFirst(problems[0][2] ?? add);
    return problems.length === 0;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (send.busy(sendKey) || isInert(submit)) return; // the same tap again while the first is on its way
    if (!validate(true)) {
      st.checked = true;
      return;
    }
    const payload = { question: question.value.trim(), kind: st.kind, anonymous: anonymous.checked, hide_results: hide.checked };
    if (st.kind !== "rating") payload.options = st.rows.map((r) => r.text.trim());
    const gid = audience();
    if (gid) payload.group_id = gid;
    // One client_id per intent, made at the tap: the same poll sent again is one poll.
    payload.client_id = intent.id(payload);
    errors.clear(formError);
    setInert(submit, false, true);
    setText(submit, t("Opening…"));
    const ack = await send(sendKey, "poll.open", payload);
    if (!ack) return;
    draw();
    if (!ack.ok) {
      errors.show(formError, t("Not opened: {why}", { why: explain(ack.error) }), { code: ack.error?.code });
      return;
    }
    intent.done();
    const m = client.model;
    notify(gid ? t("Poll opened on the phones of {group}", { group: groupName(m, gid) }) : t("Poll opened on every phone in the hall"));
    reset();
    form.hidden = true;
    toggle.hidden = false;
    toggle.setAttribute("aria-expanded", "false");
    if (onOpened) onOpened(ack.poll_id);
    else focusFirst(toggle);
  });

  function reset() {
    question.value = "";
    anonymous.checked = true;
    hide.checked = false;
    st.rows = [newRow(), newRow()];
    st.picker = null;
    st.checked = false;
    for (const node of form.querySelectorAll(".poll-error")) errors.clear(node);
    updateCount();
    drawChecks();
    draw();
  }

  // -- drawing -------------------------------------------------------------------------------

  let audiencesSig = "";
  function drawAudience(m) {
    const list = audiences(m);
    const sig = JSON.stringify(list);
    if (sig === audiencesSig) return;
    audiencesSig = sig;
    const single = list.length === 1;
    audienceSelect.hidden = single;
    audienceFixed.hidden = !single;
    if (single) {
      audienceFixed.dataset.value = list[0].value;
      setText(audienceFixed, list[0].label);
      audienceField.querySelector("label").hidden = true;
    } else {
      const keep = audienceSelect.value;
      audienceSelect.replaceChildren(...list.map((a) => el("option", { value: a.value, text: a.label })));
      audienceSelect.value = list.some((a) => a.value === keep) ? keep : list[0]?.value ?? "";
    }
  }

  function draw() {
    const m = client.model;
    if (!m || form.hidden) {
      const busy = send.busy(sendKey);
      setInert(submit, false, busy);
      return;
    }
    drawAudience(m);
    const kind = KINDS.find((k) => k.value === st.kind);
    setText(kindHint, kind.hint);
    const rating = st.kind === "rating";
    optionsBox.hidden = rating;
    ratingNote.hidden = !rating;
    const gid = audience() || null;
    const available = publishedKeypoints(m, gid).length;
    setInert(build, available === 0);
    const vars = { group: gid ? groupName(m, gid) : "", max: formatNumber(LIMITS.maxOptions) };
    let hint;
    if (available === 0) hint = gid ? t("No key points published by {group} yet.", vars) : t("No key points published by the groups yet.");
    else if (available > LIMITS.maxOptions) {
      hint = gid ? nt("One tap puts the {n} key point published by {group} in as the options (at most {max}: you choose which).",
        "One tap puts the {n} key points published by {group} in as the options (at most {max}: you choose which).", available, vars)
        : nt("One tap puts the {n} key point published by the groups in as the options (at most {max}: you choose which).",
          "One tap puts the {n} key points published by the groups in as the options (at most {max}: you choose which).", available, vars);
    } else {
      hint = gid ? nt("One tap puts the {n} key point published by {group} in as the options.",
        "One tap puts the {n} key points published by {group} in as the options.", available, vars)
        : nt("One tap puts the {n} key point published by the groups in as the options.",
          "One tap puts the {n} key points published by the groups in as the options.", available, vars);
    }
    setText(buildHint, hint);
    drawPicker(m);
    drawRows();
    const busy = send.busy(sendKey);
    setInert(submit, false, busy);
    setText(submit, busy ? t("Opening…") : t("Open the poll"));
  }

  updateCount();
  drawChecks();
  drawRows();
  return { root, form, toggle, render: draw, open: () => setOpen(true) };
}

// -- the list of polls -----------------------------------------------------------------------------

/**
 * Evaluation polls opened together (one tap: within a few seconds, by the same role) go
 * in one card; every other poll in its own. Items: {key, polls: [...], set: bool}.
 */
function pollItems(polls) {
  const items = [];
  let set = null;
  for (const p of [...polls].sort((a, b) => a.seq - b.seq)) {
    if (p.purpose === "evaluation") {
      if (set && p.opened_by?.role === set.role && p.opened_at - set.last < 10000 && set.polls.length < EVALUATION.length) {
        set.polls.push(p);
        set.last = p.opened_at;
        continue;
      }
      set = { key: `set:${p.id}`, polls: [p], set: true, role: p.opened_by?.role, last: p.opened_at };
      items.push(set);
      continue;
    }
    items.push({ key: p.id, polls: [p], set: false });
  }
  return items;
}

/**
 * Open polls (live results) and closed ones (final), newest first. include(m, poll)
 * chooses which this page lists; canClose(m, poll) who may close it (Close asks first).
 */
export function createPollList(client, { id, send, changed = () => {}, include = () => true, canClose = () => false, notify = toast, headingLevel = 3 }) {
  const errors = createErrors(client);
  const later = createAfterRender();
  const h = `h${headingLevel}`;
  const q = `h${headingLevel + 1}`;
  const openList = el("ul", { class: "poll-cards", id: `${id}-open`, "aria-labelledby": `${id}-open-heading` });
  const closedList = el("ul", { class: "poll-cards closed", id: `${id}-closed`, "aria-labelledby": `${id}-closed-heading` });
  const openCount = el("span", { class: "count-badge" });
  const closedCount = el("span", { class: "count-badge" });
  const openEmpty = el("p", { class: "empty", text: t("No poll is open.") });
  const closedBox = el("div", { class: "poll-closed", hidden: true },
    el(h, { id: `${id}-closed-heading`, class: "poll-list-heading" }, t("Closed polls"), " ", closedCount), closedList);
  const root = el("div", { class: "poll-list", id },
    el(h, { id: `${id}-open-heading`, class: "poll-list-heading" }, t("Open polls"), " ", openCount), openList, openEmpty, closedBox);

  const item = (key) => [...openList.children, ...closedList.children].find((li) => li.dataset.key === key) ?? null;

  function createCard(it) {
    const close = el("button", { type: "button", class: "poll-close" });
    close.addEventListener("click", () => { if (!isInert(close)) closeItem(close._item, close); });
    const error = el("p", { class: "poll-error", role: "alert" });
    const li = el("li", { class: `poll-card${it.set ? " poll-set" : ""}`, tabindex: "-1" },
      el("p", { class: "poll-kicker" }),
      it.set ? el("p", { class: "poll-set-intro hint" }) : null,
      it.set ? el("ul", { class: "poll-set-items" }) : pollBody(q),
      el("div", { class: "poll-actions" }, el("p", { class: "poll-state" }), close),
      error);
    li._refs = { close, error };
    return li;
  }

  function updateCard(li, it, m) {
    const open = it.polls.filter(isOpen);
    const first = it.polls[0];
    li.dataset.state = open.length ? "open" : "closed";
    li.dataset.pollId = first.id;
    li.classList.toggle("open", open.length > 0);
    setText(li.querySelector(".poll-kicker"), it.set ? t("End-of-day evaluation · three ratings, 1 to 5") : pollKicker(m, first));
    if (it.set) {
      setText(li.querySelector(".poll-set-intro"), open.length
        ? t("Anonymous, on every phone in the hall. Close it when people have had time to answer.")
        : t("Final results."));
      reconcile(li.querySelector(".poll-set-items"), it.polls, (p) => p.id,
        () => el("li", { class: "poll-set-item" }, ...pollBody(q).childNodes),
        (node, p) => { node.dataset.pollId = p.id; node.dataset.state = isOpen(p) ? "open" : "closed"; updateBody(node, p, m); });
    } else {
      updateBody(li, first, m);
    }
    const r = li._refs;
    r.close._item = it;
    const closable = open.filter((p) => canClose(m, p));
    r.close.hidden = closable.length === 0;
    const busy = send.busy(`close:${it.key}`);
    setInert(r.close, false, busy);
    const label = it.set ? t("Close the evaluation") : t("Close poll");
    setText(r.close, busy ? t("Closing…") : label);
    r.close.setAttribute("aria-label", busy ? t("Closing…") : it.set ? label : t("Close poll: {question}", { question: first.question }));
    setText(li.querySelector(".poll-state"), open.length ? t("Voting is open") : closedText(it));
    // A refusal to close is no longer true once it is closed.
    if (!open.length) errors.clear(r.error);
  }
  const closedText = (it) => {
    const at = Math.max(...it.polls.map((p) => p.closed_at ?? 0));
    return at ? t("Closed at {time}", { time: clockTime(at) }) : t("Closed");
  };

  async function closeItem(it, button) {
    const m = client.model;
    const open = it.polls.filter((p) => isOpen(p) && canClose(m, p));
    if (!open.length) return;
    const yes = await confirmAction({
      title: it.set ? t("Close the end-of-day evaluation?") : t("Close this poll?"),
      message: t("Voting stops on every phone and the final results are kept in the record of the day. A closed poll cannot be opened again."),
      quote: it.set ? open.map((p) => p.question).join("\n") : open[0].question,
      confirm: it.set ? t("Close the evaluation") : t("Close poll"),
      danger: true,
    });
    if (!yes) return;
    const li = button.closest("li.poll-card");
    // Each poll closes by itself (idempotent: a repeat after a lost answer is harmless);
    // the button stays busy until the last of a set has its answer.
    const failed = await send.hold(`close:${it.key}`, async () => {
      for (const p of open) {
        const ack = await sendOne(client, "poll.close", { poll_id: p.id });
        if (!ack.ok) return ack;
      }
      return false;
    });
    if (failed === null) return; // a second tap while the first is on its way
    if (failed) {
      errors.show(li._refs.error, t("Not closed: {why}", { why: explain(failed.error) }), { code: failed.error?.code });
      return;
    }
    errors.clear(li._refs.error);
    notify(it.set ? t("Evaluation closed: the final results are below") : t("Poll closed: the final results are below"));
    // The card moves to the closed polls: the keyboard goes with it.
    later.after((m2) => open.every((p) => !isOpen(m2.polls.get(p.id) ?? p)), () => {
      const moved = item(it.key);
      if (moved) focusFirst(moved);
    });
  }

  function render(m) {
    const polls = [...m.polls.values()].filter((p) => include(m, p));
    const items = pollItems(polls);
    const openItems = items.filter((it) => it.polls.some(isOpen)).reverse();
    const closedItems = items.filter((it) => !it.polls.some(isOpen))
      .sort((a, b) => Math.max(...b.polls.map((p) => p.closed_at)) - Math.max(...a.polls.map((p) => p.closed_at)));
    // What a card shows: it is redrawn only when one of these changed.
    const sig = (it) => JSON.stringify([it.polls.map((p) => [p.question, p.results, p.closed_at, canClose(m, p),
      p.group_id && groupName(m, p.group_id), p.response_id && m.responses.get(p.response_id)?.text]),
    send.busy(`close:${it.key}`), m.assembly?.timezone ?? ""]);
    reconcile(openList, openItems, (it) => it.key, createCard, (li, it) => updateCard(li, it, m), sig);
    reconcile(closedList, closedItems, (it) => it.key, createCard, (li, it) => updateCard(li, it, m), sig);
    setText(openCount, formatNumber(openItems.length));
    setText(closedCount, formatNumber(closedItems.length));
    openEmpty.hidden = openItems.length > 0;
    closedBox.hidden = closedItems.length === 0;
    later.run(m);
  }

  /** Put the keyboard on a poll's card once it is drawn (after opening it). */
  function focusPoll(pollId) {
    later.after((m) => m.polls.has(pollId), () => {
      const li = [...openList.children].find((n) => n.dataset.pollId === pollId
        || n.querySelector(`[data-poll-id="${pollId}"]`));
      if (li) focusFirst(li._refs.close.hidden ? li : li._refs.close, li);
    });
    changed();
  }

  return { root, render, focusPoll };
}

/** The parts of a card that show one poll: question, what it asks about, meta, results. */
function pollBody(q) {
  return el("div", { class: "poll-body" },
    el(q, { class: "poll-question user-text", dir: "auto" }),
    el("p", { class: "poll-about", hidden: true },
      ...withNodes(t("About the response by {name}: {text}"), {
        name: el("span", { class: "poll-about-member", dir: "auto" }),
        text: el("span", { class: "poll-about-text user-text", dir: "auto" }),
      })),
    el("p", { class: "poll-meta" }),
    el("div", { class: "poll-results" }));
}

function updateBody(node, poll, m) {
  setText(node.querySelector(".poll-question"), poll.question);
  const about = node.querySelector(".poll-about");
  const response = poll.response_id ? m.responses.get(poll.response_id) : null;
  about.hidden = !response;
  if (response) {
    setText(about.querySelector(".poll-about-member"), response.member);
    setText(about.querySelector(".poll-about-text"), response.text);
  }
  const voters = poll.results?.voters ?? 0;
  node.dataset.voters = String(voters);
  const meta = [votersText(voters)];
  meta.push(poll.anonymous === false ? t("Names kept in the record") : t("Anonymous"));
  if (poll.hide_results && isOpen(poll)) meta.push(t("results hidden from the hall until it closes"));
  setText(node.querySelector(".poll-meta"), meta.join(" · "));
  drawResults(node.querySelector(".poll-results"), poll, m);
}

// -- the end-of-day evaluation ------------------------------------------------------------------

/** One tap opens the three evaluation ratings for the hall (once per intent). */
export function createEvaluationLauncher(client, { id, send, changed = () => {}, notify = toast, onOpened = null }) {
  const errors = createErrors(client);
  let ids = null; // the three client_ids of the intent, made at the tap, kept for a retry
  const key = `evaluation:${id}`;
  const button = el("button", { type: "button", class: "poll-evaluation", id: `${id}-button`,
    text: t("Open the end-of-day evaluation"), "aria-describedby": `${id}-hint ${id}-error` });
  const hint = el("p", { class: "hint", id: `${id}-hint` });
  const error = el("p", { class: "poll-error", id: `${id}-error`, role: "alert" });
  const root = el("div", { class: "poll-evaluation-box", id }, button, hint, error);

  button.addEventListener("click", async () => {
    if (isInert(button) || send.busy(key)) return;
    ids ??= EVALUATION.map(() => uuid());
    const intent = ids;
    errors.clear(error);
    setInert(button, false, true);
    // In order, so every page lists them in the order asked; busy until the last answer.
    const acks = await send.hold(key, async () => {
      const out = [];
      for (let i = 0; i < EVALUATION.length && out.every((a) => a.ok); i++) {
        out.push(await sendOne(client, "poll.open",
          { client_id: intent[i], question: EVALUATION[i](), kind: "rating", purpose: "evaluation" }));
      }
      return out;
    });
    if (!acks) return;
    const failed = acks.find((a) => !a.ok);
    if (failed) {
      const done = acks.filter((a) => a.ok).length;
      const vars = { done: formatNumber(done), total: formatNumber(EVALUATION.length), why: explain(failed.error) };
      errors.show(error, done
        ? t("Only {done} of {total} questions opened. {why} Tap again to open the rest: none opens twice.", vars)
        : t("Not opened: {why}", vars),
      { code: failed.error?.code });
      return;
    }
    ids = null;
    notify(t("Evaluation opened on every phone in the hall"));
    onOpened?.(acks[0].poll_id);
  });

  function render(m) {
    const open = [...m.polls.values()].some((p) => p.purpose === "evaluation" && isOpen(p));
    const busy = send.busy(key);
    // Open already: a second set would ask the hall the same three questions twice (a
    // half-opened set can still be completed).
    setInert(button, open && !ids, busy);
    setText(button, busy ? t("Opening the evaluation…") : t("Open the end-of-day evaluation"));
    setText(hint, open && !ids
      ? t("The evaluation is open: close it in the list of polls when people have answered.")
      : t("One tap asks every phone in the hall three anonymous ratings from 1 to 5: how fair the process was, how well people were heard, and how well the day was run."));
  }

  return { root, render };
}

// -- the check-back beside a Board response ------------------------------------------------------

/**
 * What a response's group answered to "Did the Board's response reflect what we said?",
 * live, beside the response. With `send` (the lead), a "Check with the group" button
 * opens it in one tap and Close ends it; without, it is read-only (the Board).
 * Returns {root, update(m, response)}.
 */
export function createCheckback(client, { send = null, changed = () => {}, notify = toast } = {}) {
  const errors = createErrors(client);
  let intent = null; // the client_id of this response's check, made at the tap
  const ask = send ? el("button", { type: "button", class: "checkback-open small" }) : null;
  const close = send ? el("button", { type: "button", class: "checkback-close small quiet", hidden: true }) : null;
  const error = el("p", { class: "poll-error", role: "alert" });
  const result = el("div", { class: "checkback", hidden: true },
    el("p", { class: "cb-head" }, el("span", { class: "cb-label" }), " ", el("span", { class: "cb-voters" })),
    el("p", { class: "cb-question user-text", dir: "auto" }),
    el("div", { class: "cb-results" }));
  const root = el("div", { class: "checkback-box" }, result,
    send ? el("div", { class: "checkback-actions" }, ask, close) : null, error);
  let current = null; // {response, poll}

  if (send) {
    ask.addEventListener("click", async () => {
      const r = current?.response;
      if (!r || isInert(ask)) return;
      const key = `checkback:${r.id}`;
      intent ??= uuid();
      errors.clear(error);
      setInert(ask, false, true);
      const ack = await send(key, "poll.open", { client_id: intent, response_id: r.id });
      if (!ack) return;
      if (!ack.ok) {
        errors.show(error, t("Not opened: {why}", { why: explain(ack.error) }), { code: ack.error?.code });
        changed();
        return;
      }
      intent = null;
      notify(t("Check-back opened on the phones of {group}", { group: groupName(client.model, r.group_id) }));
      // The button gives way to the result: the keyboard goes to its Close.
      waitFor = { poll: ack.poll_id };
      changed();
    });
    close.addEventListener("click", async () => {
      const p = current?.poll;
      if (!p || !isOpen(p) || isInert(close)) return;
      const yes = await confirmAction({
        title: t("Close this check-back?"),
        message: t("Voting stops on the group's phones; the final result stays beside the response everywhere and in the record of the day."),
        quote: p.question,
        confirm: t("Close check-back"),
        danger: true,
      });
      if (!yes) return;
      const ack = await send(`close:${p.id}`, "poll.close", { poll_id: p.id });
      if (!ack) return;
      if (!ack.ok) {
        errors.show(error, t("Not closed: {why}", { why: explain(ack.error) }), { code: ack.error?.code });
        changed();
        return;
      }
      waitFor = { poll: p.id, closed: true };
      changed();
    });
  }
  let waitFor = null;

  function update(m, response) {
    const poll = checkbackOf(m, response.id);
    current = { response, poll };
    root.dataset.responseId = response.id;
    result.hidden = !poll;
    if (poll) {
      result.dataset.pollId = poll.id;
      result.dataset.state = isOpen(poll) ? "open" : "closed";
      result.classList.toggle("open", isOpen(poll));
      setText(result.querySelector(".cb-label"), isOpen(poll) ? t("Check-back · voting open") : t("Check-back · final result"));
      setText(result.querySelector(".cb-voters"), votersText(poll.results?.voters ?? 0));
      setText(result.querySelector(".cb-question"), poll.question);
      drawResults(result.querySelector(".cb-results"), poll, m, { compact: true });
      if (!isOpen(poll)) errors.clear(error);
    }
    if (!send) return;
    // The lead: check (again) when nothing is open for it; close what is.
    const withdrawn = Boolean(response.withdrawn);
    const open = poll && isOpen(poll);
    ask.hidden = Boolean(open) || withdrawn;
    const asking = send.busy(`checkback:${response.id}`);
    setInert(ask, false, asking);
    const askText = poll ? t("Check with the group again") : t("Check with the group");
    setText(ask, asking ? t("Opening…") : askText);
    // The name starts with the words on the button (speech control users say what they see).
    const vars = { name: response.member, group: groupName(m, response.group_id) };
    ask.setAttribute("aria-label", asking ? t("Opening…") : poll
      ? t("Check with the group again: did the response by {name} reflect what {group} said?", vars)
      : t("Check with the group: did the response by {name} reflect what {group} said?", vars));
    close.hidden = !open;
    if (open) {
      const closing = send.busy(`close:${poll.id}`);
      setInert(close, false, closing);
      setText(close, closing ? t("Closing…") : t("Close check-back"));
      close.setAttribute("aria-label", closing ? t("Closing…") : t("Close check-back on the response by {name}", { name: response.member }));
    }
    if (withdrawn && !open) errors.clear(error);
    if (waitFor) {
      const p = m.polls.get(waitFor.poll);
      const ready = p && (!waitFor.closed || !isOpen(p));
      if (ready) {
        const target = waitFor.closed ? ask : close;
        waitFor = null;
        // After the page has drawn this: the control may have just been un-hidden.
        requestAnimationFrame(() => {
          const a = document.activeElement;
          if (!a || a === document.body || !a.isConnected || root.contains(a) || a.hidden || a.closest("[hidden]")) focusFirst(target, result, root.closest("li"));
        });
      }
    }
  }

  return { root, update };
}
