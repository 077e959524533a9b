// The facilitator's tablet: one group's notes live, curated into a few key points that
// go to the projector. Renders client.model; every write goes through client.send.

import { createClient, secretFromPath } from "/static/client.js";
import { currentSlot, groupKeypoints, groupName } from "/static/model.js";
import {
  $, bindStatus, clockTime, confirmAction, createAlerts, createSender, el, mountCountdown,
  reconcile, reportClientErrors, setText, toast,
} from "/console/console-common.js";

const MAX_TEXT = 1000;
const ADVICE_OVER = 5; // more key points than this: suggest fewer, stronger ones

const client = createClient({ token: secretFromPath() });
window.townhall = client;

const alerts = createAlerts($("#alerts"));
const send = createSender(client, alerts, () => render());
bindStatus(client, $("#status"));
reportClientErrors(client, alerts);
mountCountdown(client, $("#countdown"));

const ui = {
  sort: "newest",          // or "support"
  picked: new Set(),       // note ids ticked for a key point
  fromNotes: [],           // note ids the key point being written is made from
  prefill: "",             // the text we put in the form, to know if it was edited
  editing: new Map(),      // key point id -> draft text while editing inline
};

// -- rendering -----------------------------------------------------------------------------

function render() {
  const m = client.model;
  if (!m) return;
  document.body.classList.remove("loading");
  const gid = m.groupId;
  const name = groupName(m, gid);
  setText($("#group-name"), name);
  document.title = `${name} · Facilitator · townhall`;

  const slot = currentSlot(m);
  setText($("#slot-title"), slot ? slot.title : "Not started yet");
  $("#timer-state").hidden = m.timer?.status !== "paused";

  let joined = 0;
  for (const p of m.participants.values()) if (p.group_id === gid) joined += 1;
  setText($("#joined"), String(joined));
  setText($("#joined-word"), joined === 1 ? "person joined" : "people joined");

  renderNotes(m, gid);
  renderKeypoints(m, gid);
}

const bySeqDesc = (a, b) => (b.seq ?? b.ts) - (a.seq ?? a.ts);
const supportCount = (n) => n.supporters?.length ?? 0;

function renderNotes(m, gid) {
  const all = [...m.notes.values()].filter((n) => n.group_id === gid);
  const visible = all.filter((n) => !n.hidden);
  const hidden = all.filter((n) => n.hidden).sort(bySeqDesc);
  visible.sort(ui.sort === "support" ? (a, b) => supportCount(b) - supportCount(a) || bySeqDesc(a, b) : bySeqDesc);

  // A note hidden meanwhile cannot be picked any more.
  const visibleIds = new Set(visible.map((n) => n.id));
  for (const id of ui.picked) if (!visibleIds.has(id)) ui.picked.delete(id);

  // Which key point each note already went into (a hint for curation).
  const usedIn = new Map();
  groupKeypoints(m, gid).forEach((k, i) => {
    for (const nid of k.note_ids ?? []) if (!usedIn.has(nid)) usedIn.set(nid, i + 1);
  });

  $("#sort-newest").setAttribute("aria-pressed", String(ui.sort === "newest"));
  $("#sort-support").setAttribute("aria-pressed", String(ui.sort === "support"));
  setText($("#notes-count"), String(visible.length));
  $("#notes-empty").hidden = visible.length > 0;
  reconcile($("#notes"), visible, (n) => n.id, createNote, (li, n) => updateNote(li, n, usedIn.get(n.id)));

  setText($("#hidden-count"), String(hidden.length));
  $("#hidden-notes").hidden = hidden.length === 0;
  reconcile($("#hidden-list"), hidden, (n) => n.id, createHiddenNote, updateHiddenNote);

  const count = ui.picked.size;
  setText($("#selection-count"), count
    ? `${count} note${count === 1 ? "" : "s"} selected`
    : "Tick notes to turn them into a key point.");
  $("#make-keypoint").disabled = count === 0;
  $("#clear-selection").hidden = count === 0;
}

function createNote(n) {
  const pick = el("input", { type: "checkbox", class: "pick", "data-note-id": n.id, id: `pick-${n.id}` });
  pick.addEventListener("change", () => {
    if (pick.checked) ui.picked.add(n.id);
    else ui.picked.delete(n.id);
    render();
  });
  const hide = el("button", { type: "button", class: "hide-note", text: "Hide" });
  hide.addEventListener("click", () => hideNote(n.id, hide));
  return el("li", { class: "note", "data-note-id": n.id },
    el("label", { class: "pick-label", for: `pick-${n.id}` },
      pick, el("span", { class: "visually-hidden pick-name" })),
    el("div", { class: "note-body" },
      el("p", { class: "note-text user-text" }),
      el("div", { class: "note-foot" },
        el("p", { class: "note-meta" },
          el("span", { class: "note-author" }), " · ", el("span", { class: "note-time" }),
          el("span", { class: "note-support" }), el("span", { class: "note-used" })),
        hide)));
}

function updateNote(li, n, usedIn) {
  setText(li.querySelector(".note-text"), n.text);
  setText(li.querySelector(".note-author"), n.author?.name ?? "");
  setText(li.querySelector(".note-time"), clockTime(n.ts));
  const s = supportCount(n);
  setText(li.querySelector(".note-support"), s ? ` · ${s} support${s === 1 ? "" : "s"}` : "");
  li.querySelector(".note-support").classList.toggle("has-support", s > 0);
  setText(li.querySelector(".note-used"), usedIn ? ` · in key point ${usedIn}` : "");
  setText(li.querySelector(".pick-name"), `Select the note by ${n.author?.name ?? "a participant"}`);
  const picked = ui.picked.has(n.id);
  li.querySelector("input.pick").checked = picked;
  li.classList.toggle("picked", picked);
  li.classList.toggle("used", Boolean(usedIn));
  li.querySelector(".hide-note").setAttribute("aria-label", `Hide the note by ${n.author?.name ?? "a participant"}`);
}

function createHiddenNote(n) {
  const back = el("button", { type: "button", class: "restore-note", text: "Bring back" });
  back.addEventListener("click", async () => {
    const ack = await send("note.restore", { note_id: n.id }, back);
    if (ack.ok) toast("Note brought back");
  });
  return el("li", { class: "note hidden-note", "data-note-id": n.id },
    el("div", { class: "note-body" },
      el("p", { class: "note-text user-text" }),
      el("div", { class: "note-foot" },
        el("p", { class: "note-meta" }, el("span", { class: "note-author" })),
        back)));
}

function updateHiddenNote(li, n) {
  setText(li.querySelector(".note-text"), n.text);
  setText(li.querySelector(".note-author"), n.author?.name ?? "");
}

async function hideNote(noteId, button) {
  ui.picked.delete(noteId);
  const ack = await send("note.hide", { note_id: noteId }, button);
  if (!ack.ok) return;
  toast("Note hidden", {
    action: "Undo",
    onAction: async () => {
      const back = await send("note.restore", { note_id: noteId });
      if (back.ok) toast("Note brought back");
    },
  });
}

// -- key points ----------------------------------------------------------------------------

function renderKeypoints(m, gid) {
  const list = groupKeypoints(m, gid);
  for (const id of ui.editing.keys()) if (!m.keypoints.has(id)) ui.editing.delete(id);
  reconcile($("#keypoints"), list, (k) => k.id, createKeypoint,
    (li, k) => updateKeypoint(li, k, list.indexOf(k), list.length));
  $("#keypoints-empty").hidden = list.length > 0;
  const advice = $("#keypoints-advice");
  advice.hidden = list.length <= ADVICE_OVER;
  setText(advice, `Aim for a few strong points: you have ${list.length}`);
  updateKeypointForm();
}

function createKeypoint(k) {
  const up = el("button", { type: "button", class: "kp-up icon", text: "↑" });
  const down = el("button", { type: "button", class: "kp-down icon", text: "↓" });
  const edit = el("button", { type: "button", class: "kp-edit", text: "Edit" });
  const publish = el("button", { type: "button", class: "kp-publish primary", text: "Publish" });
  up.addEventListener("click", () => moveKeypoint(k.id, -1, up));
  down.addEventListener("click", () => moveKeypoint(k.id, +1, down));
  edit.addEventListener("click", () => startEdit(k.id));
  publish.addEventListener("click", () => publishKeypoint(k.id, publish));

  const area = el("textarea", { id: `kp-edit-${k.id}`, class: "kp-edit-text", rows: 3, maxLength: MAX_TEXT });
  const save = el("button", { type: "submit", class: "primary", text: "Save" });
  const cancel = el("button", { type: "button", text: "Cancel" });
  const form = el("form", { class: "kp-edit-form", noValidate: true, hidden: true },
    el("label", { for: `kp-edit-${k.id}`, text: "Edit this key point" }),
    area,
    el("p", { class: "hint kp-edit-hint", hidden: true, text: "Already published: your edit shows on the projector at once." }),
    el("div", { class: "form-actions" }, cancel, save));
  area.addEventListener("input", () => ui.editing.set(k.id, area.value));
  cancel.addEventListener("click", () => { ui.editing.delete(k.id); render(); li.querySelector(".kp-edit").focus(); });
  area.addEventListener("keydown", (e) => { if (e.key === "Escape") cancel.click(); });
  form.addEventListener("submit", (e) => { e.preventDefault(); saveEdit(k.id, area.value, save); });

  const li = el("li", { class: "keypoint", "data-keypoint-id": k.id },
    el("div", { class: "kp-main" },
      el("span", { class: "kp-num", "aria-hidden": "true" }),
      el("div", { class: "kp-body" },
        el("p", { class: "keypoint-text user-text" }),
        el("p", { class: "kp-meta" },
          el("span", { class: "badge published-badge", text: "Published", hidden: true }),
          el("span", { class: "kp-source" })))),
    el("div", { class: "kp-actions" }, up, down, edit, publish),
    form);
  return li;
}

function updateKeypoint(li, k, index, total) {
  const n = index + 1;
  setText(li.querySelector(".kp-num"), String(n));
  setText(li.querySelector(".keypoint-text"), k.text);
  li.classList.toggle("published", Boolean(k.published));
  li.querySelector(".published-badge").hidden = !k.published;
  const cites = k.note_ids?.length ?? 0;
  setText(li.querySelector(".kp-source"), cites ? `from ${cites} note${cites === 1 ? "" : "s"}` : "");

  const up = li.querySelector(".kp-up"), down = li.querySelector(".kp-down");
  up.disabled = index === 0;
  down.disabled = index === total - 1;
  up.setAttribute("aria-label", `Move key point ${n} up`);
  down.setAttribute("aria-label", `Move key point ${n} down`);
  li.querySelector(".kp-edit").setAttribute("aria-label", `Edit key point ${n}`);
  const publish = li.querySelector(".kp-publish");
  publish.hidden = Boolean(k.published);
  publish.setAttribute("aria-label", `Publish key point ${n} to the projector`);

  const editing = ui.editing.has(k.id);
  const form = li.querySelector(".kp-edit-form");
  const wasEditing = !form.hidden;
  form.hidden = !editing;
  li.classList.toggle("editing", editing);
  li.querySelector(".kp-actions").hidden = editing;
  li.querySelector(".kp-main").hidden = editing;
  form.querySelector(".kp-edit-hint").hidden = !k.published;
  if (editing && !wasEditing) {
    const area = form.querySelector("textarea");
    area.value = ui.editing.get(k.id);
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }
}

function startEdit(id) {
  const k = client.model?.keypoints.get(id);
  if (!k) return;
  ui.editing.set(id, k.text);
  render();
}

async function saveEdit(id, text, button) {
  const k = client.model?.keypoints.get(id);
  const clean = text.trim();
  if (!clean) {
    alerts.show("A key point cannot be empty. Cancel to keep it as it was.");
    return;
  }
  if (k && clean === k.text) {
    ui.editing.delete(id);
    render();
    return;
  }
  const ack = await send("keypoint.edit", { keypoint_id: id, text: clean }, button);
  if (ack.ok) {
    ui.editing.delete(id);
    render();
    toast(k?.published ? "Key point updated on the projector" : "Key point updated");
  }
}

async function moveKeypoint(id, delta, button) {
  const m = client.model;
  const ids = groupKeypoints(m, m.groupId).map((k) => k.id);
  const i = ids.indexOf(id), j = i + delta;
  if (i < 0 || j < 0 || j >= ids.length) return;
  [ids[i], ids[j]] = [ids[j], ids[i]];
  await send("keypoint.order", { keypoint_ids: ids }, button);
}

async function publishKeypoint(id, button) {
  const k = client.model?.keypoints.get(id);
  if (!k || k.published) return;
  const yes = await confirmAction({
    title: "Publish this key point?",
    message: "It goes on the projector and every phone in the hall at once.",
    quote: k.text,
    confirm: "Publish",
  });
  if (!yes) return;
  const ack = await send("keypoint.publish", { keypoint_id: id }, button);
  if (ack.ok) toast("Published to the projector");
}

// -- the key point form --------------------------------------------------------------------

const form = $("#keypoint-form");
const textarea = $("#keypoint-text");

function updateKeypointForm() {
  const len = textarea.value.trim().length;
  const counter = $("#keypoint-count");
  setText(counter, `${len} / ${MAX_TEXT}`);
  counter.classList.toggle("near", len > MAX_TEXT * 0.9 && len <= MAX_TEXT);
  counter.classList.toggle("too-long", len > MAX_TEXT);
  $("#keypoint-add").disabled = len === 0;
  const source = $("#keypoint-source");
  source.hidden = ui.fromNotes.length === 0;
  const n = ui.fromNotes.length;
  setText($("#keypoint-source-text"), `Made from ${n} selected note${n === 1 ? "" : "s"}: they are cited with the key point.`);
}

textarea.addEventListener("input", updateKeypointForm);

$("#make-keypoint").addEventListener("click", () => {
  const m = client.model;
  if (!m || ui.picked.size === 0) return;
  // In the order the notes are shown, so the text reads as the list did.
  const shown = [...document.querySelectorAll("#notes li.note")].map((li) => li.dataset.noteId);
  const ids = shown.filter((id) => ui.picked.has(id));
  const texts = ids.map((id) => m.notes.get(id)?.text ?? "").filter(Boolean);
  const joined = texts.join("\n");
  // Replace what we prefilled before (untouched); add to what the facilitator wrote.
  const current = textarea.value.trim();
  const replace = !current || current === ui.prefill.trim();
  textarea.value = replace ? joined : `${textarea.value.trimEnd()}\n${joined}`;
  ui.fromNotes = replace ? ids : [...new Set([...ui.fromNotes, ...ids])];
  ui.prefill = textarea.value;
  ui.picked.clear();
  render();
  textarea.focus();
  textarea.setSelectionRange(0, 0);
  textarea.scrollIntoView({ block: "nearest", behavior: "smooth" });
});

$("#clear-selection").addEventListener("click", () => {
  ui.picked.clear();
  render();
});

$("#keypoint-source-clear").addEventListener("click", () => {
  ui.fromNotes = [];
  render();
  textarea.focus();
});

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = textarea.value.trim();
  if (!text) {
    alerts.show("Write the key point first.");
    textarea.focus();
    return;
  }
  if (text.length > MAX_TEXT) {
    alerts.show(`This key point is ${text.length} characters; the limit is ${MAX_TEXT}. Shorten it first.`);
    textarea.focus();
    return;
  }
  const payload = { text };
  if (ui.fromNotes.length) payload.note_ids = [...ui.fromNotes];
  const ack = await send("keypoint.add", payload, $("#keypoint-add"));
  if (!ack.ok) return;
  textarea.value = "";
  ui.prefill = "";
  ui.fromNotes = [];
  render();
  toast("Key point added: publish it when the group agrees");
});

// -- sorting -------------------------------------------------------------------------------

for (const [id, sort] of [["#sort-newest", "newest"], ["#sort-support", "support"]]) {
  $(id).addEventListener("click", () => {
    ui.sort = sort;
    render();
  });
}

client.on("change", render);
client.start();
