"""The HTML shells behind every link, with the few values a page needs before it
connects filled in on the server (escaped): the group a join link opens, say.

A page marks a value with `{{name}}`; anything not given is left empty.
"""

from __future__ import annotations

import html
import re

PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")


def fill(text: str, **values: str | None) -> str:
    return PLACEHOLDER.sub(lambda m: html.escape(values.get(m.group(1)) or "", quote=True), text)
