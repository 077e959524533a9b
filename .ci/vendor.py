"""Copy the browser files townhall ships from node_modules into static/vendor/, and
record where each came from (package, version from package-lock.json, sha256) in
static/vendor/VENDOR.json. Run by `make vendor`; tests/test_vendor.py checks the copies
against package-lock.json. Never edit the copies by hand: change package.json, run
`npm install` and `make vendor`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "static" / "vendor"
# file served at /vendor/<name>  <-  node_modules/<package>/<path>
FILES = {
    "socket.io.esm.min.js": ("socket.io-client", "dist/socket.io.esm.min.js"),
    "markdown-it.min.js": ("markdown-it", "dist/markdown-it.min.js"),
}


def locked_version(lock: dict, package: str) -> str:
    return lock["packages"][f"node_modules/{package}"]["version"]


def main() -> int:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    record = {}
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (package, path) in FILES.items():
        src = ROOT / "node_modules" / package / path
        installed = json.loads((ROOT / "node_modules" / package / "package.json").read_text())["version"]
        want = locked_version(lock, package)
        if installed != want:
            print(f"vendor: node_modules has {package} {installed}, package-lock.json says {want}: "
                  "run npm ci first", file=sys.stderr)
            return 1
        shutil.copyfile(src, OUT / name)
        record[name] = {"package": package, "version": want, "path": path,
                        "sha256": hashlib.sha256(src.read_bytes()).hexdigest()}
        print(f"vendor: {name} <- {package}@{want}/{path}")
    (OUT / "VENDOR.json").write_text(json.dumps(record, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
