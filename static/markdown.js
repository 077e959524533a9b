// A small, safe Markdown renderer for information packs: headings, paragraphs, lists,
// **bold** and *italic*. It builds DOM nodes with textContent, so no HTML in a pack
// (or anywhere else) is ever interpreted.

function inline(parent, text) {
  const re = /(\*\*[^*]+\*\*|\*[^*]+\*)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) parent.append(text.slice(last, m.index));
    const bold = m[0].startsWith("**");
    const el = document.createElement(bold ? "strong" : "em");
    el.textContent = m[0].slice(bold ? 2 : 1, bold ? -2 : -1);
    parent.append(el);
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(text.slice(last));
}

/** Render `source` into a fresh DocumentFragment; headings start at `baseLevel`. */
export function renderMarkdown(source, baseLevel = 2) {
  const frag = document.createDocumentFragment();
  let list = null;
  let para = [];
  const flushPara = () => {
    if (para.length) {
      const p = document.createElement("p");
      inline(p, para.join(" "));
      frag.append(p);
      para = [];
    }
  };
  for (const raw of (source ?? "").split(/\r?\n/)) {
    const line = raw.trim();
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    const item = /^[-*+]\s+(.*)$/.exec(line) ?? /^\d+[.)]\s+(.*)$/.exec(line);
    if (!line) { flushPara(); list = null; continue; }
    if (heading) {
      flushPara(); list = null;
      const h = document.createElement(`h${Math.min(6, baseLevel + heading[1].length - 1)}`);
      inline(h, heading[2]);
      frag.append(h);
    } else if (item) {
      flushPara();
      if (!list) { list = document.createElement("ul"); frag.append(list); }
      const li = document.createElement("li");
      inline(li, item[1]);
      list.append(li);
    } else {
      list = null;
      para.push(line);
    }
  }
  flushPara();
  return frag;
}
