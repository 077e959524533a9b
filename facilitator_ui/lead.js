// The lead facilitator's tablet: the agenda and its timer, the plenary focus, every group
// at a glance, the correction queue, and logging Board responses on the Board's behalf.
// The lead sees the day run long, so the agenda can be changed here too (CONTRACT §8):
// the running part's planned length in one tap from the timer panel, and in "Change the
// agenda" mode parts added, edited, moved and removed. Every page renders from the model,
// so each change shows on the projector and every phone as soon as its event arrives.

import { applyDocument, assemblyTitle, errorText, formatNumber, groupText, nt, t } from "/static/i18n.js";
import { createClient, secretFromPath } from "/static/client.js";
import { currentSlot, formatRemaining, nextSlot, remainingMs } from "/static/model.js";
import {
  $, askReason, bindStatus, capitalise, clockTime, confirmAction, createAlerts, createFollowUps, createIntent,
  createScheduler, createSender, el, focusDropped, focusFirst, formatDuration, groupLabel, isInert, isolate,
  mountCountdown, mountLanguagePicker, mountVenueClock, ownText, reconcile, runElapsedMs, setInert, setText,
  timeAgo, toast, venueZone, withNodes,
} from "/console/console-common.js";
import {
  createCheckback, createEvaluationLauncher, createPollComposer, createPollList, createPollSender,
} from "/console/polls.js";

const KIND = {
  welcome: () => t("Welcome"), group_work: () => t("Group work"), break: () => t("Break"),
  plenary: () => t("Plenary"), close: () => t("Closing"),  // the kind: the end of the day, not a button
};
const kindLabel = (kind) => KIND[kind]?.() ?? kind ?? "";
const STANCE = { commit: () => t("Commit"), consider: () => t("Consider"), decline: () => t("Decline") };
const stanceLabel = (stance) => STANCE[stance]?.() ?? stance;
const groupName = groupLabel; // every group name in the visitor's language where translated

applyDocument();
const client = createClient({ token: secretFromPath() });
window.townhall = client;

const scheduler = createScheduler(render);
const followUps = createFollowUps();
const alerts = createAlerts($("#alerts"));
const send = createSender(client, alerts, scheduler.schedule);
bindStatus(client, $("#status"));
mountVenueClock(client, $("#venue-clock"));
mountLanguagePicker($("#bar-tools"));

const ui = { groupTouched: false, responseIntent: createIntent(), editing: false };

// Polls (CONTRACT §9): for the hall or any group, the end-of-day evaluation, and the
// check-back of each Board response (under the response). polls.js keeps their busy
// state and their errors, next to their controls.
const pollSend = createPollSender(client, scheduler.schedule);
const polls = (() => {
  const list = createPollList(client, { id: "lead-polls", send: pollSend, changed: scheduler.schedule, canClose: () => true });
  const composer = createPollComposer(client, {
    id: "lead-poll", send: pollSend, changed: scheduler.schedule,
    audiences: (m) => [{ value: "", label: t("The whole hall") },
      ...m.groups.map((g) => ({ value: g.id, label: t("Group: {group}", { group: groupText(m, g) }) }))],
    onOpened: (pollId) => list.focusPoll(pollId),
  });
  const evaluation = createEvaluationLauncher(client, {
    id: "lead-evaluation", send: pollSend, changed: scheduler.schedule, onOpened: (pollId) => list.focusPoll(pollId),
  });
  $("#poll-evaluation").append(evaluation.root);
  $("#poll-composer").append(composer.root);
  $("#poll-list").append(list.root);
  return { list, composer, evaluation };
})();

function renderPolls(m) {
  polls.evaluation.render(m);
  polls.composer.render(m);
  polls.list.render(m);
}

/** A button whose handler runs only while it is not aria-disabled (see setInert). */
function onPress(node, fn) {
  node.addEventListener("click", (event) => { if (!isInert(node)) fn(event.currentTarget); });
}

// The countdown, and everything else that moves with the clock, several times a second.
mountCountdown(client, $("#countdown"), {
  onTick(m, ms) {
    const over = m.timer?.status !== "idle" && ms != null && ms < 0;
    const panel = $("#timer");
    panel.classList.toggle("over", over);
    panel.dataset.state = m.timer?.status ?? "idle";
    renderLive(m);
  },
});

// -- rendering -----------------------------------------------------------------------------

function render() {
  const m = client.model;
  if (!m) return;
  document.body.classList.remove("loading");
  setText($("#assembly-title"), assemblyTitle(m) || t("Assembly"));
  document.title = t("Lead · {title}", { title: assemblyTitle(m) || "townhall" });
  settleWrites(m);
  renderTimer(m);
  renderPlan(m);
  renderAgenda(m);
  renderFocus(m);
  renderGroups(m);
  renderCorrections(m);
  renderResponseForm(m);
  renderResponses(m);
  renderPolls(m);
  renderLive(m);
  followUps.run();
}

/** Once the model shows what a write did, move the keyboard if it was left stranded. */
function thenFocus(ready, stranded, targets) {
  followUps.after(() => Boolean(client.model && ready(client.model)), () => {
    scheduler.flush();
    if (focusDropped(...stranded()) || isInert(document.activeElement)) focusFirst(...targets());
  });
}

/** The parts that change with time alone: elapsed times, "3 min ago". */
let lastLive = 0;
function renderLive(m) {
  const now = client.now();
  if (now - lastLive < 500) return;
  lastLive = now;
  for (const li of document.querySelectorAll("#agenda li.slot")) updateSlotTimes(li, m, now);
  for (const tr of document.querySelectorAll("#groups-body tr")) {
    setText(tr.querySelector(".col-activity"), timeAgo(m.lastActivity?.[tr.dataset.groupId], now));
  }
}

function renderTimer(m) {
  const tm = m.timer ?? { status: "idle" };
  const idle = tm.status !== "running" && tm.status !== "paused";
  const slot = idle ? null : currentSlot(m);
  const ended = idle && tm.ended_slot_id ? m.agenda.find((s) => s.id === tm.ended_slot_id) : null;
  setText($("#slot-title"), slot ? slot.title
    : m.runs.length ? t("No part of the day is running") : t("No part of the day has started"));
  setText($("#timer-state"), tm.status === "running" ? t("Now running") : tm.status === "paused" ? t("Paused")
    : !ended ? t("Not started")
      : tm.ended_at ? t("Ended: {title} at {time}", { title: ownText(ended.title), time: clockTime(tm.ended_at) })
        : t("Ended: {title}", { title: ownText(ended.title) }));
  // What is left to run, not the next in agenda order (model.js nextSlot).
  const next = nextSlot(m);
  renderNextLine(next, next ? "" : slot ? t("This is the last part of the day")
    : m.runs.length ? t("Every part of the day has run") : "");
  setInert($("#pause"), tm.status !== "running", send.busy("timer"));
  setInert($("#resume"), tm.status !== "paused", send.busy("timer"));
  setInert($("#extend-1"), idle, send.busy("timer"));
  setInert($("#extend-5"), idle, send.busy("timer"));
  const end = $("#end-slot");
  end.hidden = idle;
  setInert(end, idle, send.busy("end"));
  if (slot) end.setAttribute("aria-label", t("End this part of the day: {title}", { title: slot.title }));
  const startNext = $("#start-next");
  startNext.hidden = !next;
  if (next) {
    setText(startNext, slot ? t("Start next: {title}", { title: ownText(next.title) }) : t("Start: {title}", { title: ownText(next.title) }));
    startNext.dataset.slotId = next.id;
    setInert(startNext, false, send.busy("start"));
  }
}

/** "Next: <title> (12 min)", the title in its own direction; or a sentence when nothing is next. */
function renderNextLine(next, otherwise) {
  const line = $("#slot-next");
  const key = next ? JSON.stringify([next.id, next.title, next.minutes]) : `-${otherwise}`;
  if (line._key === key) return;
  line._key = key;
  line.replaceChildren(...(next
    ? withNodes(t("Next: {title} ({minutes})", { minutes: minutesText(next.minutes) }),
      { title: el("span", { dir: "auto", text: next.title }) })
    : [otherwise]));
}

// -- shaping the day: writes, errors next to their control (CONTRACT §8) ---------------------

// The server's limits (docs/protocol.md), checked here first so the message can say why.
const LIMITS = { title: 120, minutesMin: 1, minutesMax: 600 };
// Every error code: the agenda's writes explain their refusals next to the control that
// asked (createSender shows none of them in the page's error region).
const OWN_ERRORS = ["invalid", "forbidden", "not_found", "too_large", "rate_limited", "conflict",
  "offline", "timeout", "unavailable", "client"];
const OFFLINE = new Set(["offline", "timeout", "unavailable"]);
/** Characters as the server counts them (code points, not UTF-16 units). */
const chars = (text) => [...text].length;
const quoted = (text) => t("“{text}”", { text: ownText(text) });
const minutesText = (n) => nt("{n} min", "{n} min", n);

/**
 * Writes answered but not yet seen in the model: their control stays busy until the
 * event arrives (an ack can come first), so a second tap computes from the new state
 * ("+5 min" twice is +10, never +5 sent twice from the old length).
 */
const settling = new Map(); // key -> {seq, until}
const busy = (key) => send.busy(key) || settling.has(key);

function settle(key, ack) {
  const m = client.model;
  if (!ack?.ok || !ack.seq || !m || m.lastSeq >= ack.seq) return;
  settling.set(key, { seq: ack.seq, until: Date.now() + 5000 });
  setTimeout(scheduler.schedule, 5100);
}

function settleWrites(m) {
  const now = Date.now();
  for (const [key, w] of [...settling]) if (m.lastSeq >= w.seq || now > w.until) settling.delete(key);
}

const offlineErrors = new Set(); // error paragraphs that say the connection was down

/** What went wrong, for a person: the server's own words, or what to do when offline. */
function explain(error) {
  const code = error?.code;
  if (code === "offline") return t("Not connected, so nothing was changed: try again when the status says Connected.");
  if (code === "timeout") return t("No answer from the server: check the status line and try again (it will not be done twice).");
  return capitalise(errorText(error)) || t("That did not work: try again.");
}

/** Show `message` in the error paragraph `node` (role=alert); `field` is marked invalid. */
function showError(node, message, { field = null, offline = false } = {}) {
  setText(node, message);
  if (node._field && node._field !== field) node._field.removeAttribute("aria-invalid");
  node._field = field;
  if (field) field.setAttribute("aria-invalid", "true");
  if (offline) offlineErrors.add(node);
  else offlineErrors.delete(node);
}

function clearError(node) {
  if (!node) return;
  setText(node, "");
  node._field?.removeAttribute("aria-invalid");
  node._field = null;
  offlineErrors.delete(node);
}

const showAckError = (node, ack, field = null) =>
  showError(node, explain(ack.error), { field, offline: OFFLINE.has(ack.error?.code) });

// "Not connected" is no longer true once we are.
client.on("status", (st) => {
  if (st.state === "connected") for (const node of [...offlineErrors]) clearError(node);
});

function titleProblem(value) {
  const n = chars(value.trim());
  if (!n) return t("Write a title first.");
  if (n > LIMITS.title) return t("The title is {n} characters long: the limit is {max}.", { n: formatNumber(n), max: formatNumber(LIMITS.title) });
  return "";
}

function minutesProblem(value) {
  const v = String(value).trim();
  if (!/^\d+$/.test(v) || Number(v) < LIMITS.minutesMin || Number(v) > LIMITS.minutesMax) {
    return t("Minutes: a whole number from {min} to {max}.", { min: formatNumber(LIMITS.minutesMin), max: formatNumber(LIMITS.minutesMax) });
  }
  return "";
}

/** Once a message about `field` shows, it follows the field as it is edited, and goes when fixed. */
function liveCheck(field, errorNode, check) {
  field.addEventListener("input", () => {
    const problem = check(field.value);
    if (problem && errorNode.textContent && errorNode._field === field) showError(errorNode, problem, { field });
    else if (!problem && (errorNode._field === field || (errorNode.textContent && !errorNode._field))) clearError(errorNode);
  });
}

function setValue(input, value) {
  if (input.value !== value) input.value = value;
}

/** Where did the server say the problem is? ("the title is too long" → the title field). */
function fieldOf(ack, fields) {
  const text = String(ack.error?.message ?? "").toLowerCase();
  if (text.includes("title")) return "title";
  if (text.includes("minute")) return "minutes";
  if (text.includes("group") && fields.group && !fields.groupField.hidden) return "group";
  return null;
}

const slotState = (m, s) => {
  const tm = m.timer ?? {};
  if (tm.slot_id === s.id && tm.status !== "idle") return tm.status === "paused" ? "paused" : "running";
  return m.runs.some((r) => r.slot_id === s.id) ? "ran" : "planned";
};

// -- the running part's planned length, from the timer panel --------------------------------

const plan = {
  root: $("#plan"), now: $("#plan-now"), form: $("#plan-form"), input: $("#plan-minutes"),
  set: $("#plan-set"), error: $("#plan-error"), steps: [...document.querySelectorAll("#plan .plan-step")],
  slotId: null, dirty: false,
};

function runningSlot(m) {
  const tm = m.timer ?? {};
  return tm.status === "running" || tm.status === "paused" ? currentSlot(m) : null;
}

function renderPlan(m) {
  const slot = runningSlot(m);
  plan.root.hidden = !slot;
  if (!slot) {
    plan.slotId = null;
    plan.dirty = false;
    return;
  }
  if (plan.slotId !== slot.id) {
    // Another part: what was typed for the last one no longer applies.
    plan.slotId = slot.id;
    plan.dirty = false;
    clearError(plan.error);
  }
  setText(plan.now, minutesText(slot.minutes));
  const waiting = busy("plan");
  for (const b of plan.steps) {
    const step = Number(b.dataset.minutes);
    const to = slot.minutes + step;
    const out = to < LIMITS.minutesMin || to > LIMITS.minutesMax;
    setInert(b, out, waiting);
    const vars = { n: formatNumber(Math.abs(step)), min: formatNumber(LIMITS.minutesMin), max: formatNumber(LIMITS.minutesMax), total: minutesText(to) };
    b.setAttribute("aria-label", out
      ? (step > 0 ? t("+{n} min: not possible, a part lasts {min} to {max} min", vars) : t("−{n} min: not possible, a part lasts {min} to {max} min", vars))
      : step > 0 ? t("+{n} min to the plan: {total} in all", vars) : t("−{n} min off the plan: {total} in all", vars));
  }
  setInert(plan.set, false, waiting);
  // The field shows the plan as it stands, unless something is being typed in it.
  if (!plan.dirty && document.activeElement !== plan.input) setValue(plan.input, String(slot.minutes));
}

async function changePlan(minutes, control) {
  const m = client.model;
  const slot = m && runningSlot(m);
  if (!slot || busy("plan")) return;
  const problem = minutesProblem(String(minutes));
  if (problem) {
    showError(plan.error, problem, { field: control === plan.set ? plan.input : null });
    if (control === plan.set) plan.input.focus();
    return;
  }
  if (minutes === slot.minutes) {
    clearError(plan.error);
    plan.dirty = false;
    toast(t("The plan for {title} is already {minutes}.", { title: quoted(slot.title), minutes: minutesText(minutes) }));
    return;
  }
  clearError(plan.error);
  const before = slot.minutes;
  const ack = await send("slot.update", { slot_id: slot.id, minutes }, { key: "plan", expect: OWN_ERRORS });
  if (ack.busy) return;
  if (!ack.ok) {
    showAckError(plan.error, ack, control === plan.set ? plan.input : null);
    return;
  }
  settle("plan", ack);
  plan.dirty = false;
  const moved = minutes - before;
  const vars = { title: quoted(slot.title), minutes: minutesText(minutes), n: formatNumber(Math.abs(moved)) };
  toast(moved > 0 ? t("Plan for {title}: {minutes}. The end moved {n} min later on every screen and phone.", vars)
    : t("Plan for {title}: {minutes}. The end moved {n} min earlier on every screen and phone.", vars));
  // The keyboard stays on the control it used (aria-disabled while busy keeps focus).
  if (focusDropped(control)) focusFirst(control, "#plan-plus-5");
}

for (const b of plan.steps) {
  onPress(b, () => {
    const slot = client.model && runningSlot(client.model);
    if (slot) changePlan(slot.minutes + Number(b.dataset.minutes), b);
  });
}
plan.form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (isInert(plan.set)) return;
  const v = plan.input.value.trim();
  const problem = minutesProblem(v);
  if (problem) {
    showError(plan.error, problem, { field: plan.input });
    plan.input.focus();
    return;
  }
  changePlan(Number(v), plan.set);
});
plan.input.addEventListener("input", () => {
  plan.dirty = true;
  if (plan.error._field === plan.input && !minutesProblem(plan.input.value)) clearError(plan.error);
});
plan.input.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  // Escape puts back the plan as it stands.
  const slot = client.model && runningSlot(client.model);
  plan.dirty = false;
  if (slot) setValue(plan.input, String(slot.minutes));
  if (plan.error._field === plan.input) clearError(plan.error);
});

// -- agenda --------------------------------------------------------------------------------

function renderAgenda(m) {
  const panel = $("#agenda-panel");
  panel.classList.toggle("editing", ui.editing);
  $("#agenda-edit").setAttribute("aria-pressed", String(ui.editing));
  $("#agenda-edit-hint").hidden = !ui.editing;
  $("#slot-add").hidden = !ui.editing;
  const list = $("#agenda");
  const active = list.contains(document.activeElement) ? document.activeElement : null;
  reconcile(list, m.agenda, (s) => s.id, createSlot, (li, s) => updateSlot(li, s, m));
  // A part removed elsewhere while the keyboard was on it: back to the list's heading.
  if (active && !active.isConnected && focusDropped()) focusFirst("#agenda-heading");
  addSlot.fields.sync(m);
  if (ui.editing && !addSlot.whereTouched) setValue(addSlot.fields.where, defaultWhere(m));
  setInert(addSlot.submit, false, busy("slot.add"));
  setText(addSlot.submit, send.busy("slot.add") ? t("Adding…") : t("Add to the agenda"));
}

function createSlot(s) {
  const sid = s.id;
  const titleId = `agenda-${sid}-title`;
  const start = el("button", { type: "button", class: "slot-start", text: t("Start") });
  onPress(start, () => startSlot(s.id, start));
  // Each control's name says which part it acts on ("Up: Break"): the title in its own direction.
  const named = () => el("span", { class: "visually-hidden", dir: "auto" });
  const arrow = (a) => el("span", { "aria-hidden": "true", text: `${a} ` });
  const up = el("button", { type: "button", class: "move-up small" }, arrow("↑"), t("Up"), named());
  const down = el("button", { type: "button", class: "move-down small" }, arrow("↓"), t("Down"), named());
  const edit = el("button", { type: "button", class: "edit-slot small", "aria-expanded": "false",
    "aria-controls": `agenda-${sid}-form` }, t("Edit"), named());
  const remove = el("button", { type: "button", class: "remove-slot small",
    "aria-describedby": `agenda-${sid}-why` }, t("Remove"), named());
  const why = el("p", { class: "slot-why hint", id: `agenda-${sid}-why` });
  const error = el("p", { class: "form-error slot-error", role: "alert" });
  const editing = el("div", { class: "slot-editing", hidden: true },
    el("div", { class: "slot-edit-actions", role: "group", "aria-labelledby": titleId }, up, down, edit, remove),
    why, error);
  const li = el("li", { class: "slot", "data-slot-id": sid },
    el("div", { class: "slot-main" },
      el("p", { class: "slot-head" },
        el("span", { class: "slot-kind" }), el("span", { class: "badge now-badge", text: t("Now"), hidden: true })),
      el("p", { class: "slot-title", id: titleId, dir: "auto" }),
      el("p", { class: "slot-times" },
        el("span", { class: "slot-planned" },
          el("span", { class: "slot-minutes" }),
          el("span", { class: "slot-group" }, " · ", el("span", { class: "slot-group-name", dir: "auto" }))),
        el("span", { class: "slot-actual" }))),
    start,
    editing);
  li._parts = { up, down, edit, remove, why, error, editing, form: null };
  onPress(up, () => moveSlot(li, -1));
  onPress(down, () => moveSlot(li, +1));
  onPress(edit, () => toggleSlotForm(li));
  onPress(remove, () => removeSlot(li));
  return li;
}

function updateSlot(li, s, m) {
  const current = m.timer?.slot_id === s.id && m.timer.status !== "idle";
  li.classList.toggle("current", current);
  if (current) li.setAttribute("aria-current", "step");
  else li.removeAttribute("aria-current");
  li.querySelector(".now-badge").hidden = !current;
  setText(li.querySelector(".slot-kind"), kindLabel(s.kind));
  setText(li.querySelector(".slot-title"), s.title);
  li.querySelector(".slot-kind").dataset.kind = s.kind ?? "";
  setText(li.querySelector(".slot-minutes"), nt("{n} min planned", "{n} min planned", s.minutes));
  li.querySelector(".slot-group").hidden = !s.group_id;
  setText(li.querySelector(".slot-group-name"), s.group_id ? groupName(m, s.group_id) : "");
  const runs = m.runs.filter((r) => r.slot_id === s.id);
  li.classList.toggle("done", runs.length > 0 && !current);
  const start = li.querySelector(".slot-start");
  setInert(start, current, send.busy("start"));
  const label = current ? (m.timer.status === "paused" ? t("Paused") : t("Running")) : runs.length ? t("Start again") : t("Start");
  setText(start, label);
  start.setAttribute("aria-label", t("{action}: {title}", { action: label, title: s.title }));
  updateSlotTimes(li, m, client.now());
  updateSlotEditing(li, s, m);
}

function updateSlotEditing(li, s, m) {
  const p = li._parts;
  p.editing.hidden = !ui.editing;
  const state = slotState(m, s);
  li.dataset.state = state;
  const i = m.agenda.indexOf(s);
  for (const b of [p.up, p.down, p.edit, p.remove]) setText(b.lastChild, `: ${s.title}`);
  const moving = busy(`move:${s.id}`);
  setInert(p.up, i === 0, moving);
  setInert(p.down, i === m.agenda.length - 1, moving);
  setInert(p.edit, false, busy(`edit:${s.id}`));
  // The record needs every part that started: Remove says why it is not offered.
  const started = state !== "planned";
  setInert(p.remove, started, busy(`remove:${s.id}`));
  setText(p.why, state === "ran" ? t("It has run, so it stays in the record and cannot be removed.")
    : started ? t("It is under way, so it stays in the record: change its length, or end it, instead.") : "");
  if (p.form && !p.form.root.hidden) syncSlotForm(li, s);
}

function announce(text) {
  setText($("#agenda-status"), text);
}

onPress($("#agenda-edit"), () => {
  ui.editing = !ui.editing;
  if (ui.editing) {
    addSlot.whereTouched = false;
    addSlot.follow = null;
  } else {
    setText($("#agenda-status"), "");
  }
  scheduler.now();
});

async function moveSlot(li, step) {
  const p = li._parts;
  const sid = li.dataset.slotId;
  const button = step < 0 ? p.up : p.down;
  const m = client.model;
  if (!m || isInert(button) || busy(`move:${sid}`)) return;
  const i = m.agenda.findIndex((s) => s.id === sid);
  const to = i + step;
  if (i < 0 || to < 0 || to >= m.agenda.length) return;
  // `after` names the part it will follow once moved (null: first).
  const after = step < 0 ? (m.agenda[i - 2]?.id ?? null) : m.agenda[i + 1].id;
  clearError(p.error);
  const ack = await send("slot.move", { slot_id: sid, after }, { key: `move:${sid}`, expect: OWN_ERRORS });
  if (ack.busy) return;
  if (!ack.ok) {
    showAckError(p.error, ack);
    focusFirst(button);
    return;
  }
  settle(`move:${sid}`, ack);
  followUps.after(() => client.model.agenda.findIndex((s) => s.id === sid) === to, () => {
    scheduler.flush();
    const agenda = client.model.agenda;
    const at = agenda.findIndex((s) => s.id === sid);
    const vars = { title: quoted(agenda[at]?.title ?? ""), n: formatNumber(at + 1), total: formatNumber(agenda.length) };
    announce(step < 0 ? t("Moved {title} up: now {n} of {total}.", vars) : t("Moved {title} down: now {n} of {total}.", vars));
    // The keyboard stays on the control it used, on the part it moved.
    if (focusDropped(li) && document.activeElement !== button) button.focus({ preventScroll: true });
    button.scrollIntoView({ block: "nearest" });
  });
}

async function removeSlot(li) {
  const p = li._parts;
  const sid = li.dataset.slotId;
  const m = client.model;
  const s = m?.agenda.find((x) => x.id === sid);
  if (!s || isInert(p.remove) || busy(`remove:${sid}`)) return;
  clearError(p.error);
  const yes = await confirmAction({
    title: t("Remove this part from the agenda?"),
    message: t("It leaves the agenda on the projector, every phone and every console. Only a part of the day that has not started can be removed."),
    quote: s.title,
    confirm: t("Remove"),
    danger: true,
  });
  if (!yes) {
    focusFirst(p.remove);
    return;
  }
  const agenda = client.model.agenda;
  const i = agenda.findIndex((x) => x.id === sid);
  // Where the keyboard goes once the part is gone: the next part, else the one before.
  const neighbour = agenda[i + 1]?.id ?? agenda[i - 1]?.id ?? null;
  const ack = await send("slot.remove", { slot_id: sid }, { key: `remove:${sid}`, expect: OWN_ERRORS });
  if (ack.busy) return;
  if (!ack.ok) {
    // A part that started meanwhile: the server's words, next to this part.
    showAckError(p.error, ack);
    focusFirst(p.remove);
    return;
  }
  announce(t("Removed {title} from the agenda.", { title: quoted(s.title) }));
  thenFocus((m2) => !m2.agenda.some((x) => x.id === sid), () => [li, $("#agenda-heading")],
    () => [neighbour ? $(`#agenda li.slot[data-slot-id="${CSS.escape(neighbour)}"] button.remove-slot`) : null,
      addSlot.fields.title, "#agenda-heading"]);
}

// -- slot fields (adding a part, and editing one) -------------------------------------------

/**
 * Title, minutes, kind and (for a plenary) the presenting group; with `position`, where
 * the new part goes. sync(m) keeps the group and position choices up to date.
 */
function slotFields(prefix, { position = false } = {}) {
  const ids = (what) => `${prefix}-${what}`;
  const title = el("input", { type: "text", id: ids("title"), dir: "auto", autocomplete: "off",
    "aria-describedby": `${ids("title-count")} ${ids("title-error")}` });
  const titleCount = el("p", { class: "count", id: ids("title-count") });
  const titleError = el("p", { class: "form-error", id: ids("title-error"), role: "alert" });
  const minutes = el("input", { type: "number", id: ids("minutes"), min: LIMITS.minutesMin, max: LIMITS.minutesMax,
    step: 1, inputMode: "numeric", dir: "auto", autocomplete: "off", "aria-describedby": ids("minutes-error") });
  const minutesError = el("p", { class: "form-error", id: ids("minutes-error"), role: "alert" });
  const kind = el("select", { id: ids("kind") },
    ...Object.keys(KIND).map((v) => el("option", { value: v, text: kindLabel(v) })));
  const group = el("select", { id: ids("group"), dir: "auto", "aria-describedby": ids("group-hint") });
  const groupHint = el("p", { class: "hint", id: ids("group-hint"), text: t("The group whose key points the plenary hears.") });
  const groupField = el("div", { class: "field group-field" },
    el("label", { for: ids("group"), text: t("Presenting group") }), group, groupHint);
  const where = position ? el("select", { id: ids("position"), dir: "auto" }) : null;
  const root = el("div", { class: "slot-fields" },
    el("div", { class: "field title-field" }, el("label", { for: ids("title"), text: t("Title") }), title, titleCount, titleError),
    el("div", { class: "field minutes-field" }, el("label", { for: ids("minutes"), text: t("Minutes") }), minutes, minutesError),
    el("div", { class: "field kind-field" }, el("label", { for: ids("kind"), text: t("Kind") }), kind),
    groupField,
    where ? el("div", { class: "field position-field" }, el("label", { for: ids("position"), text: t("Where") }), where) : null);

  const showGroup = () => { groupField.hidden = kind.value !== "plenary"; };
  const count = () => {
    const n = chars(title.value.trim());
    setText(titleCount, `${formatNumber(n)} / ${formatNumber(LIMITS.title)}`);
    titleCount.classList.toggle("over", n > LIMITS.title);
  };
  kind.addEventListener("change", showGroup);
  title.addEventListener("input", count);
  liveCheck(title, titleError, titleProblem);
  liveCheck(minutes, minutesError, minutesProblem);

  let optionsKey = "";
  return {
    root, title, minutes, kind, group, groupField, where, titleError, minutesError,
    sync(m) {
      const key = JSON.stringify([m.groups.map((g) => [g.id, groupText(m, g)]), position ? m.agenda.map((s) => [s.id, s.title]) : 0]);
      if (key === optionsKey) return;
      optionsKey = key;
      const chosen = group.value;
      group.replaceChildren(el("option", { value: "", text: t("None yet") }),
        ...m.groups.map((g) => el("option", { value: g.id, text: groupText(m, g), dir: "auto" })));
      group.value = m.groups.some((g) => g.id === chosen) ? chosen : "";
      if (where) {
        const at = where.value || "end";
        where.replaceChildren(el("option", { value: "end", text: t("At the end") }),
          el("option", { value: "first", text: t("At the start") }),
          ...m.agenda.map((s) => el("option", { value: `after:${s.id}`, text: t("After {title}", { title: quoted(s.title) }), dir: "auto" })));
        where.value = [...where.options].some((o) => o.value === at) ? at : "end";
      }
    },
    set(s) {
      setValue(title, s.title ?? "");
      setValue(minutes, s.minutes == null ? "" : String(s.minutes));
      kind.value = s.kind ?? "group_work";
      group.value = s.group_id ?? "";
      showGroup();
      count();
    },
    /** The part as typed: {title, minutes, kind, group_id} (group_id only for a plenary). */
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
    /** Checked before anything is sent; the first field at fault takes the keyboard. */
    validate() {
      const checks = [[title, titleError, titleProblem(title.value)], [minutes, minutesError, minutesProblem(minutes.value)]];
      for (const [field, node, problem] of checks) {
        if (problem) showError(node, problem, { field });
        else if (node._field) clearError(node);
      }
      checks.find(([, , problem]) => problem)?.[0].focus();
      return checks.every(([, , problem]) => !problem);
    },
    /** A refusal from the server, next to the field it is about (else `fallback`). */
    refused(ack, fallback) {
      const at = fieldOf(ack, this);
      if (at === "title") showAckError(titleError, ack, title);
      else if (at === "minutes") showAckError(minutesError, ack, minutes);
      else showAckError(fallback, ack, at === "group" ? group : null);
      (at === "title" ? title : at === "minutes" ? minutes : at === "group" ? group : null)?.focus();
    },
  };
}

// -- adding a part ---------------------------------------------------------------------------

/**
 * Right after the part under way (the lead's usual insert), else at the end; once a part
 * was added, right after it, so several added in a row keep the order they were typed in.
 */
function defaultWhere(m) {
  if (addSlot.follow && m.agenda.some((s) => s.id === addSlot.follow)) return `after:${addSlot.follow}`;
  const slot = runningSlot(m);
  return slot ? `after:${slot.id}` : "end";
}

const addSlot = (() => {
  const fields = slotFields("new-slot", { position: true });
  const submit = el("button", { type: "submit", class: "primary", id: "slot-add-submit", text: t("Add to the agenda") });
  const error = el("p", { class: "form-error", id: "slot-add-error", role: "alert" });
  $("#slot-add-form").append(fields.root, error, el("div", { class: "form-actions" }, submit));
  fields.set({ title: "", minutes: null, kind: "group_work", group_id: null });
  fields.where.addEventListener("change", () => { addSlot.whereTouched = true; });
  // A refusal about the form as a whole goes once the form is changed (unless it says the
  // connection is down: that goes when the connection is back).
  $("#slot-add-form").addEventListener("input", () => { if (!offlineErrors.has(error)) clearError(error); });
  return { fields, submit, error, intent: createIntent(), whereTouched: false, follow: null };
})();

$("#slot-add-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const m = client.model;
  const { fields, submit, error } = addSlot;
  if (!m || isInert(submit) || busy("slot.add")) return; // the same tap again while the first is on its way
  if (!fields.validate()) return;
  clearError(error);
  const values = fields.values();
  const payload = { ...values, after: fields.after(m) };
  // One client_id per intent, made at the tap: what was typed and chosen, not where
  // "at the end" happens to be now. A retry of the same reuses it, so it is added once.
  payload.client_id = addSlot.intent.id({ ...values, where: fields.where.value });
  const ack = await send("slot.add", payload, { key: "slot.add", expect: OWN_ERRORS });
  if (ack.busy) return;
  if (!ack.ok) {
    fields.refused(ack, error);
    return;
  }
  addSlot.intent.done();
  settle("slot.add", ack);
  fields.set({ title: "", minutes: null, kind: payload.kind, group_id: payload.group_id });
  addSlot.whereTouched = false;
  addSlot.follow = ack.slot_id;
  followUps.after(() => client.model.agenda.some((s) => s.id === ack.slot_id), () => {
    scheduler.flush();
    const agenda = client.model.agenda;
    const at = agenda.findIndex((s) => s.id === ack.slot_id);
    announce(t("Added {title} ({minutes}): {n} of {total}.", {
      title: quoted(payload.title), minutes: minutesText(payload.minutes), n: formatNumber(at + 1), total: formatNumber(agenda.length),
    }));
  });
  if (focusDropped(submit, $("#slot-add-form"))) focusFirst(fields.title);
});

// -- editing a part --------------------------------------------------------------------------

function toggleSlotForm(li) {
  const p = li._parts;
  if (!p.form) p.form = buildSlotForm(li);
  const open = p.form.root.hidden;
  p.form.root.hidden = !open;
  p.edit.setAttribute("aria-expanded", String(open));
  if (open) {
    const s = client.model?.agenda.find((x) => x.id === li.dataset.slotId);
    p.form.base = null;
    p.form.fields.sync(client.model);
    if (s) syncSlotForm(li, s);
    p.form.fields.title.focus();
  } else {
    clearError(p.form.fields.titleError);
    clearError(p.form.fields.minutesError);
    focusFirst(p.edit);
  }
}

function buildSlotForm(li) {
  const sid = li.dataset.slotId;
  const fields = slotFields(`edit-${sid}`);
  const save = el("button", { type: "submit", class: "primary", text: t("Save") });
  const cancel = el("button", { type: "button", text: t("Cancel") });
  const elsewhere = el("p", { class: "elsewhere hint", role: "status" });
  const running = el("p", { class: "hint running-hint", hidden: true,
    text: t("This part is under way: a new length moves its end on every screen and phone.") });
  const root = el("form", { class: "slot-form", id: `agenda-${sid}-form`, hidden: true,
    "aria-labelledby": `agenda-${sid}-title` },
  fields.root, running, elsewhere, el("div", { class: "form-actions" }, cancel, save));
  root.noValidate = true;
  li._parts.editing.append(root);
  root.addEventListener("input", () => {
    const { error } = li._parts;
    if (!offlineErrors.has(error)) clearError(error);
  });
  cancel.addEventListener("click", () => toggleSlotForm(li));
  root.addEventListener("submit", (event) => { event.preventDefault(); saveSlot(li); });
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      toggleSlotForm(li);
    }
  });
  return { root, fields, save, elsewhere, running, base: null };
}

const slotSig = (v) => JSON.stringify([v.title, String(v.minutes), v.kind, v.kind === "plenary" ? v.group_id ?? "" : ""]);

/** Follow changes made elsewhere while the form is untouched; once typed in, say so instead. */
function syncSlotForm(li, s) {
  const { form } = li._parts;
  const m = client.model;
  form.fields.sync(m);
  form.running.hidden = runningSlot(m)?.id !== s.id;
  setInert(form.save, false, busy(`edit:${s.id}`));
  const f = form.fields;
  const typed = { title: f.title.value, minutes: f.minutes.value, kind: f.kind.value, group_id: f.group.value };
  const now = { title: s.title, minutes: String(s.minutes), kind: s.kind, group_id: s.group_id ?? "" };
  const untouched = !form.base || slotSig(typed) === slotSig(form.base) || slotSig(typed) === slotSig(now);
  if (untouched) {
    f.set(s);
    form.base = now;
    setText(form.elsewhere, "");
  } else if (slotSig(now) !== slotSig(form.base)) {
    setText(form.elsewhere, t("Changed on another tablet since you started: saving replaces that change with yours."));
  }
}

async function saveSlot(li) {
  const p = li._parts;
  const sid = li.dataset.slotId;
  const m = client.model;
  const s = m?.agenda.find((x) => x.id === sid);
  const { fields, save } = p.form;
  if (!s || isInert(save) || busy(`edit:${sid}`)) return;
  if (!fields.validate()) return;
  const v = fields.values();
  const change = {};
  if (v.title !== s.title) change.title = v.title;
  if (v.minutes !== s.minutes) change.minutes = v.minutes;
  if (v.kind !== s.kind) change.kind = v.kind;
  if (v.kind === "plenary" && (v.group_id ?? null) !== (s.group_id ?? null)) change.group_id = v.group_id;
  if (!Object.keys(change).length) {
    toggleSlotForm(li);
    return;
  }
  clearError(p.error);
  const wasRunning = runningSlot(m)?.id === sid;
  const ack = await send("slot.update", { slot_id: sid, ...change }, { key: `edit:${sid}`, expect: OWN_ERRORS });
  if (ack.busy) return;
  if (!ack.ok) {
    fields.refused(ack, p.error);
    return;
  }
  settle(`edit:${sid}`, ack);
  const moved = "minutes" in change && wasRunning ? change.minutes - s.minutes : 0;
  const vars = { title: quoted(v.title), n: formatNumber(Math.abs(moved)) };
  announce(!moved ? t("Saved {title}.", vars)
    : moved > 0 ? t("Saved {title}. Its end moved {n} min later on every screen and phone.", vars)
      : t("Saved {title}. Its end moved {n} min earlier on every screen and phone.", vars));
  p.form.base = null;
  toggleSlotForm(li);
}

function updateSlotTimes(li, m, now) {
  const s = m.agenda.find((x) => x.id === li.dataset.slotId);
  if (!s) return;
  const runs = m.runs.filter((r) => r.slot_id === s.id);
  const actual = li.querySelector(".slot-actual");
  if (!runs.length) {
    setText(actual, "");
    actual.classList.remove("over");
    return;
  }
  const elapsed = runs.reduce((sum, r) => sum + runElapsedMs(r, now), 0);
  const added = runs.reduce((sum, r) => sum + r.extended_ms, 0);
  const running = runs.some((r) => r.ended_at == null);
  const planned = s.minutes * 60000 + added;
  const took = isolate(formatDuration(elapsed));
  const parts = [running ? t("so far {time}", { time: took }) : t("took {time}", { time: took })];
  if (added) {
    const extra = Math.round(added / 60000);
    parts.push(extra ? nt("(+{n} min extra)", "(+{n} min extra)", extra) : t("(+<1 min extra)"));
  }
  if (runs.length > 1) parts.push(nt("in {n} run", "in {n} runs", runs.length));
  setText(actual, ` · ${parts.join(" ")}`);
  actual.classList.toggle("over", elapsed > planned);
}

async function startSlot(slotId, button) {
  const m = client.model;
  const slot = m.agenda.find((s) => s.id === slotId);
  const running = currentSlot(m);
  if (running && m.timer.status !== "idle" && running.id !== slotId) {
    const ms = remainingMs(m.timer, client.now());
    const vars = { title: quoted(running.title) };
    if (ms != null) vars.time = isolate(ms < 0 ? formatDuration(-ms) : formatRemaining(ms));
    const paused = m.timer.status === "paused";
    let message;
    if (ms == null) {
      message = paused ? t("{title} is still paused. Starting this ends it for everyone.", vars)
        : t("{title} is still running. Starting this ends it for everyone.", vars);
    } else if (ms < 0) {
      message = paused ? t("{title} is still paused ({time} over). Starting this ends it for everyone.", vars)
        : t("{title} is still running ({time} over). Starting this ends it for everyone.", vars);
    } else {
      message = paused ? t("{title} is still paused ({time} left). Starting this ends it for everyone.", vars)
        : t("{title} is still running ({time} left). Starting this ends it for everyone.", vars);
    }
    const yes = await confirmAction({
      title: t("Start {title}?", { title: quoted(slot.title) }),
      message,
      confirm: t("Start"),
    });
    if (!yes) return;
  }
  const ack = await send("agenda.start", { slot_id: slotId }, { key: "start" });
  if (!ack.ok) return;
  thenFocus((m) => m.timer.slot_id === slotId && m.timer.status !== "idle", () => [button],
    () => [button.isConnected && !isInert(button) && !button.hidden ? button : null, "#pause", "#end-slot"]);
  // A plenary slot names the group presenting: bring it into focus in the same tap.
  if (slot.kind === "plenary" && slot.group_id && client.model.focus !== slot.group_id) {
    const focus = await send("plenary.focus", { group_id: slot.group_id }, { key: "focus" });
    if (focus.ok) {
      toast(t("Started: {title}. {group} is in focus.", { title: ownText(slot.title), group: groupName(client.model, slot.group_id) }));
      return;
    }
  }
  toast(t("Started: {title}", { title: ownText(slot.title) }));
}

onPress($("#start-next"), (button) => {
  const id = button.dataset.slotId;
  if (id) startSlot(id, button);
});
// Pause and Resume take turns: the keyboard moves to the one that now makes sense.
onPress($("#pause"), () => timer("timer.pause", {}, "#resume"));
onPress($("#resume"), () => timer("timer.resume", {}, "#pause"));
onPress($("#extend-1"), () => extend(60));
onPress($("#extend-5"), () => extend(300));
onPress($("#end-slot"), (button) => endSlot(button));

async function timer(name, payload, then) {
  const before = client.model?.timer.status;
  const ack = await send(name, payload, { key: "timer" });
  if (!ack.ok || !then) return ack;
  thenFocus((m) => m.timer.status !== before, () => [], () => [then]);
  return ack;
}

async function extend(seconds) {
  const ack = await timer("timer.extend", { seconds });
  // Extra time: the countdown gets longer, the plan (the agenda's length) stays.
  if (ack.ok) toast(nt("Added {n} min of extra time: the plan stays as it was.", "Added {n} min of extra time: the plan stays as it was.", seconds / 60));
}

async function endSlot(button) {
  const m = client.model;
  const slot = currentSlot(m);
  if (!slot || m.timer.status === "idle") return;
  const next = nextSlot(m);
  const yes = await confirmAction({
    title: t("End {title} now?", { title: quoted(slot.title) }),
    message: next
      ? t("The countdown stops on the projector and every phone, and nothing runs until you start the next part. Next on the agenda: {title}.", { title: ownText(next.title) })
      : t("The countdown stops on the projector and every phone, and nothing runs until you start the next part."),
    confirm: t("End it now"),
    danger: true,
  });
  if (!yes) return;
  const ack = await send("agenda.end", {}, { key: "end" });
  if (!ack.ok) return;
  thenFocus((m) => m.timer.status === "idle", () => [button], () => ["#start-next", "#agenda-heading"]);
  toast(t("Ended: {title}", { title: ownText(slot.title) }));
}

// -- plenary focus -------------------------------------------------------------------------

function renderFocus(m) {
  const choices = [...m.groups.map((g) => ({ id: g.id, name: groupText(m, g) })), { id: "", name: t("No group") }];
  const presenting = currentSlot(m)?.group_id ?? null;
  reconcile($("#focus-buttons"), choices, (c) => c.id || "none", (c) => {
    const b = el("button", { type: "button", class: "focus-btn", "data-group-id": c.id },
      el("span", { class: "focus-name" }), el("span", { class: "focus-hint" }));
    onPress(b, () => {
      if (b.getAttribute("aria-pressed") === "true") return;
      send("plenary.focus", { group_id: c.id || null }, { key: "focus" });
    });
    return b;
  }, (b, c) => {
    const on = (m.focus ?? "") === c.id;
    b.setAttribute("aria-pressed", String(on));
    b.classList.toggle("none", !c.id);
    setText(b.querySelector(".focus-name"), c.name);
    setText(b.querySelector(".focus-hint"), c.id && c.id === presenting ? t("on the agenda now") : on ? t("in focus") : "");
    setInert(b, false, send.busy("focus"));
  });
}

// -- all groups ----------------------------------------------------------------------------

function renderGroups(m) {
  const stats = new Map(m.groups.map((g) => [g.id, { joined: 0, notes: 0, published: 0, drafts: 0 }]));
  for (const p of m.participants.values()) if (stats.has(p.group_id)) stats.get(p.group_id).joined += 1;
  for (const n of m.notes.values()) if (!n.hidden && stats.has(n.group_id)) stats.get(n.group_id).notes += 1;
  for (const k of m.keypoints.values()) {
    const s = stats.get(k.group_id);
    if (s) s[k.published ? "published" : "drafts"] += 1;
  }
  const now = client.now();
  reconcile($("#groups-body"), m.groups, (g) => g.id, (g) => el("tr", { "data-group-id": g.id },
    el("th", { scope: "row", class: "group-cell" }),
    el("td", { class: "num col-joined" }),
    el("td", { class: "num col-notes" }),
    el("td", { class: "num col-published" }, el("span", { class: "published-count" }), el("span", { class: "drafts" })),
    el("td", { class: "col-activity" })), (tr, g) => {
    const s = stats.get(g.id);
    setText(tr.querySelector(".group-cell"), groupText(m, g));
    tr.classList.toggle("in-focus", m.focus === g.id);
    setText(tr.querySelector(".col-joined"), formatNumber(s.joined));
    setText(tr.querySelector(".col-notes"), formatNumber(s.notes));
    setText(tr.querySelector(".published-count"), formatNumber(s.published));
    setText(tr.querySelector(".drafts"), s.drafts ? ` ${nt("+{n} draft", "+{n} drafts", s.drafts)}` : "");
    setText(tr.querySelector(".col-activity"), timeAgo(m.lastActivity?.[g.id], now));
  });
}

// -- corrections ---------------------------------------------------------------------------

function renderCorrections(m) {
  const all = [...m.corrections.values()];
  const open = all.filter((c) => !c.outcome).sort((a, b) => a.seq - b.seq);
  const resolved = all.length - open.length;
  setText($("#corrections-count"), formatNumber(open.length));
  $("#corrections-empty").hidden = open.length > 0;
  const done = $("#corrections-resolved");
  done.hidden = resolved === 0;
  setText(done, nt("{n} resolved so far.", "{n} resolved so far.", resolved));
  reconcile($("#correction-list"), open, (c) => c.id, createCorrection, (li, c) => updateCorrection(li, c, m));
}

function createCorrection(c) {
  const accept = el("button", { type: "button", class: "resolve accepted", text: t("Accepted"), "data-outcome": "accepted" });
  const note = el("button", { type: "button", class: "resolve noted", text: t("Noted"), "data-outcome": "noted" });
  for (const b of [accept, note]) onPress(b, () => resolveCorrection(c.id, b));
  return el("li", { class: "correction card", "data-correction-id": c.id },
    el("p", { class: "corr-group" }),
    el("div", { class: "corr-response" },
      el("p", { class: "corr-response-head" },
        el("span", { class: "stance" }), " ", el("span", { class: "corr-member", dir: "auto" }),
        el("span", { class: "badge withdrawn-badge", text: t("Withdrawn"), hidden: true })),
      el("p", { class: "corr-response-text user-text", dir: "auto" }),
      el("p", { class: "withdrawn-reason", hidden: true },
        el("strong", { text: t("Withdrawn:") }), " ", el("span", { class: "user-text", dir: "auto" }))),
    el("p", { class: "corr-label", text: t("Correction:") }),
    el("p", { class: "corr-text user-text", dir: "auto" }),
    el("p", { class: "corr-meta" }),
    el("div", { class: "corr-actions" }, accept, note));
}

function updateCorrection(li, c, m) {
  const r = m.responses.get(c.response_id);
  setText(li.querySelector(".corr-group"), groupName(m, c.group_id));
  const stance = li.querySelector(".stance");
  stance.className = `stance ${r?.stance ?? ""}`;
  setText(stance, r ? stanceLabel(r.stance) : "");
  setText(li.querySelector(".corr-member"), r ? r.member : t("The response is not available"));
  li.querySelector(".withdrawn-badge").hidden = !r?.withdrawn;
  const wr = li.querySelector(".withdrawn-reason");
  wr.hidden = !r?.withdrawn;
  setText(wr.querySelector(".user-text"), r?.withdrawn?.reason ?? "");
  setText(li.querySelector(".corr-response-text"), r?.text ?? "");
  setText(li.querySelector(".corr-text"), c.text);
  const meta = li.querySelector(".corr-meta");
  const metaSig = JSON.stringify([c.author?.name ?? null, c.ts, venueZone() ?? ""]);
  if (meta._sig !== metaSig) {
    meta._sig = metaSig;
    meta.replaceChildren(...withNodes(t("from {name} at {time}", { time: clockTime(c.ts) }), {
      name: el("span", { class: "corr-author", dir: "auto", text: c.author?.name ?? t("a participant") }),
    }));
  }
  const busy = send.busy(`resolve:${c.id}`);
  for (const b of li.querySelectorAll("button.resolve")) setInert(b, false, busy);
}

async function resolveCorrection(id, button) {
  const li = button.closest("li");
  // The keyboard goes on to the next correction, on the same choice, once this one leaves.
  const next = li.nextElementSibling ?? li.previousElementSibling;
  const outcome = button.dataset.outcome;
  const ack = await send("correction.resolve", { correction_id: id, outcome }, { key: `resolve:${id}` });
  if (!ack.ok) return;
  thenFocus((m) => Boolean(m.corrections.get(id)?.outcome), () => [li],
    () => [next?.isConnected ? next.querySelector(`button.resolve.${outcome}`) : null, "#corrections-heading"]);
  toast(outcome === "accepted" ? t("Correction marked accepted") : t("Correction marked noted"));
}

// -- logging a Board response --------------------------------------------------------------

const rForm = $("#response-form");
const groupSelect = $("#response-group");
const reason = $("#response-reason");
const formError = $("#response-error");

function renderResponseForm(m) {
  const want = JSON.stringify(m.groups.map((g) => [g.id, groupText(m, g)]));
  if (groupSelect.dataset.groups !== want) {
    const keep = groupSelect.value;
    groupSelect.replaceChildren(
      el("option", { value: "", text: t("Choose a group…") }),
      ...m.groups.map((g) => el("option", { value: g.id, text: groupText(m, g), dir: "auto" })));
    groupSelect.dataset.groups = want;
    groupSelect.value = keep;
  }
  // Follow the plenary focus until the lead chooses a group by hand.
  if (!ui.groupTouched && m.focus && groupSelect.value !== m.focus) groupSelect.value = m.focus;
  updateReasonRequired();
}

function stanceValue() {
  return rForm.querySelector("input[name=stance]:checked")?.value ?? null;
}

function updateReasonRequired() {
  const required = stanceValue() === "decline";
  reason.required = required;
  reason.setAttribute("aria-required", String(required));
  $("#reason-required").hidden = !required;
  $("#reason-optional").hidden = required;
  rForm.classList.toggle("declining", required);
}

groupSelect.addEventListener("change", () => { ui.groupTouched = true; });
rForm.addEventListener("change", (e) => {
  if (e.target.name === "stance") updateReasonRequired();
});

function fieldError(node, message) {
  formError.textContent = message;
  for (const n of rForm.querySelectorAll("[aria-invalid]")) n.removeAttribute("aria-invalid");
  if (node) {
    node.setAttribute("aria-invalid", "true");
    node.focus();
  }
}

rForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  if (send.busy("response")) return; // the same tap again while the first is on its way
  const group_id = groupSelect.value;
  const member = $("#response-member").value.trim();
  const text = $("#response-text").value.trim();
  const stance = stanceValue();
  const why = reason.value.trim();
  if (!group_id) return fieldError(groupSelect, t("Choose the group this response answers."));
  if (!member) return fieldError($("#response-member"), t("Name the Board member who responded."));
  if (!text) return fieldError($("#response-text"), t("Write what the Board member said."));
  if (!stance) return fieldError($("#stance-commit"), t("Choose a stance: commit, consider or decline."));
  if (stance === "decline" && !why) return fieldError(reason, t("A decline needs its reason: say why it will not be done."));
  fieldError(null, "");
  const payload = { group_id, member, text, stance };
  if (why) payload.reason = why;
  // One client_id per intent: the same response sent again is the same write.
  payload.client_id = ui.responseIntent.id(payload);
  const status = $("#response-status");
  setText(status, "");
  const label = groupName(client.model, group_id);
  const submit = $("#response-submit");
  const ack = await send("response.log", payload, {
    key: "response",
    errorKey: "response",
    onQueued() {
      ui.responseIntent.done();
      resetResponseForm();
      setText(status, savedHere(label));
    },
  });
  if (ack.queued) {
    const late = await ack.later;
    if (late.ok && status.textContent === savedHere(label)) setText(status, t("Logged the response to {group}.", { group: label }));
    return;
  }
  if (!ack.ok) return; // refused: the form keeps it, and a retry reuses the client_id
  ui.responseIntent.done();
  resetResponseForm();
  if (focusDropped(submit)) focusFirst($("#response-text"));
  toast(t("Response logged for {group}", { group: label }));
});

const savedHere = (group) => t("Saved on this tablet: the response to {group} is logged when the connection is back.", { group });

function resetResponseForm() {
  // Keep the group and the member: the same person often answers several points.
  $("#response-text").value = "";
  reason.value = "";
  for (const r of rForm.querySelectorAll("input[name=stance]")) r.checked = false;
  updateReasonRequired();
}

// An error about a field goes once that field is edited: it is no longer true.
rForm.addEventListener("input", (e) => {
  setText($("#response-status"), "");
  const invalid = rForm.querySelector("[aria-invalid=true]");
  if (invalid && (invalid === e.target || (invalid.name === "stance" && e.target.name === "stance"))) fieldError(null, "");
});

function renderResponses(m) {
  const list = [...m.responses.values()].sort((a, b) => b.seq - a.seq);
  setText($("#responses-count"), formatNumber(list.length));
  $("#responses-logged").hidden = list.length === 0;
  setInert($("#response-submit"), false, send.busy("response"));
  setText($("#response-submit"), send.busy("response") ? t("Logging…") : t("Log response"));
  reconcile($("#responses"), list, (r) => r.id, createResponse, updateResponse);
}

function createResponse(r) {
  const withdraw = el("button", { type: "button", class: "withdraw small quiet", text: t("Withdraw…") });
  onPress(withdraw, () => withdrawResponse(r.id, withdraw));
  const li = el("li", { class: "response", "data-response-id": r.id, tabindex: "-1" },
    el("p", { class: "response-head" },
      el("span", { class: "stance" }), " ", el("span", { class: "response-group" }), " · ",
      el("span", { class: "response-member", dir: "auto" }),
      el("span", { class: "badge withdrawn-badge", text: t("Withdrawn"), hidden: true })),
    el("p", { class: "response-text user-text", dir: "auto" }),
    el("p", { class: "response-reason" }, ...withNodes(t("Reason: {reason}"), { reason: el("span", { class: "user-text", dir: "auto" }) })),
    el("p", { class: "withdrawn-reason", hidden: true },
      el("strong", { class: "withdrawn-when" }), " ", el("span", { class: "user-text", dir: "auto" })),
    el("div", { class: "response-actions" }, withdraw));
  // Beside the response: "Check with the group" in one tap, then its result, live.
  li._checkback = createCheckback(client, { send: pollSend, changed: scheduler.schedule });
  li.querySelector(".response-actions").before(li._checkback.root);
  return li;
}

function updateResponse(li, r) {
  const m = client.model;
  const stance = li.querySelector(".stance");
  stance.className = `stance ${r.stance}`;
  setText(stance, stanceLabel(r.stance));
  setText(li.querySelector(".response-group"), groupName(m, r.group_id));
  setText(li.querySelector(".response-member"), r.member);
  setText(li.querySelector(".response-text"), r.text);
  const rs = li.querySelector(".response-reason");
  rs.hidden = !r.reason;
  setText(rs.querySelector(".user-text"), r.reason ?? "");
  const w = r.withdrawn;
  li.classList.toggle("withdrawn", Boolean(w));
  li.querySelector(".withdrawn-badge").hidden = !w;
  const wr = li.querySelector(".withdrawn-reason");
  wr.hidden = !w;
  setText(wr.querySelector(".withdrawn-when"), w?.ts ? t("Withdrawn at {time}:", { time: clockTime(w.ts) }) : t("Withdrawn:"));
  setText(wr.querySelector(".user-text"), w?.reason ?? "");
  const button = li.querySelector("button.withdraw");
  button.hidden = Boolean(w);
  setInert(button, false, send.busy(`withdraw:${r.id}`));
  button.setAttribute("aria-label", t("Withdraw the response by {name} to {group}", { name: r.member, group: groupName(m, r.group_id) }));
  li._checkback.update(m, r);
}

async function withdrawResponse(id, button) {
  const r = client.model?.responses.get(id);
  if (!r || r.withdrawn) return;
  const reasonText = await askReason({
    title: t("Withdraw this Board response?"),
    message: t("It stays on the record, marked withdrawn, with your reason: on the projector, every phone and the record of the day."),
    quote: `${r.member}: ${r.text}`,
    label: t("Why is it withdrawn?"),
    hint: t("For example: logged for the wrong group, or the Board member corrected it."),
    confirm: t("Withdraw"),
    required: t("Write why it is withdrawn: the hall saw it, so it is owed the reason."),
  });
  if (!reasonText) return;
  const li = button.closest("li");
  const ack = await send("response.withdraw", { response_id: id, reason: reasonText }, { key: `withdraw:${id}` });
  if (!ack.ok) return;
  // The button is gone: the keyboard stays on the response, which now says withdrawn.
  thenFocus((m) => Boolean(m.responses.get(id)?.withdrawn), () => [li], () => [li]);
  toast(t("Response withdrawn, with its reason"));
}

client.on("change", scheduler.schedule);
client.on("status", scheduler.schedule);
client.start();
