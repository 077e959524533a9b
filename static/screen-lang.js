// The plenary screen's language: `?lang=fr` in its link if given, else the browser's
// languages (CONTRACT §10). It has no mouse, so no picker; and what it speaks must not
// change any other page on the same device (a lead may open the screen in a tab of the
// laptop that runs the lead's console).
//
// static/i18n.js chooses its language when it is evaluated, from localStorage
// "townhall:lang" (a choice made on a page) and then navigator.languages. screen.js
// imports this module first, just before i18n.js: it puts the link's language there (or
// takes any stored choice away) for that moment, and puts back what was there right after
// i18n.js has chosen (a microtask runs only once the modules' synchronous evaluation,
// which includes i18n.js's choice before its first await, is over).

const STORED = "townhall:lang";
const asked = new URLSearchParams(location.search).get("lang")?.trim().toLowerCase() || null;

try {
  const before = localStorage.getItem(STORED);
  if (asked) localStorage.setItem(STORED, asked);
  else localStorage.removeItem(STORED);
  queueMicrotask(() => {
    try {
      if (before == null) localStorage.removeItem(STORED);
      else localStorage.setItem(STORED, before);
    } catch { /* storage went away: nothing to put back */ }
  });
} catch { /* no storage (private mode): the browser's languages decide */ }

/** The language the screen's link asked for, if any. */
export const askedLanguage = asked;
