// Every word the pages show, in the visitor's language (CONTRACT §10). The catalogs are
// the same gettext catalogs the record of the day uses (server/townhall/locale), served as
// JSON under hashed URLs that the server names in <meta name="townhall-i18n">. A page
// follows the browser's languages until the visitor picks one (kept on the device).
//
//   t("Join your group")                       a message
//   t("Welcome, {name}", { name })             with a value ({name} stays {name} in every language)
//   nt("{n} note", "{n} notes", count)         a plural: the form comes from the catalog,
//                                              chosen with Intl.PluralRules (CLDR), never by hand
//   <h2 data-i18n>Notes</h2>                   page text translated by applyDocument()
//   <button data-i18n-attr="aria-label" aria-label="Close">×</button>
//
// This module loads its catalog before any page module runs (top-level await), so pages
// may translate as they render. Nothing here knows a page.

const STORED = "townhall:lang";
const meta = readMeta();

/** The languages there are catalogs for: {code: native name}. */
export const languages = meta.names;
/** The language this page speaks, and its direction. */
export const lang = choose();
const speaking = translator(lang, await loadCatalog(lang));
export const dir = speaking.dir;

function readMeta() {
  try {
    const node = document.querySelector('meta[name="townhall-i18n"]');
    return JSON.parse(node.content);
  } catch {
    return { catalogs: {}, names: { en: "English" }, default: "en" };
  }
}

/** The visitor's own choice if there is one, else the first of the browser's languages
 *  townhall speaks, else the server's guess from Accept-Language. */
function choose() {
  let stored = null;
  try { stored = localStorage.getItem(STORED); } catch { /* private mode */ }
  if (stored && meta.catalogs[stored]) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (meta.catalogs[base]) return base;
  }
  return meta.catalogs[meta.default] ? meta.default : "en";
}

/** A language's catalog, by the hashed URL the page names (a page may load a second). */
export async function loadCatalog(code) {
  const url = meta.catalogs[code];
  if (!url) return { messages: {} };
  try {
    const response = await fetch(url);
    if (response.ok) return await response.json();
  } catch { /* offline and not kept yet: the page speaks its source language */ }
  return { messages: {} };
}

function fill(text, vars) {
  return text.replace(/\{(\w+)\}/g, (whole, key) => (vars && key in vars ? String(vars[key]) : whole));
}

/** Intl's locale for a language: British English, as the record writes it. */
export function intlLocale(code) {
  return code === "en" ? "en-GB" : code;
}

/** t and nt for one language and its catalog (the page's own, or a second one). */
export function translator(code, catalog) {
  const plurals = new Intl.PluralRules(code);
  const numbers = new Intl.NumberFormat(intlLocale(code));
  return {
    lang: code,
    dir: catalog.dir ?? "ltr",
    t(msgid, vars) {
      const found = catalog.messages?.[msgid];
      return fill(typeof found === "string" && found ? found : msgid, vars);
    },
    nt(singular, plural, n, vars = {}) {
      const forms = catalog.messages?.[singular];
      const category = plurals.select(n);
      let text;
      if (Array.isArray(forms) && forms.length) {
        const index = catalog.plural?.[category] ?? forms.length - 1;
        text = forms[index] || forms[forms.length - 1];
      } else {
        text = category === "one" ? singular : plural; // the source language itself
      }
      return fill(text, { n: numbers.format(n), ...vars });
    },
  };
}

/** `msgid` in this page's language, with {name} placeholders filled from `vars`. */
export function t(msgid, vars) {
  return speaking.t(msgid, vars);
}

/** The plural form of "{n} note" / "{n} notes" for `n`; {n} is n in local digits. */
export function nt(singular, plural, n, vars = {}) {
  return speaking.nt(singular, plural, n, vars);
}

/** Set <html lang dir> and translate the page's own marked text and attributes. */
export function applyDocument(root = document) {
  if (root === document) {
    document.documentElement.lang = lang;
    document.documentElement.dir = dir;
  }
  for (const node of root.querySelectorAll("[data-i18n]")) {
    if (node.i18nSource == null) node.i18nSource = node.textContent.replace(/\s+/g, " ").trim();
    node.textContent = t(node.i18nSource);
  }
  for (const node of root.querySelectorAll("[data-i18n-attr]")) {
    for (const name of node.getAttribute("data-i18n-attr").split(/\s+/).filter(Boolean)) {
      const key = `i18n:${name}`;
      node[key] ??= node.getAttribute(name);
      if (node[key] != null) node.setAttribute(name, t(node[key]));
    }
  }
}

/** Pick another language: kept on this device, and the page reloads to speak it. */
export function setLanguage(code) {
  if (!languages[code]) return;
  try { localStorage.setItem(STORED, code); } catch { /* private mode: this visit only */ }
  location.reload();
}

/** A labelled <select> of the languages by their own names, to put on any page. */
export function languagePicker({ id = "language" } = {}) {
  const label = document.createElement("label");
  label.className = "language-picker";
  label.htmlFor = id;
  const word = document.createElement("span");
  word.className = "language-picker-label";
  word.textContent = t("Language");
  const select = document.createElement("select");
  select.id = id;
  for (const [code, name] of Object.entries(languages)) {
    const option = document.createElement("option");
    option.value = code;
    option.lang = code;
    option.textContent = name;
    option.selected = code === lang;
    select.append(option);
  }
  select.addEventListener("change", () => setLanguage(select.value));
  label.append(word, select);
  return label;
}

// -- numbers, dates and times: Intl, in this language and the venue's time zone -----------

export function formatNumber(n, options) {
  return new Intl.NumberFormat(intlLocale(lang), options).format(n);
}

/** "14:05" (and the zone's short name when asked), in the venue's time zone. */
export function formatTime(ts, { timeZone, seconds = false, zone = false } = {}) {
  return new Intl.DateTimeFormat(intlLocale(lang), {
    hour: "2-digit", minute: "2-digit", ...(seconds ? { second: "2-digit" } : {}),
    ...(timeZone ? { timeZone } : {}), ...(zone ? { timeZoneName: "short" } : {}),
  }).format(ts);
}

/** A day ("Wednesday 17 September 2014") from an ISO date. */
export function formatDate(iso, options = { weekday: "long", day: "numeric", month: "long", year: "numeric" }) {
  const d = new Date(`${iso}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(intlLocale(lang), { ...options, timeZone: "UTC" }).format(d);
}

// -- the assembly's own texts, translated where the organiser gave a translation ----------

/** The assembly's title in this language if it was translated, else its own. */
export function assemblyTitle(model) {
  return model?.assembly?.translations?.[lang]?.title || model?.assembly?.title || "";
}

/** A group's name (or info pack: field "info_pack") in this language, else its own. */
export function groupText(model, group, field = "name") {
  if (!group) return "";
  return model?.assembly?.translations?.[lang]?.groups?.[group.id]?.[field] || group[field] || "";
}

// -- errors: the server keeps stable codes; people read them in their language ------------

const ERRORS = {
  invalid: () => t("That was not accepted: check what you entered and try again."),
  forbidden: () => t("You may not do this from this link."),
  not_found: () => t("That no longer exists: it may have been removed."),
  too_large: () => t("That is too long: shorten it and send it again."),
  rate_limited: () => t("Too many at once: wait a moment and send it again."),
  conflict: () => t("That changed meanwhile: look again, then try once more."),
  unavailable: () => t("The server could not save this just now: it will be sent again."),
  offline: () => t("Not connected: try again when the connection is back."),
  timeout: () => t("No answer from the server: check and try again."),
};

/** What to tell a person about an error ack ({code, message}): in English, the
 *  server's own precise message; in other languages, the meaning of its code. */
export function errorText(error) {
  if (!error) return t("That did not work: try again.");
  if (lang === "en" && error.message) return error.message;
  return ERRORS[error.code]?.() ?? error.message ?? t("That did not work: try again.");
}
