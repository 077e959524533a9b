// Small helpers the staff consoles share (facilitator, lead, Board): building DOM safely,
// keyed list rendering, drawing at most once a frame, the status line, an error region
// that says only what is still true, sending each write once per intent, a countdown,
// an undo toast, and dialogs that ask before something shows on the projector. Pages
// keep their own state and render from client.model; nothing here knows about a page.
// Every word here is in the visitor's language (i18n.js, CONTRACT §10), every time of day
// in the venue's time zone.

import { dir, errorText, formatNumber, formatTime, groupText, languagePicker, nt, t } from "/static/i18n.js";
import { describeStatus, uuid } from "/static/client.js";
import { formatRemaining, remainingMs } from "/static/model.js";
import { el, withNodes } from "/static/dom.js";

export const $ = (sel, root = document) => root.querySelector(sel);

/**
 * el("button", {class: "x", text: "Hide", "data-note-id": id, onclick}, ...children)
 * `text` sets textContent: user text never goes through innerHTML.
 * withNodes(t("Next: {title} ({minutes})", {minutes}), {title: span}) -> ["Next: ", span,
 * " (12 min)"]: a translated sentence with elements in it.
 * describeStatus(status): the connection in words, in the visitor's language.
 */
export { describeStatus, el, withNodes };

/** Set textContent only when it differs (keeps screen readers and selection calm). */
export function setText(node, text) {
  const value = String(text ?? "");
  if (node && node.textContent !== value) node.textContent = value;
}

// -- languages ---------------------------------------------------------------------------------

/** A group's name in the visitor's language where the organiser translated it (else its own). */
export function groupLabel(m, groupId) {
  const group = m?.groups?.find((g) => g.id === groupId);
  return group ? groupText(m, group) || groupId : groupId ?? "";
}

/** Numbers, times and other left-to-right runs kept readable inside right-to-left text. */
export const isolate = (text) => (dir === "rtl" ? `\u2066${text}\u2069` : String(text));

/** People's text (a title, a name) inside a sentence keeps its own direction. */
export const ownText = (text) => (dir === "rtl" ? `\u2068${text}\u2069` : String(text));

/**
 * The language picker (i18n.js), small and labelled, put into `container` (the top bar):
 * the choice is kept on this device and the page reloads in that language.
 */
export function mountLanguagePicker(container, { id = "language" } = {}) {
  if (!container) return null;
  const picker = languagePicker({ id });
  picker.classList.add("console-language");
  container.append(picker);
  return picker;
}

// -- drawing -------------------------------------------------------------------------------

/**
 * Draw at most once per animation frame however many changes arrive: schedule() asks
 * for a render, flush() runs a due one now (before moving focus to something it draws).
 * A background tab gets no frames, so a timer brings it up to date there.
 */
export function createScheduler(render, { fallbackMs = 200 } = {}) {
  let frame = 0;
  let timer = 0;
  const run = () => {
    if (frame) cancelAnimationFrame(frame);
    if (timer) clearTimeout(timer);
    frame = 0;
    timer = 0;
    render();
  };
  return {
    schedule() {
      if (frame || timer) return;
      frame = requestAnimationFrame(run);
      timer = setTimeout(run, fallbackMs);
    },
    flush() { if (frame || timer) run(); },
    now: run,
  };
}

/**
 * Render `items` into `container`, reusing the element of each key: create(item) makes a
 * new one, update(node, item) brings it up to date. With signature(item), update runs
 * only when the signature changed, so unchanged items cost nothing. Nodes move only when
 * the order changed, and keyboard focus inside the list survives a move. Returns the
 * nodes it created.
 */
export function reconcile(container, items, key, create, update, signature = null) {
  const active = container.contains(document.activeElement) ? document.activeElement : null;
  const keys = items.map((item) => String(key(item)));
  const wanted = new Set(keys);
  const existing = new Map();
  // Drop the stale nodes first, so the ones that stay never have to move around them.
  for (let child = container.firstElementChild; child;) {
    const next = child.nextElementSibling;
    const k = child._key ?? child.dataset.key;
    if (wanted.has(k) && !existing.has(k)) existing.set(k, child);
    else child.remove();
    child = next;
  }
  const created = [];
  let prev = null;
  items.forEach((item, i) => {
    const k = keys[i];
    let node = existing.get(k);
    if (!node) {
      node = create(item);
      node.dataset.key = k;
      node._key = k;
      created.push(node);
    }
    if (signature) {
      const sig = signature(item);
      if (node._sig !== sig) {
        update(node, item);
        node._sig = sig;
      }
    } else {
      update(node, item);
    }
    const want = prev ? prev.nextElementSibling : container.firstElementChild;
    if (want !== node) container.insertBefore(node, want);
    prev = node;
  });
  if (active && active.isConnected && document.activeElement !== active) active.focus({ preventScroll: true });
  return created;
}

// -- controls that wait ------------------------------------------------------------------------

/**
 * Mark a control unavailable without `disabled`: a disabled button drops keyboard focus
 * to the page, an aria-disabled one keeps it (its click handler must check isInert).
 * `busy` says a write from it is on its way.
 */
export function setInert(node, inert, busy = false) {
  if (!node) return;
  const want = inert || busy ? "true" : null;
  if (node.getAttribute("aria-disabled") !== want) {
    if (want) node.setAttribute("aria-disabled", want);
    else node.removeAttribute("aria-disabled");
  }
  if (busy) node.setAttribute("aria-busy", "true");
  else if (node.hasAttribute("aria-busy")) node.removeAttribute("aria-busy");
}

export const isInert = (node) => node?.getAttribute("aria-disabled") === "true";

/** Can `node` take keyboard focus now? */
function focusable(node) {
  return Boolean(node && node.isConnected && !node.disabled && !node.closest("[hidden], [inert]")
    && node.getClientRects().length > 0);
}

/**
 * Focus the first of `candidates` (elements or selectors) that can take focus now, so an
 * action never leaves the keyboard stranded on the page. Returns the focused node.
 */
export function focusFirst(...candidates) {
  for (const c of candidates) {
    const node = typeof c === "string" ? document.querySelector(c) : c;
    if (!focusable(node)) continue;
    // A heading or list item to land on (the list went empty) takes focus from code only.
    if (!node.matches("a[href], button, input, select, textarea, summary, [tabindex]")) node.tabIndex = -1;
    node.focus({ preventScroll: false });
    if (document.activeElement === node) return node;
  }
  return null;
}

/**
 * Things to do once the page shows a change: the answer to a write may come before or
 * after its event, so "put the keyboard on the Unpublish button" waits until the key
 * point is drawn as published. after(ready, fn) runs fn at once if ready() already
 * holds, else after the first render where it does (given up after `ms`); pages call
 * run() at the end of each render.
 */
export function createFollowUps() {
  let waiting = [];
  return {
    after(ready, fn, ms = 5000) {
      if (ready()) fn();
      else waiting.push({ ready, fn, until: Date.now() + ms });
    },
    run() {
      if (!waiting.length) return;
      const now = Date.now();
      const due = waiting;
      waiting = [];
      for (const w of due) {
        if (w.ready()) w.fn();
        else if (now < w.until) waiting.push(w);
      }
    },
  };
}

/** True when focus is nowhere (the page) or on/in one of `nodes`: ours to move. */
export function focusDropped(...nodes) {
  const a = document.activeElement;
  if (!a || a === document.body || a === document.documentElement || !a.isConnected) return true;
  return nodes.some((n) => n && (n === a || (n.contains && n.contains(a))));
}

/** Skip links: move focus to their target (a textarea, or a heading made focusable). */
export function wireSkipLinks(root = document) {
  for (const link of root.querySelectorAll("a.skip-link[href^='#']")) {
    link.addEventListener("click", (event) => {
      const target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) target.tabIndex = -1;
      target.scrollIntoView({ block: "nearest" });
      target.focus({ preventScroll: true });
    });
  }
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
 * The page's error region, in the flow of the page so it never covers a control.
 * show(message, {key, field, untilConnected}) puts a message there (one per key: a newer
 * message of the same key replaces the older); clear(key) takes it away, clear() all.
 * A message about a field goes when the field is edited; one that says the connection
 * is down goes when it is back (connected()).
 */
export function createAlerts(node) {
  node.setAttribute("role", "alert");
  const shown = new Map(); // key -> {item, field, untilConnected}

  function drop(key) {
    const m = shown.get(key);
    if (!m) return;
    shown.delete(key);
    m.item.remove();
    if (m.field) m.field.removeAttribute("aria-invalid");
    node.hidden = shown.size === 0;
  }

  function show(message, { key = "general", field = null, untilConnected = false } = {}) {
    let m = shown.get(key);
    if (!m) {
      const text = el("p", { class: "alert-text" });
      const dismiss = el("button", { type: "button", class: "alert-dismiss small", text: t("Dismiss") });
      const item = el("div", { class: "alert", "data-key": key }, text, dismiss);
      dismiss.addEventListener("click", () => {
        const back = shown.get(key)?.field;
        drop(key);
        focusFirst(back, "main");
      });
      m = { item, text };
      shown.set(key, m);
      node.append(item);
    }
    setText(m.text, message);
    m.item.querySelector(".alert-dismiss").setAttribute("aria-label", t("Dismiss: {message}", { message }));
    m.untilConnected = untilConnected;
    if (m.field && m.field !== field) m.field.removeAttribute("aria-invalid");
    m.field = field;
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.addEventListener("input", () => { if (shown.get(key)?.field === field) drop(key); }, { once: true });
    }
    node.hidden = false;
  }

  function clear(key) {
    if (key === undefined) for (const k of [...shown.keys()]) drop(k);
    else drop(key);
  }

  node.replaceChildren();
  node.hidden = true;
  return {
    show,
    clear,
    has: (key) => shown.has(key),
    connected() { for (const [k, m] of [...shown]) if (m.untilConnected) drop(k); },
  };
}

// -- writes --------------------------------------------------------------------------------

export const SLOW_ACK_MS = 4000;
const QUEUED = Symbol("queued");
const OFFLINE_CODES = new Set(["offline", "timeout", "unavailable"]);

/**
 * One client_id per intent: made at the first tap, reused when the same content is sent
 * again (a retry after a refusal or a lost answer), forgotten once it went through.
 */
export function createIntent() {
  let current = null;
  return {
    id(content) {
      const sig = JSON.stringify(content);
      if (!current || current.sig !== sig) current = { sig, id: uuid() };
      return current.id;
    },
    done() { current = null; },
  };
}

const writeSig = (name, payload) => (payload?.client_id ? `${name}#${payload.client_id}` : `${name}:${JSON.stringify(payload ?? {})}`);

/**
 * createSender(client, alerts, changed) -> send(name, payload, options)
 * Sends a command once: while a write with the same `key` waits for its answer, another
 * is refused here (send.busy(key) says so; pages draw that control as busy, and
 * `changed` is called whenever that may have changed). A refusal goes to the error
 * region under `errorKey` (default: the key), and a later success clears it.
 * With onQueued, a write that waits in the offline queue (not connected, or no answer
 * within SLOW_ACK_MS) resolves at once with {queued: true, later}: the tablet keeps it
 * and resends it with the same client_id, so the form can be cleared.
 * `expect` lists error codes the caller explains itself (no alert).
 */
export function createSender(client, alerts, changed = () => {}) {
  const busy = new Map();
  const awaited = new Set(); // writes whose refusal the caller reports (not twice)

  client.on("status", (s) => { if (s.state === "connected") alerts.connected(); });
  client.on("error", (err) => {
    if (err?.item) {
      if (awaited.has(writeSig(err.item.name, err.item.payload))) return;
      alerts.show(queuedError(err), { key: `queued:${err.item.id}` });
    } else if (err?.message) {
      alerts.show(linkError(err), { key: "link" });
    }
  });

  function report(ack, { errorKey, field, expect }) {
    if (ack.ok) {
      alerts.clear(errorKey);
    } else if (!expect.includes(ack.error?.code)) {
      const code = ack.error?.code;
      alerts.show(capitalise(errorText(ack.error)) || t("That did not work: try again."), {
        key: errorKey, field, untilConnected: OFFLINE_CODES.has(code),
      });
    }
  }

  async function send(name, payload = {}, options = {}) {
    const { key = null, onQueued = null, field = null, expect = [] } = options;
    const errorKey = options.errorKey ?? key ?? name;
    if (key != null && busy.has(key)) return { ok: false, busy: true, error: { code: "busy", message: "" } };
    if (key != null) busy.set(key, name);
    const sig = writeSig(name, payload);
    awaited.add(sig);
    changed();
    const release = () => {
      if (key != null) busy.delete(key);
    };
    const sent = Promise.resolve()
      .then(() => client.send(name, payload))
      .catch((err) => ({ ok: false, error: { code: "client", message: String(err?.message ?? err) } }))
      .then((ack) => ack ?? { ok: false, error: { code: "client", message: "" } });
    let ack;
    if (onQueued) {
      let timer = 0;
      const wait = client.status.state === "connected" ? SLOW_ACK_MS : 0;
      const slow = new Promise((resolve) => { timer = setTimeout(() => resolve(QUEUED), wait); });
      ack = await Promise.race([sent, slow]);
      clearTimeout(timer);
      if (ack === QUEUED) {
        release();
        const later = sent.then((late) => {
          awaited.delete(sig);
          report(late, { errorKey, field: null, expect });
          changed();
          return late;
        });
        onQueued();
        changed();
        return { ok: false, queued: true, later, error: { code: "queued", message: "" } };
      }
    } else {
      ack = await sent;
    }
    awaited.delete(sig);
    release();
    report(ack, { errorKey, field, expect });
    changed();
    return ack;
  }

  send.busy = (key) => busy.has(key);
  return send;
}

/** Report client-level errors (kept for pages that do not use createSender). */
export function reportClientErrors(client, alerts) {
  client.on("error", (err) => {
    if (err?.item) alerts.show(queuedError(err), { key: `queued:${err.item.id}` });
    else if (err?.message) alerts.show(linkError(err), { key: "link" });
  });
}

/** First letter up (English server messages start in lower case); other scripts unchanged. */
export const capitalise = (text) => (text ? String(text)[0].toUpperCase() + String(text).slice(1) : "");

/** A write kept on this tablet that the server refused once it was sent. */
function queuedError(err) {
  return t("{message} ({action})", { message: capitalise(errorText(err)), action: describeCommand(err.item.name) });
}

/** The server refused the connection itself (a link no longer valid), in words. */
function linkError(err) {
  return describeStatus({ state: "refused", message: err.message, code: err.code });
}

const COMMAND_WORDS = {
  "note.add": () => t("adding a note"), "note.hide": () => t("hiding a note"),
  "note.support": () => t("supporting a note"), "note.restore": () => t("bringing back a note"),
  "keypoint.add": () => t("adding a key point"), "keypoint.publish": () => t("publishing a key point"),
  "keypoint.unpublish": () => t("taking a key point off the projector"),
  "keypoint.remove": () => t("deleting a key point"), "keypoint.edit": () => t("editing a key point"),
  "response.log": () => t("logging a response"), "response.withdraw": () => t("withdrawing a response"),
  "correction.submit": () => t("a correction"), "correction.resolve": () => t("resolving a correction"),
};
/** What a command was doing, in words ("adding a key point"). */
export const describeCommand = (name) => COMMAND_WORDS[name]?.() ?? name;

// -- time --------------------------------------------------------------------------------

/** "12:05" or "1:02:03" for a duration; never negative. Digits in every language (shown dir="ltr"). */
export function formatDuration(ms) {
  const secs = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(secs / 3600), m = Math.floor((secs % 3600) / 60), s = secs % 60;
  return (h ? `${h}:${String(m).padStart(2, "0")}` : `${m}`) + `:${String(s).padStart(2, "0")}`;
}

/** "just now", "3 min ago", "2 h 5 min ago". */
export function timeAgo(ts, now) {
  if (ts == null) return t("no activity yet");
  const mins = Math.floor(Math.max(0, now - ts) / 60000);
  if (mins < 1) return t("just now");
  if (mins < 60) return nt("{n} min ago", "{n} min ago", mins);
  const h = Math.floor(mins / 60), rest = mins % 60;
  return rest ? nt("{n} h {min} min ago", "{n} h {min} min ago", h, { min: formatNumber(rest) })
    : nt("{n} h ago", "{n} h ago", h);
}

/**
 * The venue's time zone (the assembly's `timezone`, CONTRACT §10), else undefined (this
 * device's own). Every console keeps its client at window.townhall.
 */
export function venueZone(model = globalThis.townhall?.model) {
  return model?.assembly?.timezone || undefined;
}

/** "14:05" (in the visitor's language) of a server timestamp, in the venue's time zone. */
export function clockTime(ts, timeZone = venueZone()) {
  return formatTime(new Date(ts), { timeZone });
}

/**
 * Keep `node` showing the venue's time of day with its zone ("14:05 GMT+9"), so the
 * times on the page say once which zone they are in.
 */
export function mountVenueClock(client, node) {
  if (!node) return null;
  node.classList.add("venue-clock");
  const word = el("span", { class: "venue-clock-label", text: t("Venue time") });
  // A time of day in words may hold letters ("03:00 م"): it takes its own direction.
  const time = el("time", { class: "venue-clock-time", dir: "auto" });
  node.replaceChildren(word, " ", time);
  const tick = () => {
    if (!client.model) return;
    const now = new Date(client.now());
    const text = formatTime(now, { timeZone: venueZone(client.model), zone: true });
    if (time.textContent === text) return;
    time.textContent = text;
    time.dateTime = now.toISOString();
  };
  tick();
  client.everySecond(tick);
  client.on("change", tick);
  return { tick };
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
    const text = state === "idle" || ms == null ? idleText : over
      ? t("+{time} over", { time: isolate(formatDuration(-ms)) }) : formatRemaining(ms);
    const key = `${state}|${over}|${text}`;
    if (key !== shown) {
      shown = key;
      setText(node, text);
      // Digits read left to right in every language; the word "over" follows the page.
      node.dir = over && dir === "rtl" ? "rtl" : "ltr";
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
  item.append(el("button", { type: "button", class: "toast-close", "aria-label": t("Close"), text: "×", onclick: close }));
  toastRegion.replaceChildren(item); // one at a time: the newest is the one that matters
  timer = setTimeout(close, ms);
  return close;
}

// -- dialogs -------------------------------------------------------------------------------

const dialogId = (what) => `${what}-${Math.random().toString(36).slice(2)}`;

/**
 * A modal question with two large buttons; resolves true when confirmed.
 * confirmAction({title, message, quote, confirm: "Publish", danger: false})
 */
export function confirmAction({ title, message = "", quote = "", confirm = t("Confirm"), cancel = t("Cancel"), danger = false }) {
  return new Promise((resolve) => {
    const titleId = dialogId("confirm-title");
    const ok = el("button", { type: "button", class: danger ? "danger" : "primary", text: confirm, value: "ok" });
    const no = el("button", { type: "button", text: cancel, value: "cancel" });
    const dialog = el("dialog", { class: "confirm", "aria-labelledby": titleId },
      el("h2", { id: titleId, text: title }),
      message ? el("p", { class: "confirm-message", text: message }) : null,
      quote ? el("blockquote", { class: "confirm-quote user-text", dir: "auto", text: quote }) : null,
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

/**
 * A modal that asks for a reason before something the hall saw is taken back; resolves
 * the reason (trimmed), or null when cancelled. The reason is required: an empty one is
 * refused in the dialog, which says so next to the field.
 */
export function askReason({
  title, message = "", quote = "", label = t("Reason"), hint = "", confirm = t("Confirm"),
  cancel = t("Cancel"), danger = true, required = t("Write the reason first: the hall is owed it."),
}) {
  return new Promise((resolve) => {
    const titleId = dialogId("reason-title");
    const fieldId = dialogId("reason-field");
    const hintId = `${fieldId}-hint`;
    const errorId = `${fieldId}-error`;
    const area = el("textarea", {
      id: fieldId, class: "reason-text", rows: 3, maxLength: 1000, required: true, dir: "auto",
      "aria-required": "true", "aria-describedby": hint ? `${hintId} ${errorId}` : errorId,
    });
    const error = el("p", { id: errorId, class: "form-error reason-error" });
    const ok = el("button", { type: "submit", class: danger ? "danger" : "primary", text: confirm });
    const no = el("button", { type: "button", text: cancel });
    const form = el("form", { method: "dialog", class: "reason-form", noValidate: true },
      el("label", { for: fieldId }, label, " ", el("span", { class: "required-mark", text: t("(required)") })),
      hint ? el("p", { id: hintId, class: "hint", text: hint }) : null,
      area,
      error,
      el("div", { class: "confirm-actions" }, no, ok));
    const dialog = el("dialog", { class: "confirm reason-dialog", "aria-labelledby": titleId },
      el("h2", { id: titleId, text: title }),
      message ? el("p", { class: "confirm-message", text: message }) : null,
      quote ? el("blockquote", { class: "confirm-quote user-text", dir: "auto", text: quote }) : null,
      form);
    let answer = null;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const reason = area.value.trim();
      if (!reason) {
        error.textContent = required;
        area.setAttribute("aria-invalid", "true");
        area.focus();
        return;
      }
      answer = reason;
      dialog.close();
    });
    area.addEventListener("input", () => {
      if (!area.value.trim()) return;
      error.textContent = "";
      area.removeAttribute("aria-invalid");
    });
    no.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    area.focus();
  });
}
