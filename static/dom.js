// Building DOM nodes for every page. User text only ever goes in through `text`
// (textContent) or as a string child (a Text node): never parsed as HTML.

/** el("li", {class: "note", text: note.text, "data-note-id": id, onclick: fn}, ...children) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (k.startsWith("data-") || k.startsWith("aria-") || k === "role" || k === "for") {
      node.setAttribute(k, v === true && !k.startsWith("aria-") ? "" : String(v));
    } else node[k] = v;
  }
  for (const c of children) if (c != null && c !== false) node.append(c);
  return node;
}

/**
 * A translated sentence with elements in it: `text` (a t() message whose placeholders
 * were left as they are) split at each {name}, with nodes[name] (an element or a string)
 * in its place, ready for append(...). With `wrap`, the sentence's own words go in spans
 * of that class, to style them apart from the values.
 *   label.append(...withNodes(t("Why: {reason}"), { reason: el("span", { dir: "auto", text }) }))
 */
export function withNodes(text, nodes, wrap = null) {
  return text.split(/(\{\w+\})/).filter(Boolean).map((part) => {
    const key = /^\{(\w+)\}$/.exec(part)?.[1];
    if (key && key in nodes) return nodes[key];
    return wrap ? el("span", { class: wrap, text: part }) : part;
  });
}
