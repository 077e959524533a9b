// A second language beside the page's own (CONTRACT §10): the plenary screen shows its
// labels in the language of the hall and, when the organiser set the assembly's
// `second_language`, again in that one. static/i18n.js loads one catalog (the page's);
// this loads another by the same hashed URLs (<meta name="townhall-i18n">) and reads it
// the same way: {name} placeholders, plural forms picked with Intl.PluralRules (CLDR).
//
//   await useSecond("es");       // null: none, or the page already speaks it
//   t2("Paused")                 // "En pausa" ("Paused" until a translator fills es)
//
// Messages must also appear in a t("…") call somewhere so that `make messages` extracts
// them; the screen writes each bilingual label once, as (t) => t("Paused"), and calls it
// with i18n.js's t and with t2.

import { lang as pageLang, languages } from "/static/i18n.js";

const catalogs = new Map(); // code -> Promise of its catalog
let current = null;          // { lang, dir, catalog, plurals, numbers } once loaded

function urls() {
  try {
    return JSON.parse(document.querySelector('meta[name="townhall-i18n"]').content).catalogs ?? {};
  } catch {
    return {};
  }
}

function fetchCatalog(code) {
  if (!catalogs.has(code)) {
    const url = urls()[code];
    catalogs.set(code, (url ? fetch(url).then((r) => (r.ok ? r.json() : null)) : Promise.resolve(null))
      .catch(() => null)
      .then((c) => c ?? { lang: code, messages: {} }));
  }
  return catalogs.get(code);
}

/**
 * Speak `code` as the second language from now on (null or the page's own: none). Resolves
 * with the language once its catalog is here ({lang, dir}), or null.
 */
export async function useSecond(code) {
  if (!code || code === pageLang || !languages[code]) {
    current = null;
    return null;
  }
  if (current?.lang === code) return { lang: code, dir: current.dir };
  const catalog = await fetchCatalog(code);
  current = {
    lang: code,
    dir: catalog.dir ?? "ltr",
    catalog,
    plurals: new Intl.PluralRules(code),
    numbers: new Intl.NumberFormat(code),
  };
  return { lang: code, dir: current.dir };
}

/** The second language in use ({lang, dir}), or null. */
export function second() {
  return current ? { lang: current.lang, dir: current.dir } : null;
}

function fill(text, vars) {
  return text.replace(/\{(\w+)\}/g, (whole, key) => (vars && key in vars ? String(vars[key]) : whole));
}

/** `msgid` in the second language (English where it has no translation yet). */
export function t2(msgid, vars) {
  const found = current?.catalog.messages?.[msgid];
  return fill(typeof found === "string" && found ? found : msgid, vars);
}

/** The plural form of a message in the second language; {n} in its own digits. */
export function nt2(singular, plural, n, vars = {}) {
  if (!current) return fill(n === 1 ? singular : plural, { n, ...vars });
  const forms = current.catalog.messages?.[singular];
  const category = current.plurals.select(n);
  let text;
  if (Array.isArray(forms) && forms.length) {
    const index = current.catalog.plural?.[category] ?? forms.length - 1;
    text = forms[index] || forms[forms.length - 1];
  } else {
    text = category === "one" ? singular : plural;
  }
  return fill(text, { n: current.numbers.format(n), ...vars });
}
