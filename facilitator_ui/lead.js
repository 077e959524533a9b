// The lead facilitator's tablet: the agenda and its timer, the plenary focus, every group
// at a glance, the correction queue, and logging Board responses on the Board's behalf.

import { createClient, secretFromPath } from "/static/client.js";
import { currentSlot, formatRemaining, groupName, nextSlot, remainingMs } from "/static/model.js";
import {
  $, askReason, bindStatus, clockTime, confirmAction, createAlerts, createFollowUps, createIntent, createScheduler,
  createSender, el, focusDropped, focusFirst, formatDuration, isInert, mountCountdown, reconcile,
  runElapsedMs, setInert, setText, timeAgo, toast,
} from "/console/console-common.js";

const KIND = { welcome: "Welcome", group_work: "Group work", break: "Break", plenary: "Plenary", close: "Close" };
const STANCE = { commit: "Commit", consider: "Consider", decline: "Decline" };

const client = createClient({ token: secretFromPath() });
window.townhall = client;

const scheduler = createScheduler(render);
const followUps = createFollowUps();
const alerts = createAlerts($("#alerts"));
const send = createSender(client, alerts, scheduler.schedule);
bindStatus(client, $("#status"));

const ui = { groupTouched: false, responseIntent: createIntent() };

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
  setText($("#assembly-title"), m.assembly?.title || "Assembly");
  document.title = `Lead · ${m.assembly?.title || "townhall"}`;
  renderTimer(m);
  renderAgenda(m);
  renderFocus(m);
  renderGroups(m);
  renderCorrections(m);
  renderResponseForm(m);
  renderResponses(m);
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
  const t = m.timer ?? { status: "idle" };
  const idle = t.status !== "running" && t.status !== "paused";
  const slot = idle ? null : currentSlot(m);
  const ended = idle && t.ended_slot_id ? m.agenda.find((s) => s.id === t.ended_slot_id) : null;
  setText($("#slot-title"), slot ? slot.title
    : m.runs.length ? "No part of the day is running" : "No part of the day has started");
  setText($("#timer-state"), t.status === "running" ? "Now running" : t.status === "paused" ? "Paused"
    : ended ? `Ended: ${ended.title}${t.ended_at ? ` at ${clockTime(t.ended_at)}` : ""}` : "Not started");
  // What is left to run, not the next in agenda order (model.js nextSlot).
  const next = nextSlot(m);
  setText($("#slot-next"), next ? `Next: ${next.title} (${next.minutes} min)`
    : slot ? "This is the last part of the day" : m.runs.length ? "Every part of the day has run" : "");
  setInert($("#pause"), t.status !== "running", send.busy("timer"));
  setInert($("#resume"), t.status !== "paused", send.busy("timer"));
  setInert($("#extend-1"), idle, send.busy("timer"));
  setInert($("#extend-5"), idle, send.busy("timer"));
  const end = $("#end-slot");
  end.hidden = idle;
  setInert(end, idle, send.busy("end"));
  if (slot) end.setAttribute("aria-label", `End this part of the day: ${slot.title}`);
  const startNext = $("#start-next");
  startNext.hidden = !next;
  if (next) {
    setText(startNext, slot ? `Start next: ${next.title}` : `Start: ${next.title}`);
    startNext.dataset.slotId = next.id;
    setInert(startNext, false, send.busy("start"));
  }
}

// -- agenda --------------------------------------------------------------------------------

function renderAgenda(m) {
  reconcile($("#agenda"), m.agenda, (s) => s.id, createSlot, (li, s) => updateSlot(li, s, m));
}

function createSlot(s) {
  const start = el("button", { type: "button", class: "slot-start", text: "Start" });
  onPress(start, () => startSlot(s.id, start));
  return el("li", { class: "slot", "data-slot-id": s.id },
    el("div", { class: "slot-main" },
      el("p", { class: "slot-head" },
        el("span", { class: "slot-kind" }), el("span", { class: "badge now-badge", text: "Now", hidden: true })),
      el("p", { class: "slot-title" }),
      el("p", { class: "slot-times" },
        el("span", { class: "slot-planned" }), el("span", { class: "slot-actual" }))),
    start);
}

function updateSlot(li, s, m) {
  const current = m.timer?.slot_id === s.id && m.timer.status !== "idle";
  li.classList.toggle("current", current);
  if (current) li.setAttribute("aria-current", "step");
  else li.removeAttribute("aria-current");
  li.querySelector(".now-badge").hidden = !current;
  setText(li.querySelector(".slot-kind"), KIND[s.kind] ?? s.kind ?? "");
  const presenting = s.group_id ? ` · ${groupName(m, s.group_id)}` : "";
  setText(li.querySelector(".slot-title"), s.title);
  li.querySelector(".slot-kind").dataset.kind = s.kind ?? "";
  setText(li.querySelector(".slot-planned"), `${s.minutes} min planned${presenting}`);
  const runs = m.runs.filter((r) => r.slot_id === s.id);
  li.classList.toggle("done", runs.length > 0 && !current);
  const start = li.querySelector(".slot-start");
  setInert(start, current, send.busy("start"));
  const label = current ? (m.timer.status === "paused" ? "Paused" : "Running") : runs.length ? "Start again" : "Start";
  setText(start, label);
  start.setAttribute("aria-label", `${label}: ${s.title}`);
  updateSlotTimes(li, m, client.now());
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
  const parts = [` · ${running ? "so far" : "took"} ${formatDuration(elapsed)}`];
  if (added) parts.push(` (+${Math.round(added / 60000) || "<1"} min added)`);
  if (runs.length > 1) parts.push(` in ${runs.length} runs`);
  setText(actual, parts.join(""));
  actual.classList.toggle("over", elapsed > planned);
}

async function startSlot(slotId, button) {
  const m = client.model;
  const slot = m.agenda.find((s) => s.id === slotId);
  const running = currentSlot(m);
  if (running && m.timer.status !== "idle" && running.id !== slotId) {
    const ms = remainingMs(m.timer, client.now());
    const left = ms == null ? "" : ms < 0 ? ` (${formatRemaining(ms)})` : ` (${formatRemaining(ms)} left)`;
    const yes = await confirmAction({
      title: `Start “${slot.title}”?`,
      message: `“${running.title}” is still ${m.timer.status === "paused" ? "paused" : "running"}${left}. Starting this ends it for everyone.`,
      confirm: "Start",
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
      toast(`Started: ${slot.title}. ${groupName(client.model, slot.group_id)} is in focus.`);
      return;
    }
  }
  toast(`Started: ${slot.title}`);
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
  if (ack.ok) toast(`Added ${seconds / 60} min`);
}

async function endSlot(button) {
  const m = client.model;
  const slot = currentSlot(m);
  if (!slot || m.timer.status === "idle") return;
  const next = nextSlot(m);
  const yes = await confirmAction({
    title: `End “${slot.title}” now?`,
    message: "The countdown stops on the projector and every phone, and nothing runs until you start the next part."
      + (next ? ` Next on the agenda: ${next.title}.` : ""),
    confirm: "End it now",
    danger: true,
  });
  if (!yes) return;
  const ack = await send("agenda.end", {}, { key: "end" });
  if (!ack.ok) return;
  thenFocus((m) => m.timer.status === "idle", () => [button], () => ["#start-next", "#agenda-heading"]);
  toast(`Ended: ${slot.title}`);
}

// -- plenary focus -------------------------------------------------------------------------

function renderFocus(m) {
  const choices = [...m.groups.map((g) => ({ id: g.id, name: g.name })), { id: "", name: "No group" }];
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
    setText(b.querySelector(".focus-hint"), c.id && c.id === presenting ? "on the agenda now" : on ? "in focus" : "");
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
    setText(tr.querySelector(".group-cell"), g.name);
    tr.classList.toggle("in-focus", m.focus === g.id);
    setText(tr.querySelector(".col-joined"), String(s.joined));
    setText(tr.querySelector(".col-notes"), String(s.notes));
    setText(tr.querySelector(".published-count"), String(s.published));
    setText(tr.querySelector(".drafts"), s.drafts ? ` +${s.drafts} draft${s.drafts === 1 ? "" : "s"}` : "");
    setText(tr.querySelector(".col-activity"), timeAgo(m.lastActivity?.[g.id], now));
  });
}

// -- corrections ---------------------------------------------------------------------------

function renderCorrections(m) {
  const all = [...m.corrections.values()];
  const open = all.filter((c) => !c.outcome).sort((a, b) => a.seq - b.seq);
  const resolved = all.length - open.length;
  setText($("#corrections-count"), String(open.length));
  $("#corrections-empty").hidden = open.length > 0;
  const done = $("#corrections-resolved");
  done.hidden = resolved === 0;
  setText(done, `${resolved} resolved so far.`);
  reconcile($("#correction-list"), open, (c) => c.id, createCorrection, (li, c) => updateCorrection(li, c, m));
}

function createCorrection(c) {
  const accept = el("button", { type: "button", class: "resolve accepted", text: "Accepted", "data-outcome": "accepted" });
  const note = el("button", { type: "button", class: "resolve noted", text: "Noted", "data-outcome": "noted" });
  for (const b of [accept, note]) onPress(b, () => resolveCorrection(c.id, b));
  return el("li", { class: "correction card", "data-correction-id": c.id },
    el("p", { class: "corr-group" }),
    el("div", { class: "corr-response" },
      el("p", { class: "corr-response-head" },
        el("span", { class: "stance" }), " ", el("span", { class: "corr-member", dir: "auto" }),
        el("span", { class: "badge withdrawn-badge", text: "Withdrawn", hidden: true })),
      el("p", { class: "corr-response-text user-text", dir: "auto" }),
      el("p", { class: "withdrawn-reason", hidden: true },
        el("strong", { text: "Withdrawn: " }), el("span", { class: "user-text", dir: "auto" }))),
    el("p", { class: "corr-label", text: "Correction:" }),
    el("p", { class: "corr-text user-text", dir: "auto" }),
    el("p", { class: "corr-meta" }, "from ", el("span", { class: "corr-author", dir: "auto" }), el("span", { class: "corr-time" })),
    el("div", { class: "corr-actions" }, accept, note));
}

function updateCorrection(li, c, m) {
  const r = m.responses.get(c.response_id);
  setText(li.querySelector(".corr-group"), groupName(m, c.group_id));
  const stance = li.querySelector(".stance");
  stance.className = `stance ${r?.stance ?? ""}`;
  setText(stance, r ? STANCE[r.stance] ?? r.stance : "");
  setText(li.querySelector(".corr-member"), r ? r.member : "The response is not available");
  li.querySelector(".withdrawn-badge").hidden = !r?.withdrawn;
  const wr = li.querySelector(".withdrawn-reason");
  wr.hidden = !r?.withdrawn;
  setText(wr.querySelector(".user-text"), r?.withdrawn?.reason ?? "");
  setText(li.querySelector(".corr-response-text"), r?.text ?? "");
  setText(li.querySelector(".corr-text"), c.text);
  setText(li.querySelector(".corr-author"), c.author?.name ?? "a participant");
  setText(li.querySelector(".corr-time"), ` at ${clockTime(c.ts)}`);
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
  toast(`Correction marked ${outcome}`);
}

// -- logging a Board response --------------------------------------------------------------

const rForm = $("#response-form");
const groupSelect = $("#response-group");
const reason = $("#response-reason");
const formError = $("#response-error");

function renderResponseForm(m) {
  const want = m.groups.map((g) => g.id).join("|");
  if (groupSelect.dataset.groups !== want) {
    const keep = groupSelect.value;
    groupSelect.replaceChildren(
      el("option", { value: "", text: "Choose a group…" }),
      ...m.groups.map((g) => el("option", { value: g.id, text: g.name })));
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
  if (!group_id) return fieldError(groupSelect, "Choose the group this response answers.");
  if (!member) return fieldError($("#response-member"), "Name the Board member who responded.");
  if (!text) return fieldError($("#response-text"), "Write what the Board member said.");
  if (!stance) return fieldError($("#stance-commit"), "Choose a stance: commit, consider or decline.");
  if (stance === "decline" && !why) return fieldError(reason, "A decline needs its reason: say why it will not be done.");
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
      setText(status, `Saved on this tablet: the response to ${label} is logged when the connection is back.`);
    },
  });
  if (ack.queued) {
    const late = await ack.later;
    if (late.ok && status.textContent.startsWith("Saved on this tablet")) setText(status, `Logged the response to ${label}.`);
    return;
  }
  if (!ack.ok) return; // refused: the form keeps it, and a retry reuses the client_id
  ui.responseIntent.done();
  resetResponseForm();
  if (focusDropped(submit)) focusFirst($("#response-text"));
  toast(`Response logged for ${label}`);
});

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
  setText($("#responses-count"), String(list.length));
  $("#responses-logged").hidden = list.length === 0;
  setInert($("#response-submit"), false, send.busy("response"));
  setText($("#response-submit"), send.busy("response") ? "Logging…" : "Log response");
  reconcile($("#responses"), list, (r) => r.id, createResponse, updateResponse);
}

function createResponse(r) {
  const withdraw = el("button", { type: "button", class: "withdraw small quiet", text: "Withdraw…" });
  onPress(withdraw, () => withdrawResponse(r.id, withdraw));
  const li = el("li", { class: "response", "data-response-id": r.id, tabindex: "-1" },
    el("p", { class: "response-head" },
      el("span", { class: "stance" }), " ", el("span", { class: "response-group" }), " · ",
      el("span", { class: "response-member", dir: "auto" }),
      el("span", { class: "badge withdrawn-badge", text: "Withdrawn", hidden: true })),
    el("p", { class: "response-text user-text", dir: "auto" }),
    el("p", { class: "response-reason" }, "Reason: ", el("span", { class: "user-text", dir: "auto" })),
    el("p", { class: "withdrawn-reason", hidden: true },
      el("strong", { text: "Withdrawn" }), el("span", { class: "withdrawn-when" }), ": ",
      el("span", { class: "user-text", dir: "auto" })),
    el("div", { class: "response-actions" }, withdraw));
  return li;
}

function updateResponse(li, r) {
  const m = client.model;
  const stance = li.querySelector(".stance");
  stance.className = `stance ${r.stance}`;
  setText(stance, STANCE[r.stance] ?? r.stance);
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
  setText(wr.querySelector(".withdrawn-when"), w?.ts ? ` at ${clockTime(w.ts)}` : "");
  setText(wr.querySelector(".user-text"), w?.reason ?? "");
  const button = li.querySelector("button.withdraw");
  button.hidden = Boolean(w);
  setInert(button, false, send.busy(`withdraw:${r.id}`));
  button.setAttribute("aria-label", `Withdraw the response by ${r.member} to ${groupName(m, r.group_id)}`);
}

async function withdrawResponse(id, button) {
  const r = client.model?.responses.get(id);
  if (!r || r.withdrawn) return;
  const reasonText = await askReason({
    title: "Withdraw this Board response?",
    message: "It stays on the record, marked withdrawn, with your reason: on the projector, every phone and the record of the day.",
    quote: `${r.member}: ${r.text}`,
    label: "Why is it withdrawn?",
    hint: "For example: logged for the wrong group, or the Board member corrected it.",
    confirm: "Withdraw",
    required: "Write why it is withdrawn: the hall saw it, so it is owed the reason.",
  });
  if (!reasonText) return;
  const li = button.closest("li");
  const ack = await send("response.withdraw", { response_id: id, reason: reasonText }, { key: `withdraw:${id}` });
  if (!ack.ok) return;
  // The button is gone: the keyboard stays on the response, which now says withdrawn.
  thenFocus((m) => Boolean(m.responses.get(id)?.withdrawn), () => [li], () => [li]);
  toast("Response withdrawn, with its reason");
}

client.on("change", scheduler.schedule);
client.on("status", scheduler.schedule);
client.start();
