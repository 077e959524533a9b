// The lead facilitator's tablet: the agenda and its timer, the plenary focus, every group
// at a glance, the correction queue, and logging Board responses on the Board's behalf.

import { createClient, secretFromPath } from "/static/client.js";
import { currentSlot, formatRemaining, groupName, remainingMs } from "/static/model.js";
import {
  $, bindStatus, clockTime, confirmAction, createAlerts, createSender, el, formatDuration,
  mountCountdown, reconcile, reportClientErrors, runElapsedMs, setText, timeAgo, toast,
} from "/console/console-common.js";

const KIND = { welcome: "Welcome", group_work: "Group work", break: "Break", plenary: "Plenary", close: "Close" };
const STANCE = { commit: "Commit", consider: "Consider", decline: "Decline" };

const client = createClient({ token: secretFromPath() });
window.townhall = client;

const alerts = createAlerts($("#alerts"));
const send = createSender(client, alerts, () => render());
bindStatus(client, $("#status"));
reportClientErrors(client, alerts);

const ui = { groupTouched: false };

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

function nextSlot(m) {
  const slot = currentSlot(m);
  const idx = slot ? m.agenda.indexOf(slot) : -1;
  return m.agenda[idx + 1] ?? null;
}

function renderTimer(m) {
  const t = m.timer ?? { status: "idle" };
  const slot = currentSlot(m);
  setText($("#slot-title"), slot ? slot.title : "No part of the day has started");
  setText($("#timer-state"), { running: "Now running", paused: "Paused", idle: "Not started" }[t.status] ?? "");
  const next = nextSlot(m);
  setText($("#slot-next"), next ? `Next: ${next.title} (${next.minutes} min)` : slot ? "This is the last part of the day" : "");
  $("#pause").disabled = t.status !== "running";
  $("#resume").disabled = t.status !== "paused";
  $("#extend-1").disabled = t.status === "idle";
  $("#extend-5").disabled = t.status === "idle";
  const startNext = $("#start-next");
  startNext.hidden = !next;
  if (next) {
    setText(startNext, slot ? `Start next: ${next.title}` : `Start: ${next.title}`);
    startNext.dataset.slotId = next.id;
  }
}

// -- agenda --------------------------------------------------------------------------------

function renderAgenda(m) {
  reconcile($("#agenda"), m.agenda, (s) => s.id, createSlot, (li, s) => updateSlot(li, s, m));
}

function createSlot(s) {
  const start = el("button", { type: "button", class: "slot-start", text: "Start" });
  start.addEventListener("click", () => startSlot(s.id, start));
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
  start.disabled = current;
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
  const ack = await send("agenda.start", { slot_id: slotId }, button);
  if (!ack.ok) return;
  // A plenary slot names the group presenting: bring it into focus in the same tap.
  if (slot.kind === "plenary" && slot.group_id && client.model.focus !== slot.group_id) {
    const focus = await send("plenary.focus", { group_id: slot.group_id });
    if (focus.ok) {
      toast(`Started: ${slot.title}. ${groupName(client.model, slot.group_id)} is in focus.`);
      return;
    }
  }
  toast(`Started: ${slot.title}`);
}

$("#start-next").addEventListener("click", (e) => {
  const id = e.currentTarget.dataset.slotId;
  if (id) startSlot(id, e.currentTarget);
});
$("#pause").addEventListener("click", (e) => send("timer.pause", {}, e.currentTarget));
$("#resume").addEventListener("click", (e) => send("timer.resume", {}, e.currentTarget));
$("#extend-1").addEventListener("click", (e) => extend(60, e.currentTarget));
$("#extend-5").addEventListener("click", (e) => extend(300, e.currentTarget));

async function extend(seconds, button) {
  const ack = await send("timer.extend", { seconds }, button);
  if (ack.ok) toast(`Added ${seconds / 60} min`);
}

// -- plenary focus -------------------------------------------------------------------------

function renderFocus(m) {
  const choices = [...m.groups.map((g) => ({ id: g.id, name: g.name })), { id: "", name: "No group" }];
  const presenting = currentSlot(m)?.group_id ?? null;
  reconcile($("#focus-buttons"), choices, (c) => c.id || "none", (c) => {
    const b = el("button", { type: "button", class: "focus-btn", "data-group-id": c.id },
      el("span", { class: "focus-name" }), el("span", { class: "focus-hint" }));
    b.addEventListener("click", () => {
      if (b.getAttribute("aria-pressed") === "true") return;
      send("plenary.focus", { group_id: c.id || null }, b);
    });
    return b;
  }, (b, c) => {
    const on = (m.focus ?? "") === c.id;
    b.setAttribute("aria-pressed", String(on));
    b.classList.toggle("none", !c.id);
    setText(b.querySelector(".focus-name"), c.name);
    setText(b.querySelector(".focus-hint"), c.id && c.id === presenting ? "on the agenda now" : on ? "in focus" : "");
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
  for (const b of [accept, note]) {
    b.addEventListener("click", async () => {
      const ack = await send("correction.resolve", { correction_id: c.id, outcome: b.dataset.outcome }, b);
      if (ack.ok) toast(`Correction marked ${b.dataset.outcome}`);
    });
  }
  return el("li", { class: "correction card", "data-correction-id": c.id },
    el("p", { class: "corr-group" }),
    el("div", { class: "corr-response" },
      el("p", { class: "corr-response-head" },
        el("span", { class: "stance" }), " ", el("span", { class: "corr-member" })),
      el("p", { class: "corr-response-text user-text" })),
    el("p", { class: "corr-label", text: "Correction:" }),
    el("p", { class: "corr-text user-text" }),
    el("p", { class: "corr-meta" }),
    el("div", { class: "corr-actions" }, accept, note));
}

function updateCorrection(li, c, m) {
  const r = m.responses.get(c.response_id);
  setText(li.querySelector(".corr-group"), groupName(m, c.group_id));
  const stance = li.querySelector(".stance");
  stance.className = `stance ${r?.stance ?? ""}`;
  setText(stance, r ? STANCE[r.stance] ?? r.stance : "");
  setText(li.querySelector(".corr-member"), r ? `${r.member} said:` : "The response is not available");
  setText(li.querySelector(".corr-response-text"), r?.text ?? "");
  setText(li.querySelector(".corr-text"), c.text);
  setText(li.querySelector(".corr-meta"), `from ${c.author?.name ?? "a participant"} at ${clockTime(c.ts)}`);
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
  const ack = await send("response.log", payload, $("#response-submit"));
  if (!ack.ok) return;
  // Keep the group and the member: the same person often answers several points.
  $("#response-text").value = "";
  reason.value = "";
  for (const r of rForm.querySelectorAll("input[name=stance]")) r.checked = false;
  updateReasonRequired();
  toast(`Response logged for ${groupName(client.model, group_id)}`);
});

function renderResponses(m) {
  const list = [...m.responses.values()].sort((a, b) => b.seq - a.seq);
  setText($("#responses-count"), String(list.length));
  $("#responses-logged").hidden = list.length === 0;
  reconcile($("#responses"), list, (r) => r.id, () => el("li", { class: "response" },
    el("p", { class: "response-head" },
      el("span", { class: "stance" }), " ", el("span", { class: "response-group" }), " · ",
      el("span", { class: "response-member" })),
    el("p", { class: "response-text user-text" }),
    el("p", { class: "response-reason user-text" })), (li, r) => {
    const stance = li.querySelector(".stance");
    stance.className = `stance ${r.stance}`;
    setText(stance, STANCE[r.stance] ?? r.stance);
    setText(li.querySelector(".response-group"), groupName(m, r.group_id));
    setText(li.querySelector(".response-member"), r.member);
    setText(li.querySelector(".response-text"), r.text);
    const rs = li.querySelector(".response-reason");
    rs.hidden = !r.reason;
    setText(rs, r.reason ? `Reason: ${r.reason}` : "");
  });
}

client.on("change", render);
client.start();
