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

import { lang as pageLang, languages, loadCatalog, translator } from "/static/i18n.js";

const catalogs = new Map(); // code -> Promise of its catalog
let current = null;          // the second language's translator, once loaded

/**
 * Speak `code` as the second language from now on (null or the page's own: none). Resolves
 * with the language once its catalog is here ({lang, dir}), or null.
 */
export async function useSecond(code) {
  if (!code || code === pageLang || !languages[code]) {
    current = null;
    return null;
  }
  if (current?.lang !== code) {
    if (!catalogs.has(code)) catalogs.set(code, loadCatalog(code));
    current = translator(code, await catalogs.get(code));
  }
  return second();
}

/** The second language in use ({lang, dir}), or null. */
export function second() {
  return current ? { lang: current.lang, dir: current.dir } : null;
}

const english = translator("en", { messages: {} });

/** `msgid` in the second language (English where it has no translation yet). */
export function t2(msgid, vars) {
  return (current ?? english).t(msgid, vars);
}

/** The plural form of a message in the second language; {n} in its own digits. */
export function nt2(singular, plural, n, vars = {}) {
  return (current ?? english).nt(singular, plural, n, vars);
}
