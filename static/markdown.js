// Information packs are Markdown: rendered by markdown-it (CommonMark, from npm, copied
// into /vendor by `make vendor`) with raw HTML off, so nothing in a pack ever runs.
// Numbered lists, tables, block quotes and links work; links open in a new tab with
// rel="noopener noreferrer"; images become links (a venue may have no internet, and
// nothing is loaded from elsewhere). markdown-it loads lazily, off the path to connecting.

let loading = null;
const LIBRARY = "/vendor/markdown-it.min.js";

function load() {
  loading ??= import(LIBRARY).then(() => {
    // Loaded after the page told the service worker what to keep: keep this too.
    const url = performance.getEntriesByType("resource").map((r) => r.name).find((u) => u.includes("/vendor/markdown-it."));
    navigator.serviceWorker?.controller?.postMessage({ type: "keep", page: location.href, files: url ? [url] : [] });
    const md = globalThis.markdownit({ html: false, linkify: false, typographer: false });
    md.disable("image");
    const rules = md.renderer.rules;
    const fallback = (tokens, i, options, env, self) => self.renderToken(tokens, i, options);
    const linkOpen = rules.link_open ?? fallback;
    rules.link_open = (tokens, i, options, env, self) => {
      tokens[i].attrSet("target", "_blank");
      tokens[i].attrSet("rel", "noopener noreferrer");
      return linkOpen(tokens, i, options, env, self);
    };
    // A pack's "# Title" sits under the page's own headings: shift levels down.
    const headingOpen = rules.heading_open ?? fallback;
    const shift = (tokens, i, env) => {
      const level = Math.min(6, Number(tokens[i].tag.slice(1)) + (env.baseLevel ?? 2) - 1);
      tokens[i].tag = `h${level}`;
    };
    rules.heading_open = (tokens, i, options, env, self) => { shift(tokens, i, env); return headingOpen(tokens, i, options, env, self); };
    const headingClose = rules.heading_close ?? fallback;
    rules.heading_close = (tokens, i, options, env, self) => { shift(tokens, i, env); return headingClose(tokens, i, options, env, self); };
    // Column alignment (|:---:|) comes as a style attribute, which the pages' CSP
    // refuses: say it with a class instead.
    md.core.ruler.push("align_class", (state) => {
      for (const token of state.tokens) {
        const style = token.attrGet?.("style");
        if (!style) continue;
        const align = /text-align:\s*(left|right|center)/.exec(style)?.[1];
        token.attrs = token.attrs.filter(([name]) => name !== "style");
        if (align) token.attrJoin("class", `align-${align}`);
      }
    });
    // Wide tables scroll inside their own box instead of widening a phone's page.
    rules.table_open = () => '<div class="table-scroll" tabindex="0"><table>\n';
    rules.table_close = () => "</table></div>\n";
    return md;
  });
  return loading;
}

/** The HTML markdown-it makes of `source` (safe: raw HTML is escaped). */
export async function markdownToHtml(source, baseLevel = 2) {
  const md = await load();
  return md.render(source ?? "", { baseLevel });
}

/**
 * A <div class="markdown"> that fills with the rendered pack as soon as markdown-it has
 * loaded (at once after the first time). Headings start at `baseLevel`. Meanwhile it
 * holds the plain text, so a slow link never leaves the pack blank.
 */
export function renderMarkdown(source, baseLevel = 2) {
  const box = document.createElement("div");
  box.className = "markdown";
  box.setAttribute("dir", "auto");
  box.setAttribute("aria-busy", "true");
  box.append(Object.assign(document.createElement("div"), { className: "markdown-plain", textContent: source ?? "" }));
  markdownToHtml(source, baseLevel).then((html) => {
    box.innerHTML = html; // markdown-it output with html:false: no markup from the pack itself
    box.removeAttribute("aria-busy");
  }, () => {
    box.textContent = source ?? ""; // the file could not load: the plain text still reads
    box.removeAttribute("aria-busy");
  });
  return box;
}
