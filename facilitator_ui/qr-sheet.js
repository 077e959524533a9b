// The printable sheet of join QR codes, one card per group. It connects as the organiser
// (the token is the path segment before "qr-sheet") and draws from client.model: the
// groups, their names and current join codes (`join` messages) as they are now, so a
// group added or renamed, or a code replaced, while the sheet is open shows at once. It
// marks <body data-ready="true"> once every card's QR image has loaded, so a print (or a
// test printing to PDF) waits for it.
//
// The sheet speaks the language picked on it (static/i18n.js, CONTRACT §10), with the
// assembly's title and group names as the organiser translated them. When the QR codes
// carry this computer's own address (127.x, localhost, ::1: the server found no network
// address phones can reach) it says so loudly, asks before printing, and every card
// says it on paper too.

import { t, applyDocument, languagePicker, assemblyTitle, groupText } from "/static/i18n.js";
import { createClient, describeStatus, loopbackHost } from "/static/client.js";
import { el } from "/static/dom.js";

const $ = (id) => document.getElementById(id);
const segments = location.pathname.replace(/\/+$/, "").split("/");
const token = decodeURIComponent(segments[segments.length - 2] ?? "");

applyDocument();
$("language-slot").append(languagePicker({ id: "language" }));

const client = createClient({ token });
window.townhall = client;

const capitalise = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

client.on("change", render);
client.on("status", (status) => {
  const line = $("status");
  line.dataset.state = status.state;
  line.textContent = capitalise(describeStatus(status));
});

let shown = "";
let generation = 0;
let loopback = null; // the loopback host the codes carry, if they do

function renderWarning(host) {
  loopback = host;
  $("loopback-warning").hidden = !host;
  document.body.classList.toggle("unreachable", Boolean(host));
  if (!host) return;
  const said = t("Its QR codes point at {host}, this computer itself: phones cannot reach that address, so nobody could join from these cards.", { host });
  if ($("loopback-text").textContent !== said) $("loopback-text").textContent = said;
  $("print-dialog-body").textContent = said;
}

function render() {
  const m = client.model;
  if (!m) return;
  const groups = m.groups;
  const codes = m.join ?? {};
  const title = assemblyTitle(m);
  const names = groups.map((g) => groupText(m, g));
  // Most changes (notes, timers) leave the sheet as it is: redraw only when it would differ.
  const key = JSON.stringify([title, m.baseUrl, groups.map((g, i) => [g.id, names[i], codes[g.id]])]);
  if (key === shown) return;
  shown = key;
  const mine = ++generation;
  document.body.removeAttribute("data-ready");
  $("print").disabled = true;
  $("sheet-error").textContent = "";
  document.title = title ? t("QR codes · {title} · townhall", { title }) : t("QR codes to print · townhall");
  const host = loopbackHost(m.baseUrl);
  renderWarning(host);

  const loads = [];
  const cards = groups.map((g, i) => {
    const code = codes[g.id];
    const name = names[i];
    const card = el("section", { class: "qr-card", "data-group": g.id, "aria-label": name });
    card.append(el("p", { class: "assembly", dir: "auto", text: title }), el("h2", { class: "group", dir: "auto", text: name }));
    if (!code) {
      card.append(el("p", { class: "missing", text: t("No join code for this group.") }));
      return card;
    }
    const img = el("img", { class: "qr", alt: t("QR code to join {group}", { group: name }), src: `/j/${encodeURIComponent(code)}/qr.svg` });
    loads.push(img.decode().then(() => true, () => {
      img.replaceWith(el("p", { class: "missing", text: t("The QR code did not load: reload this page.") }));
      return false;
    }));
    // The address may break only before the code, never inside it: it is typed by hand.
    const address = `${m.baseUrl}/j/${code}`;
    const cut = address.lastIndexOf("/") + 1;
    card.append(
      el("div", { class: "card-body" },
        img,
        el("div", { class: "words" },
          el("p", { class: "how", text: t("Scan with your phone's camera to join this group.") }),
          el("p", { class: "or", text: t("No camera? Type this address into the browser:") }))),
      el("p", { class: "address", dir: "ltr" },
        el("span", { text: address.slice(0, cut) }), el("wbr"), el("span", { class: "code", text: address.slice(cut) })));
    // Printed all the same, the card says on paper that it cannot work.
    if (host) {
      card.append(el("p", { class: "void-stamp", "aria-hidden": "true",
        text: t("Not for use: phones cannot reach {host}", { host }) }));
    }
    return card;
  });
  $("cards").replaceChildren(...(cards.length ? cards
    : [el("p", { class: "no-groups", text: t("No groups yet: add them in the organiser console, and their cards appear here.") })]));

  Promise.all(loads).then((results) => {
    if (mine !== generation) return; // a newer render (a code was replaced) took over
    if (results.every(Boolean)) {
      document.body.dataset.ready = "true";
      $("print").disabled = false;
    } else {
      $("sheet-error").textContent = t("Some QR codes did not load: reload the page before printing.");
    }
  });
}

// Printing codes phones cannot reach wastes the paper and the day: ask first, and the
// safe answer is the default one.
const dialog = $("print-dialog");
$("print").addEventListener("click", () => {
  if (!loopback) { window.print(); return; }
  dialog.returnValue = "";
  dialog.showModal();
  $("print-cancel").focus();
});
dialog.addEventListener("close", () => {
  if (dialog.returnValue === "print") window.print();
  else $("print").focus();
});

client.start();
