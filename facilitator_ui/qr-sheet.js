// The printable sheet of join QR codes, one card per group. It connects as the organiser
// (the token is the path segment before "qr-sheet") and draws from client.model: the
// groups, their names and current join codes (`join` messages) as they are now, so a
// group added or renamed, or a code replaced, while the sheet is open shows at once. It
// marks <body data-ready="true"> once every card's QR image has loaded, so a print (or a
// test printing to PDF) waits for it.

import { createClient, describeStatus } from "/static/client.js";
import { el } from "/static/dom.js";

const $ = (id) => document.getElementById(id);
const segments = location.pathname.replace(/\/+$/, "").split("/");
const token = decodeURIComponent(segments[segments.length - 2] ?? "");

const client = createClient({ token });
window.townhall = client;

const capitalise = (t) => (t ? t[0].toUpperCase() + t.slice(1) : t);

client.on("change", render);
client.on("status", (status) => {
  const line = $("status");
  line.dataset.state = status.state;
  line.textContent = capitalise(describeStatus(status));
});

let shown = "";
let generation = 0;

function render() {
  const m = client.model;
  if (!m) return;
  const groups = m.groups;
  const codes = m.join ?? {};
  const title = m.assembly?.title ?? "";
  // Most changes (notes, timers) leave the sheet as it is: redraw only when it would differ.
  const key = JSON.stringify([title, m.baseUrl, groups.map((g) => [g.id, g.name, codes[g.id]])]);
  if (key === shown) return;
  shown = key;
  const mine = ++generation;
  document.body.removeAttribute("data-ready");
  $("print").disabled = true;
  $("sheet-error").textContent = "";
  if (title) document.title = `QR codes · ${title} · townhall`;

  const loads = [];
  const cards = groups.map((g) => {
    const code = codes[g.id];
    const card = el("section", { class: "qr-card", "data-group": g.id, "aria-label": g.name });
    card.append(el("p", { class: "assembly", dir: "auto", text: title }), el("h2", { class: "group", dir: "auto", text: g.name }));
    if (!code) {
      card.append(el("p", { class: "missing", text: "No join code for this group." }));
      return card;
    }
    const img = el("img", { class: "qr", alt: `QR code to join ${g.name}`, src: `/j/${encodeURIComponent(code)}/qr.svg` });
    loads.push(img.decode().then(() => true, () => {
      img.replaceWith(el("p", { class: "missing", text: "The QR code did not load: reload this page." }));
      return false;
    }));
    // The address may break only before the code, never inside it: it is typed by hand.
    const address = `${m.baseUrl}/j/${code}`;
    const cut = address.lastIndexOf("/") + 1;
    card.append(
      el("div", { class: "card-body" },
        img,
        el("div", { class: "words" },
          el("p", { class: "how", text: "Scan with your phone's camera to join this group." }),
          el("p", { class: "or", text: "No camera? Type this address into the browser:" }))),
      el("p", { class: "address" },
        el("span", { text: address.slice(0, cut) }), el("wbr"), el("span", { class: "code", text: address.slice(cut) })));
    return card;
  });
  $("cards").replaceChildren(...(cards.length ? cards
    : [el("p", { class: "no-groups", text: "No groups yet: add them in the organiser console, and their cards appear here." })]));

  Promise.all(loads).then((results) => {
    if (mine !== generation) return; // a newer render (a code was replaced) took over
    if (results.every(Boolean)) {
      document.body.dataset.ready = "true";
      $("print").disabled = false;
    } else {
      $("sheet-error").textContent = "Some QR codes did not load: reload the page before printing.";
    }
  });
}

$("print").addEventListener("click", () => window.print());
client.start();
