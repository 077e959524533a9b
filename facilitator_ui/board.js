// The Board's tablet in the plenary: for the group presenting, its published key points,
// a form to log the Board's response (commit / consider / decline, with a reason for a
// decline), the responses already logged, and participants' corrections to resolve.
// It only renders the model the shared client keeps; text from people goes in with
// textContent, and lists are reconciled by id so a focused button is never re-created.

import { applyDocument, assemblyTitle, errorText, formatNumber, groupText, nt, t } from "/static/i18n.js";
import { createClient, secretFromPath } from "/static/client.js";
import { el } from "/static/dom.js";
import {
  askReason, capitalise, clockTime, createFollowUps, createIntent, createScheduler, describeStatus, focusDropped,
  focusFirst, groupLabel as groupName, mountLanguagePicker, mountVenueClock, setInert, venueZone, withNodes,
  wireSkipLinks,
} from "/console/console-common.js";
import { createCheckback } from "/console/polls.js";

const $ = (id) => document.getElementById(id);
const TEXT_MAX = 1000;
const NAME_MAX = 60;
const STANCE_LABEL = { commit: () => t("Commit"), consider: () => t("Consider"), decline: () => t("Decline") };
const OUTCOME_LABEL = { accepted: () => t("Accepted"), noted: () => t("Noted") };
const stanceLabel = (stance) => STANCE_LABEL[stance]?.() ?? stance;
const outcomeLabel = (outcome) => OUTCOME_LABEL[outcome]?.() ?? outcome;
const MEMBER_KEY = "townhall:board:member";
const SLOW_ACK_MS = 4000;

const storage = {
  get(key) { try { return localStorage.getItem(key) ?? ""; } catch { return ""; } },
  set(key, value) { try { localStorage.setItem(key, value); } catch { /* private mode */ } },
};

const setText = (node, text) => { if (node.textContent !== text) node.textContent = text; };
/** A time of day of the server's clock, in the venue's time zone. */
const clock = (ts) => clockTime(ts);
/** What the server said, in the visitor's language. */
const refusal = (error) => capitalise(errorText(error)) || t("The server refused this.");

/**
 * Make `list`'s children the nodes for `items`, in order, reusing a node whose key and
 * signature are unchanged, and moving nothing that is already in place (a moved node
 * loses focus).
 */
function reconcile(list, items, key, signature, build, update) {
  const old = new Map([...list.children].map((n) => [n.dataset.key, n]));
  let cursor = list.firstElementChild;
  for (const item of items) {
    const k = key(item);
    const sig = signature(item);
    let node = old.get(k);
    old.delete(k);
    if (!node || node.dataset.sig !== sig) {
      const fresh = build(item);
      fresh.dataset.key = k;
      fresh.dataset.sig = sig;
      if (node) {
        // Changed: the new node takes the old one's place.
        node.replaceWith(fresh);
        if (cursor === node) cursor = fresh;
      }
      node = fresh;
    }
    update?.(node, item);
    if (node === cursor) cursor = cursor.nextElementSibling;
    else list.insertBefore(node, cursor);
  }
  for (const n of old.values()) n.remove();
}

// -- the client ----------------------------------------------------------------------

applyDocument();
const client = createClient({ token: secretFromPath() });
window.townhall = client;
mountVenueClock(client, $("venue-clock"));
mountLanguagePicker($("bar-tools"));

let selected = null;     // the group on screen
let lastFocus;           // the plenary focus we last followed (undefined: none yet)
const resolving = new Map(); // correction id -> outcome being sent
const withdrawing = new Set(); // response ids whose withdrawal is on its way
const responseIntent = createIntent(); // the client_id of the response being logged

const scheduler = createScheduler(render);
const scheduleRender = scheduler.schedule;
const followUps = createFollowUps();
wireSkipLinks();

client.on("change", scheduleRender);
client.on("status", (status) => {
  const line = $("status");
  line.dataset.state = status.state;
  setText(line, describeStatus(status));
  scheduleRender(); // the queue of unsent writes may have changed
});
client.on("error", (error) => {
  // A queued write the server refused for good (the page may have been reloaded since).
  if (!error.item) return;
  const message = refusal(error);
  if (error.item.name === "correction.resolve") {
    resolving.delete(error.item.payload.correction_id);
    setText($("resolve-error"), message);
    scheduleRender();
  } else if (error.item.name === "response.withdraw") {
    withdrawing.delete(error.item.payload.response_id);
    setText($("resolve-error"), t("Not withdrawn: {message}", { message }));
    scheduleRender();
  } else if (error.item.name === "response.log") {
    showFormError(t("Not logged: {message}", { message }));
  }
});

// -- rendering -----------------------------------------------------------------------

function render() {
  const m = client.model;
  if (!m) return;
  if (!m.groups.some((g) => g.id === selected)) selected = null;
  if (m.focus !== lastFocus) {
    // Follow the plenary to the group presenting, unless a response is half written.
    if (m.focus && (selected == null || formIsEmpty())) selected = m.focus;
    lastFocus = m.focus;
  }
  selected ??= m.focus ?? m.groups[0]?.id ?? null;
  setText($("assembly-title"), assemblyTitle(m));
  renderTabs(m);
  renderGroup(m);
  followUps.run();
}

function renderTabs(m) {
  const responses = [...m.responses.values()];
  const open = [...m.corrections.values()].filter((c) => c.outcome == null);
  reconcile($("group-tabs"), m.groups, (g) => g.id, () => "", (g) => {
    const tab = el("button", {
      type: "button", role: "tab", id: `tab-${g.id}`, class: "group-tab",
      "aria-controls": "group-panel",
    });
    tab.addEventListener("click", () => select(g.id));
    return tab;
  }, (tab, g) => {
    const count = responses.filter((r) => r.group_id === g.id).length;
    const waiting = open.filter((c) => c.group_id === g.id).length;
    const isSelected = g.id === selected;
    tab.setAttribute("aria-selected", String(isSelected));
    tab.tabIndex = isSelected ? 0 : -1;
    tab.dataset.group = g.id;
    tab.classList.toggle("in-focus", g.id === m.focus);
    const name = groupText(m, g);
    const sig = `${name}|${g.id === m.focus}|${count}|${waiting}`;
    if (tab.dataset.content === sig) return;
    tab.dataset.content = sig;
    const badges = el("span", { class: "tab-badges" });
    if (g.id === m.focus) badges.append(el("span", { class: "badge focus", text: t("In focus") }));
    badges.append(el("span", { class: "badge", text: nt("{n} response", "{n} responses", count) }));
    if (waiting) badges.append(el("span", { class: "badge waiting", text: nt("{n} to resolve", "{n} to resolve", waiting) }));
    tab.replaceChildren(el("span", { class: "tab-name", dir: "auto", text: name }), badges);
  });
}

function select(gid, focusTab = false) {
  if (gid === selected) return;
  selected = gid;
  setText($("form-error"), "");
  setText($("form-done"), "");
  render();
  if (focusTab) $(`tab-${gid}`)?.focus();
}

// Arrow keys move between the tabs (the ARIA tabs pattern).
$("group-tabs").addEventListener("keydown", (event) => {
  const m = client.model;
  if (!m || !m.groups.length) return;
  const i = m.groups.findIndex((g) => g.id === selected);
  const n = m.groups.length;
  // Right to left, the next tab is on the left.
  const ahead = getComputedStyle(event.currentTarget).direction === "rtl" ? -1 : 1;
  const to = { ArrowRight: i + ahead, ArrowDown: i + 1, ArrowLeft: i - ahead, ArrowUp: i - 1, Home: 0, End: n - 1 }[event.key];
  if (to == null) return;
  event.preventDefault();
  select(m.groups[(to + n) % n].id, true);
});

function renderGroup(m) {
  const gid = selected;
  const name = gid ? groupName(m, gid) : t("No groups");
  setText($("group-heading"), name);
  setText($("form-group"), name);
  $("group-panel").setAttribute("aria-labelledby", gid ? `tab-${gid}` : "group-heading");
  $("focus-note").hidden = !(gid && gid === m.focus);
  document.title = t("Board · {group} · townhall", { group: name });

  // Published key points, in the group's order (then the order they were published).
  const kps = [...m.keypoints.values()]
    .filter((k) => k.group_id === gid && k.published)
    .sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity)
      || (a.published_at ?? 0) - (b.published_at ?? 0));
  reconcile($("keypoints"), kps, (k) => k.id, (k) => k.text,
    // The number stays on the list's side whatever the direction of the text.
    (k) => el("li", { class: "keypoint" }, el("p", { class: "keypoint-text user-text", dir: "auto", text: k.text })));
  $("keypoints-empty").hidden = kps.length > 0;

  const responses = [...m.responses.values()]
    .filter((r) => r.group_id === gid)
    .sort((a, b) => a.seq - b.seq);
  const corrections = [...m.corrections.values()].sort((a, b) => a.seq - b.seq);
  reconcile($("responses"), responses, (r) => r.id,
    (r) => JSON.stringify([r.member, r.text, r.stance, r.reason, r.withdrawn?.reason ?? null, withdrawing.has(r.id), venueZone() ?? ""]),
    buildResponse,
    (li, r) => {
      renderCorrections(li, corrections.filter((c) => c.response_id === r.id));
      li._checkback?.update(m, r);
    });
  // Responses logged while offline wait in the client's queue until the server has them.
  const waiting = client.pending().filter((item) => item.name === "response.log" && item.payload.group_id === gid);
  reconcile($("pending-responses"), waiting, (item) => item.id, () => venueZone() ?? "", (item) => {
    const li = buildResponse({ ...item.payload, id: item.id, ts: item.queuedAt });
    li.className = `pending-response ${item.payload.stance}`;
    li.removeAttribute("data-response-id");
    li.querySelector(".response-head").append(el("span", { class: "waiting-note", text: t("Waiting to be sent") }));
    return li;
  });
  $("responses-empty").hidden = responses.length + waiting.length > 0;
}

function buildResponse(r) {
  const w = r.withdrawn;
  const li = el("li", { class: `response ${r.stance}${w ? " withdrawn" : ""}`, "data-response-id": r.id, tabindex: "-1" });
  li.append(
    el("p", { class: "response-head" },
      el("span", { class: `stance-badge ${r.stance}`, text: stanceLabel(r.stance) }),
      w ? el("span", { class: "withdrawn-badge", text: t("Withdrawn") }) : null,
      " ",
      el("span", { class: "member", dir: "auto", text: r.member }),
      el("span", { class: "when", text: ` · ${clock(r.ts)}` })),
    el("p", { class: "response-text user-text", dir: "auto", text: r.text }));
  if (r.reason) {
    li.append(el("p", { class: "reason" },
      el("span", { class: "reason-label", text: t("Reason:") }), " ",
      el("span", { class: "user-text", dir: "auto", text: r.reason })));
  }
  if (r.id && client.model?.responses.has(r.id)) {
    // Whether the group thinks the Board heard it right (CONTRACT §9 check-back), live.
    li._checkback = createCheckback(client);
    li.append(li._checkback.root);
  }
  if (w) {
    li.append(el("p", { class: "withdrawn-reason" },
      el("span", { class: "reason-label", text: w.ts ? t("Withdrawn at {time}:", { time: clock(w.ts) }) : t("Withdrawn:") }), " ",
      el("span", { class: "user-text", dir: "auto", text: w.reason })));
  } else if (r.id && client.model?.responses.has(r.id)) {
    const busy = withdrawing.has(r.id);
    const button = el("button", {
      type: "button", class: "withdraw", text: busy ? t("Withdrawing…") : t("Withdraw…"),
      "aria-label": t("Withdraw the response by {name}", { name: r.member }),
    });
    setInert(button, false, busy);
    button.addEventListener("click", () => { if (!withdrawing.has(r.id)) withdraw(r.id); });
    li.append(el("div", { class: "response-actions" }, button));
  }
  const section = el("div", { class: "corrections-block", hidden: true });
  section.append(el("h4", { text: t("Corrections from participants") }), el("ul", { class: "corrections" }));
  li.append(section);
  return li;
}

function renderCorrections(li, list) {
  const block = li.querySelector(".corrections-block");
  block.hidden = list.length === 0;
  reconcile(block.querySelector("ul"), list, (c) => c.id,
    (c) => JSON.stringify([c.text, c.outcome, resolving.get(c.id) ?? null, venueZone() ?? ""]), buildCorrection);
}

function buildCorrection(c) {
  const li = el("li", { class: "correction", "data-correction-id": c.id, "data-outcome": c.outcome ?? "open" });
  const textId = `corr-${c.id}`;
  li.append(
    el("p", { class: "correction-text user-text", dir: "auto", id: textId, text: c.text }),
    el("p", { class: "meta" }, ...withNodes(t("From {name}"), {
      name: el("span", { dir: "auto", text: c.author?.name ?? t("a participant") }),
    }), ` · ${clock(c.ts)}`));
  if (c.outcome) {
    li.append(el("p", { class: "outcome" },
      el("span", { class: `outcome-badge ${c.outcome}`, text: outcomeLabel(c.outcome) }),
      c.resolved_at ? el("span", { class: "when", text: ` · ${clock(c.resolved_at)}` }) : null));
    return li;
  }
  const sending = resolving.get(c.id);
  const row = el("div", { class: "resolve", role: "group", "aria-label": t("Resolve this correction") });
  for (const outcome of ["accepted", "noted"]) {
    const button = el("button", {
      type: "button", class: `resolve-${outcome}${outcome === "accepted" ? " primary" : ""}`,
      text: outcomeLabel(outcome), "aria-describedby": textId, "data-outcome": outcome,
    });
    // aria-disabled, not disabled, while it is sent: the keyboard stays on the button.
    setInert(button, false, Boolean(sending));
    button.addEventListener("click", () => { if (!resolving.has(c.id)) resolve(c.id, outcome); });
    row.append(button);
  }
  if (sending) row.append(el("span", { class: "sending", text: t("Sending “{outcome}”…", { outcome: outcomeLabel(sending) }) }));
  li.append(row);
  return li;
}

const correctionItem = (id) => document.querySelector(`li.correction[data-correction-id="${CSS.escape(id)}"]`);
const responseItem = (id) => document.querySelector(`#responses li[data-response-id="${CSS.escape(id)}"]`);

async function resolve(correctionId, outcome) {
  if (resolving.has(correctionId)) return;
  setText($("resolve-error"), "");
  // Where the keyboard goes once this one is resolved: the next open correction.
  const open = [...document.querySelectorAll("#responses li.correction[data-outcome=open]")];
  const at = open.findIndex((li) => li.dataset.correctionId === correctionId);
  const nextId = (open[at + 1] ?? open[at - 1])?.dataset.correctionId ?? null;
  const responseId = correctionItem(correctionId)?.closest("li.response")?.dataset.responseId;
  resolving.set(correctionId, outcome);
  scheduler.now();
  // The row is redrawn while it waits: keep the keyboard on it.
  if (focusDropped()) focusFirst(correctionItem(correctionId)?.querySelector(`button[data-outcome=${outcome}]`));
  const ack = await client.send("correction.resolve", { correction_id: correctionId, outcome });
  resolving.delete(correctionId);
  if (!ack.ok) setText($("resolve-error"), t("Not resolved: {message}", { message: refusal(ack.error) }));
  scheduler.now();
  if (!ack.ok) {
    $("resolve-error").scrollIntoView({ block: "nearest" });
    focusFirst(correctionItem(correctionId)?.querySelector(`button[data-outcome=${outcome}]`));
    return;
  }
  // Once it shows as resolved (its row is redrawn), on to the next open correction.
  followUps.after(() => Boolean(client.model?.corrections.get(correctionId)?.outcome), () => {
    scheduler.flush();
    if (!focusDropped(correctionItem(correctionId))) return;
    const next = nextId && correctionItem(nextId);
    focusFirst(next?.querySelector(`button[data-outcome=${outcome}]`), correctionItem(correctionId),
      responseId && responseItem(responseId), "#responses-heading");
  });
}

async function withdraw(responseId) {
  const r = client.model?.responses.get(responseId);
  if (!r || r.withdrawn || withdrawing.has(responseId)) return;
  const reasonText = await askReason({
    title: t("Withdraw this response?"),
    message: t("It stays on the record, marked withdrawn, with your reason: on the projector, every phone and the record of the day."),
    quote: `${r.member}: ${r.text}`,
    label: t("Why is it withdrawn?"),
    hint: t("For example: logged for the wrong group, or the Board member corrected it."),
    confirm: t("Withdraw"),
    required: t("Write why it is withdrawn: the hall saw it, so it is owed the reason."),
  });
  if (!reasonText) return;
  setText($("resolve-error"), "");
  withdrawing.add(responseId);
  scheduler.now();
  if (focusDropped()) focusFirst(responseItem(responseId)?.querySelector("button.withdraw"), responseItem(responseId));
  const ack = await client.send("response.withdraw", { response_id: responseId, reason: reasonText });
  withdrawing.delete(responseId);
  if (!ack.ok) setText($("resolve-error"), t("Not withdrawn: {message}", { message: refusal(ack.error) }));
  scheduler.now();
  if (!ack.ok) {
    focusFirst(responseItem(responseId)?.querySelector("button.withdraw"));
    return;
  }
  // The button is gone: the keyboard stays on the response, which now says withdrawn.
  followUps.after(() => Boolean(client.model?.responses.get(responseId)?.withdrawn), () => {
    scheduler.flush();
    if (focusDropped(responseItem(responseId))) focusFirst(responseItem(responseId));
  });
}

// -- the response form ---------------------------------------------------------------

const form = $("response-form");
const member = $("member");
const text = $("response-text");
const reason = $("reason");
member.value = storage.get(MEMBER_KEY);

const stance = () => form.elements.stance.value;
const formIsEmpty = () => !text.value.trim() && !reason.value.trim() && !stance();

function updateReason() {
  const decline = stance() === "decline";
  reason.required = decline;
  const need = $("reason-need");
  setText(need, decline ? t("(required)") : t("(optional)"));
  need.classList.toggle("required", decline);
  need.classList.toggle("optional", !decline);
  form.querySelector(".reason-field").classList.toggle("is-required", decline);
  if (!decline) reason.removeAttribute("aria-invalid");
}

function updateCount() {
  const n = text.value.trim().length;
  const count = $("text-count");
  setText(count, `${formatNumber(n, { useGrouping: false })} / ${formatNumber(TEXT_MAX, { useGrouping: false })}`);
  count.classList.toggle("over", n > TEXT_MAX);
}

form.addEventListener("change", (event) => { if (event.target.name === "stance") updateReason(); });
text.addEventListener("input", updateCount);
// A message about a field goes once every field it named has been edited: it is no
// longer true (a server refusal goes with the next submit).
const clearFixed = () => {
  if (validationShown && !form.querySelector("[aria-invalid=true]")) {
    validationShown = false;
    showFormError("");
  }
};
for (const input of [member, text, reason]) {
  input.addEventListener("input", () => { input.removeAttribute("aria-invalid"); clearFixed(); });
}
form.addEventListener("change", (event) => {
  if (event.target.name === "stance") form.querySelector(".stances").removeAttribute("aria-invalid");
  clearFixed();
});
let validationShown = false;

function showFormError(message) {
  setText($("form-error"), message);
  if (message) setText($("form-done"), "");
}

function validate() {
  const problems = [];
  const flag = (node, message) => { node.setAttribute("aria-invalid", "true"); problems.push([node, message]); };
  const who = member.value.replace(/\s+/g, " ").trim();
  if (!who) flag(member, t("Enter the Board member's name."));
  else if (who.length > NAME_MAX) flag(member, t("The name is over {max} characters.", { max: formatNumber(NAME_MAX) }));
  const body = text.value.trim();
  if (!body) flag(text, t("Write the response."));
  else if (body.length > TEXT_MAX) flag(text, t("The response is over {max} characters.", { max: formatNumber(TEXT_MAX) }));
  if (!stance()) flag(form.querySelector(".stances"), t("Choose Commit, Consider or Decline."));
  const why = reason.value.trim();
  if (stance() === "decline" && !why) flag(reason, t("A decline needs a reason: say why it will not be done."));
  else if (why.length > TEXT_MAX) flag(reason, t("The reason is over {max} characters.", { max: formatNumber(TEXT_MAX) }));
  return problems;
}

function resetForm() {
  text.value = "";
  reason.value = "";
  form.querySelectorAll("input[name=stance]").forEach((r) => { r.checked = false; });
  updateReason();
  updateCount();
}

let submitting = false;
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (submitting) return;
  // A tap again on the emptied form right after a response was logged (or kept on the
  // tablet) is the same intent: nothing to send, and the confirmation stays.
  if (formIsEmpty() && $("form-done").textContent) { text.focus(); return; }
  showFormError("");
  setText($("form-done"), "");
  if (!selected) { showFormError(t("There is no group to respond to.")); return; }
  const problems = validate();
  if (problems.length) {
    showFormError(problems.map(([, message]) => message).join(" "));
    validationShown = true;
    const first = problems[0][0];
    (first.matches("fieldset") ? first.querySelector("input") : first).focus();
    return;
  }
  const who = member.value.replace(/\s+/g, " ").trim();
  storage.set(MEMBER_KEY, who);
  const payload = {
    group_id: selected, member: who, text: text.value.trim(), stance: stance(),
    reason: reason.value.trim() || null,
  };
  // One client_id per intent, made at the tap: the same response sent again (after a
  // refusal or a lost answer) is the same write, logged once.
  payload.client_id = responseIntent.id(payload);
  const groupLabel = groupName(client.model, selected);
  submitting = true;
  const button = $("submit");
  setInert(button, false, true); // aria-disabled: the keyboard stays on it
  setText(button, t("Logging…"));
  const sent = client.send("response.log", payload);
  // Once queued the write is safe (kept on this tablet, resent with the same client id):
  // do not hold the form hostage to a slow or absent connection.
  const slow = new Promise((r) => setTimeout(() => r(null), client.status.state === "connected" ? SLOW_ACK_MS : 0));
  const ack = await Promise.race([sent, slow]);
  submitting = false;
  setInert(button, false, false);
  setText(button, t("Log response"));
  if (ack == null) {
    responseIntent.done();
    resetForm();
    setText($("form-done"), t("Saved on this tablet: the response to {group} will be sent when the connection is back.", { group: groupLabel }));
    sent.then((late) => {
      if (late.ok) setText($("form-done"), t("Logged the response to {group}.", { group: groupLabel }));
      else showFormError(t("The response to {group} was not logged: {message} Please log it again.", { group: groupLabel, message: refusal(late.error) }));
    });
    return;
  }
  if (!ack.ok) {
    showFormError(t("Not logged: {message}", { message: refusal(ack.error) }));
    return;
  }
  responseIntent.done();
  resetForm();
  setText($("form-done"), t("Logged the response to {group}.", { group: groupLabel }));
  text.focus();
});

updateReason();
updateCount();
client.start();
