// Small helpers the staff consoles share (facilitator, lead, and later board and organiser):
// building DOM safely, keyed list rendering, the status line, the error region, a
// countdown, an undo toast and a confirm dialog. Pages keep their own state and render
// from client.model; nothing here knows about a particular page.

import { describeStatus } from "/static/client.js";
import { formatRemaining, remainingMs } from "/static/model.js";
import { el } from "/static/dom.js";

export const $ = (sel, root = document) => root.querySelector(sel);

/**
 * el("button", {class: "x", text: "Hide", "data-note-id": id, onclick}, ...children)
 * `text` sets textContent: user text never goes through innerHTML.
 */
export { el };

/** Set textContent only when it differs (keeps screen readers and selection calm). */
export function setText(node, text) {
  const t = String(text ?? "");
  if (node && node.textContent !== t) node.textContent = t;
}

/**
 * Render `items` into `container`, reusing the element of each key: create(item) makes a
 * new one, update(node, item) brings it up to date. Nodes move only when the order
 * changed, and keyboard focus inside the list survives a move.
 */
export function reconcile(container, items, key, create, update) {
  const active = container.contains(document.activeElement) ? document.activeElement : null;
  const existing = new Map();
  for (const child of [...container.children]) existing.set(child.dataset.key, child);
  let prev = null;
  for (const item of items) {
    const k = String(key(item));
    let node = existing.get(k);
    if (node) existing.delete(k);
    else {
      node = create(item);
      node.dataset.key = k;
    }
    update(node, item);
    const want = prev ? prev.nextElementSibling : container.firstElementChild;
    if (want !== node) container.insertBefore(node, want);
    prev = node;
  }
  for (const node of existing.values()) node.remove();
  if (active && active.isConnected && document.activeElement !== active) active.focus({ preventScroll: true });
}

// -- connection status -------------------------------------------------------------------

/** Keep `node` (role="status") showing the connection in words, with data-state. */
export function bindStatus(client, node) {
  const show = (s) => {
    node.dataset.state = s.state;
    setText(node, describeStatus(s));
  };
  show(client.status);
  client.on("status", show);
}

// -- errors ------------------------------------------------------------------------------

/**
 * The page's error region (role="alert"). show(message) puts a message there with a
 * Dismiss button; clear() empties it. A newer message replaces an older one.
 */
export function createAlerts(node) {
  node.setAttribute("role", "alert");
  const clear = () => {
    node.replaceChildren();
    node.hidden = true;
  };
  const show = (message) => {
    node.hidden = false;
    node.replaceChildren(
      el("p", { class: "alert-text", text: message }),
      el("button", { type: "button", class: "alert-dismiss", text: "Dismiss", onclick: clear }),
    );
  };
  clear();
  return { show, clear };
}

/**
 * createSender(client, alerts, render) -> send(name, payload, button?)
 * Sends a command, reports a refusal (ack.error.message) in the alert region and
 * resolves with the ack so callers can act on `ack.ok`. The button, if given, is
 * disabled while waiting; then render() runs so every control shows the state again.
 */
export function createSender(client, alerts, render = () => {}) {
  return async function send(name, payload = {}, button = null) {
    if (button) {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
    }
    let ack;
    try {
      ack = await client.send(name, payload);
    } catch (err) {
      ack = { ok: false, error: { code: "client", message: String(err?.message ?? err) } };
    }
    if (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
    if (ack?.ok) alerts.clear();
    else alerts.show(ack?.error?.message || "That did not work: try again.");
    render();
    return ack ?? { ok: false };
  };
}

/** Report client-level errors (a refused link, a queued write the server turned down). */
export function reportClientErrors(client, alerts) {
  client.on("error", (err) => {
    if (err?.item) alerts.show(`${err.message} (${describeCommand(err.item.name)})`);
    else if (err?.message) alerts.show(err.message);
  });
}

const COMMAND_WORDS = {
  "note.add": "adding a note", "note.hide": "hiding a note", "note.support": "supporting a note",
  "keypoint.add": "adding a key point", "keypoint.publish": "publishing a key point",
  "response.log": "logging a response", "correction.submit": "a correction",
  "correction.resolve": "resolving a correction",
};
const describeCommand = (name) => COMMAND_WORDS[name] ?? name;

// -- time --------------------------------------------------------------------------------

/** "12:05" or "1:02:03" for a duration; never negative. */
export function formatDuration(ms) {
  const secs = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(secs / 3600), m = Math.floor((secs % 3600) / 60), s = secs % 60;
  return (h ? `${h}:${String(m).padStart(2, "0")}` : `${m}`) + `:${String(s).padStart(2, "0")}`;
}

/** "just now", "3 min ago", "2 h 5 min ago". */
export function timeAgo(ts, now) {
  if (ts == null) return "no activity yet";
  const mins = Math.floor(Math.max(0, now - ts) / 60000);
  if (mins < 1) return "just now";
  if (mins < 60) return `${mins} min ago`;
  const h = Math.floor(mins / 60), rest = mins % 60;
  return rest ? `${h} h ${rest} min ago` : `${h} h ago`;
}

/** "14:05" local wall-clock time of a server timestamp. */
export function clockTime(ts) {
  return new Date(ts).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

/** How long a run of a slot has actually lasted (pauses excluded), at server time `now`. */
export function runElapsedMs(run, now) {
  const end = run.ended_at ?? now;
  const pausedNow = run.ended_at == null && run.paused_at != null ? now - run.paused_at : 0;
  return Math.max(0, end - run.started_at - run.paused_ms - pausedNow);
}

/**
 * Keep `node` showing the current slot's time left, several times a second: "12:05",
 * "+2:15 over" (class `over`), with classes `paused` / `idle` and data-state.
 * onTick(model, ms) runs on every tick for whatever else the page keeps live.
 */
export function mountCountdown(client, node, { onTick = null, idleText = "--:--" } = {}) {
  let shown = null;
  const tick = () => {
    const m = client.model;
    if (!m) return;
    const timer = m.timer ?? { status: "idle" };
    const ms = remainingMs(timer, client.now());
    const state = timer.status === "running" || timer.status === "paused" ? timer.status : "idle";
    const over = state !== "idle" && ms != null && ms < 0;
    const text = state === "idle" || ms == null ? idleText : formatRemaining(ms);
    const key = `${state}|${over}|${text}`;
    if (key !== shown) {
      shown = key;
      setText(node, text);
      node.classList.toggle("over", over);
      node.classList.toggle("paused", state === "paused");
      node.classList.toggle("idle", state === "idle");
      node.dataset.state = over ? `${state} over` : state;
    }
    onTick?.(m, ms);
  };
  const stop = client.everySecond(tick);
  client.on("change", tick);
  return { tick, stop };
}

// -- toast with an optional action (Undo) --------------------------------------------------

let toastRegion = null;

/**
 * A short message at the bottom of the screen, with an optional action button:
 * toast("Note hidden", {action: "Undo", onAction}). It goes after `ms` (default 8 s).
 */
export function toast(message, { action = null, onAction = null, ms = 8000 } = {}) {
  if (!toastRegion) {
    toastRegion = el("div", { class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(toastRegion);
  }
  const item = el("div", { class: "toast" }, el("p", { class: "toast-text", text: message }));
  let timer = null;
  const close = () => {
    clearTimeout(timer);
    item.remove();
  };
  if (action) {
    item.append(el("button", {
      type: "button", class: "toast-action", text: action,
      onclick: () => { close(); onAction?.(); },
    }));
  }
  item.append(el("button", { type: "button", class: "toast-close", "aria-label": "Close", text: "×", onclick: close }));
  toastRegion.replaceChildren(item); // one at a time: the newest is the one that matters
  timer = setTimeout(close, ms);
  return close;
}

// -- confirm dialog --------------------------------------------------------------------------

/**
 * A modal question with two large buttons; resolves true when confirmed.
 * confirmAction({title, message, quote, confirm: "Publish", danger: false})
 */
export function confirmAction({ title, message = "", quote = "", confirm = "Confirm", cancel = "Cancel", danger = false }) {
  return new Promise((resolve) => {
    const titleId = `confirm-title-${Math.random().toString(36).slice(2)}`;
    const ok = el("button", { type: "button", class: danger ? "danger" : "primary", text: confirm, value: "ok" });
    const no = el("button", { type: "button", text: cancel, value: "cancel" });
    const dialog = el("dialog", { class: "confirm", "aria-labelledby": titleId },
      el("h2", { id: titleId, text: title }),
      message ? el("p", { class: "confirm-message", text: message }) : null,
      quote ? el("blockquote", { class: "confirm-quote user-text", text: quote }) : null,
      el("div", { class: "confirm-actions" }, no, ok));
    let answer = false;
    ok.addEventListener("click", () => { answer = true; dialog.close(); });
    no.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}
