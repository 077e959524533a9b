"""The files the pages load, under content-hashed URLs that browsers keep for a year.

On start every script, style sheet and vendored file is read once. References between
them (`import … from "/static/client.js"`, `<link href="/static/base.css">`) are
rewritten to hashed URLs (`/static/client.3f9a1c2b7d.js`), depth first, so a file's
hash covers what it loads: a new release changes the URLs of exactly what changed, and
a phone never mixes an old module with a new one. Hashed URLs are served with
`Cache-Control: public, max-age=31536000, immutable` and a gzip copy made once; the pages
themselves (HTML, with their secrets in the URL) are revalidated on every load.

Where the files are: inside the package in an installed wheel (townhall/static,
townhall/facilitator_ui), beside it in the source tree; TOWNHALL_ROOT overrides both.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
TEXT = {".js", ".mjs", ".css", ".html", ".svg", ".json", ".webmanifest", ".md"}
# A reference to another asset inside a quoted string or url(...): "/static/dom.js"
REFERENCE = re.compile(r"""(?<=["'(])(/(?:static|console|vendor)/[A-Za-z0-9_.\-/]+\.[a-z]+)(?=["')?#])""")
MIN_GZIP = 600  # bytes; smaller files gain nothing from compression
# Static imports (not `import()`, which is lazy on purpose): `import x from "/a.js"`,
# `export { y } from "/b.js"`, `import "/c.js"`.
STATIC_IMPORT = re.compile(r"""(?:^|[;\s])(?:import|export)\s*(?:[^"';]*?\sfrom\s*)?["'](/[^"']+\.js)["']""")
STYLESHEET = re.compile(r"""[ \t]*<link rel="stylesheet" href="(/[^"]+\.css)">\n?""")
MODULE_SCRIPT = re.compile(r"""<script type="module" src="(/[^"]+\.js)"></script>""")
PRELOAD = re.compile(r"""<link rel="modulepreload" href="(/[^"]+\.js)">""")


def source_dir(name: str) -> Path:
    """Where `static` or `facilitator_ui` lives: TOWNHALL_ROOT, the package, the tree."""
    if root := os.environ.get("TOWNHALL_ROOT"):
        return Path(root) / name
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parents[1] / name


@dataclass(frozen=True)
class Asset:
    url: str          # /static/client.js
    hashed: str       # /static/client.3f9a1c2b7d.js
    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str


class Assets:
    """Every file under the URL prefixes given, read and hashed once."""

    def __init__(self, roots: dict[str, Path], generated: dict[str, bytes] | None = None):
        """`generated`: files made on start rather than read (the languages' catalogs)."""
        self.roots = roots
        self._raw: dict[str, bytes] = dict(generated or {})
        for prefix, root in roots.items():
            if not root.is_dir():
                continue
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    rel = path.relative_to(root).as_posix()
                    self._raw[f"{prefix}/{rel}"] = path.read_bytes()
        self._done: dict[str, Asset] = {}
        self._by_hashed: dict[str, Asset] = {}
        for url in list(self._raw):
            self._build(url, ())

    # -- building ------------------------------------------------------------------

    def _build(self, url: str, stack: tuple[str, ...]) -> Asset | None:
        if url in self._done:
            return self._done[url]
        if url not in self._raw or url in stack:
            return None  # unknown, or an import cycle: that reference keeps its plain URL
        body = self._raw[url]
        suffix = Path(url).suffix
        if suffix == ".html":
            body = self._shape_page(body.decode("utf-8")).encode("utf-8")
        if suffix in TEXT and not url.startswith("/vendor/"):
            body = self.rewrite(body.decode("utf-8"), (*stack, url)).encode("utf-8")
        digest = hashlib.sha256(body).hexdigest()[:10]
        stem, dot, ext = url.rpartition(".")
        media = mimetypes.guess_type(url)[0] or "application/octet-stream"
        if suffix in (".js", ".mjs"):
            media = "text/javascript"
        if suffix in TEXT:
            media += "; charset=utf-8"
        packed = gzip.compress(body, 9, mtime=0) if suffix in TEXT and len(body) >= MIN_GZIP else None
        asset = Asset(url=url, hashed=f"{stem}.{digest}{dot}{ext}", body=body,
                      gzipped=packed if packed and len(packed) < len(body) else None,
                      media_type=media, etag=f'"{digest}"')
        self._done[url] = asset
        self._by_hashed[asset.hashed] = asset
        return asset

    # -- fewer round trips for a page -----------------------------------------------

    def imports(self, url: str, seen: set[str] | None = None) -> list[str]:
        """Every module `url` loads before it runs (static imports, depth first)."""
        seen = set() if seen is None else seen
        out = []
        text = self._raw.get(url, b"").decode("utf-8", "replace")
        for dep in STATIC_IMPORT.findall(text):
            if dep in self._raw and dep not in seen:
                seen.add(dep)
                out += [dep, *self.imports(dep, seen)]
        return out

    def _shape_page(self, html: str) -> str:
        """A page's style sheets as one file, and a modulepreload for every module its
        scripts import: on a slow link each request costs a round trip, so the browser
        should ask for everything at once, in as few requests as possible."""
        sheets = [u for u in STYLESHEET.findall(html) if u in self._raw]
        if len(sheets) > 1:
            combined = f"/static/combined/{'__'.join(Path(u).stem for u in sheets)}.css"
            self._raw[combined] = b"\n".join(self._raw[u] for u in sheets)
            first = True

            def one(m: re.Match) -> str:
                nonlocal first
                if m.group(1) not in sheets:
                    return m.group(0)
                keep, first = first, False
                return f'<link rel="stylesheet" href="{combined}">\n' if keep else ""

            html = STYLESHEET.sub(one, html)
        listed = set(PRELOAD.findall(html))
        for m in MODULE_SCRIPT.finditer(html):
            wanted = [u for u in self.imports(m.group(1)) if u not in listed]
            if wanted:
                links = "".join(f'<link rel="modulepreload" href="{u}">\n' for u in wanted)
                listed.update(wanted)
                html = html.replace(m.group(0), links + m.group(0), 1)
        return html

    def rewrite(self, text: str, stack: tuple[str, ...] = ()) -> str:
        """`text` with every reference to a known asset replaced by its hashed URL."""
        def swap(m: re.Match) -> str:
            asset = self._build(m.group(1), stack)
            return asset.hashed if asset else m.group(1)

        return REFERENCE.sub(swap, text)

    # -- reading -------------------------------------------------------------------

    def find(self, url: str) -> tuple[Asset, bool] | None:
        """The asset at `url`, and whether the URL was the hashed (immutable) one."""
        if (asset := self._by_hashed.get(url)) is not None:
            return asset, True
        if (asset := self._done.get(url)) is not None:
            return asset, False
        return None

    def hashed(self, url: str) -> str:
        asset = self._done.get(url)
        return asset.hashed if asset else url

    def all(self) -> list[Asset]:
        return list(self._done.values())

    @property
    def version(self) -> str:
        """One hash for the whole set: a new release has a new version."""
        h = hashlib.sha256()
        for url in sorted(self._done):
            h.update(self._done[url].hashed.encode())
        return h.hexdigest()[:12]
