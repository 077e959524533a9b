"""The address phones use to reach this machine: it goes into every QR code.

With no TOWNHALL_BASE_URL, guessing from the host name fails on a common Debian or
Ubuntu laptop (it resolves to 127.0.1.1, so every QR code points phones at themselves).
So: list the machine's own addresses (psutil), prefer the one its default route leaves
by (the venue's Wi-Fi or LAN), and say plainly when only loopback is left.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field

import psutil


@dataclass
class Address:
    url: str                       # what QR codes carry
    host: str
    loopback: bool                 # phones cannot reach it
    secure: bool                   # https: browsers allow the offline shell
    how: str                       # how it was chosen, in words
    others: list[str] = field(default_factory=list)  # other addresses, "10.0.0.5 (eth1)"

    def warnings(self) -> list[dict[str, str]]:
        """What the organiser should know, each with a stable `code` (pages say it in the
        visitor's language) and the English `message` (the command line prints it)."""
        out = []
        if self.loopback:
            out.append({"code": "qr_loopback", "host": self.host, "message": (
                f"QR codes point at {self.host}, this machine itself: phones cannot reach "
                "it. Connect to the venue network, or set TOWNHALL_BASE_URL to the address "
                "phones use (for example http://192.168.1.20:8000).")})
        if not self.secure:
            out.append({"code": "plain_http", "message": (
                "Plain http: phones will not keep the app for when the Wi-Fi drops (browsers "
                "allow that only over https). See docs/deploy.md to serve https with "
                "--ssl-certfile and --ssl-keyfile.")})
        return out


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def candidates() -> list[tuple[str, str]]:
    """(address, interface) for every IPv4 address phones might reach, best first:
    private (venue) networks before others; no loopback, no link-local."""
    found = []
    for iface, addrs in psutil.net_if_addrs().items():
        for a in addrs:
            if a.family != socket.AF_INET:
                continue
            ip = ipaddress.ip_address(a.address)
            if ip.is_loopback or ip.is_link_local or ip.is_unspecified:
                continue
            found.append((a.address, iface))
    return sorted(found, key=lambda x: not ipaddress.ip_address(x[0]).is_private)


def routed_address() -> str | None:
    """The local address the default route leaves by. A UDP connect sends nothing; it
    fails when there is no route at all (no network)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("198.51.100.1", 9))  # TEST-NET-2: never contacted
            return s.getsockname()[0]
        except OSError:
            return None


def base_address(host: str, port: int, scheme: str, configured: str | None) -> Address:
    """The address for QR codes: TOWNHALL_BASE_URL if set; the host serve listens on if
    it names one; else the machine's best address."""
    secure = scheme == "https"
    if configured:
        url = configured.rstrip("/")
        name = url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
        return Address(url, name, _is_loopback(name), url.startswith("https://"),
                       "TOWNHALL_BASE_URL")
    default_port = (scheme == "https" and port == 443) or (scheme == "http" and port == 80)

    def url_for(h: str) -> str:
        h = f"[{h}]" if ":" in h else h
        return f"{scheme}://{h}" + ("" if default_port else f":{port}")

    if host not in ("0.0.0.0", "::", ""):
        return Address(url_for(host), host, _is_loopback(host), secure, "the --host given")
    found = candidates()
    routed = routed_address()
    pick = next((a for a in found if a[0] == routed), found[0] if found else None)
    if pick is None:
        return Address(url_for("127.0.0.1"), "127.0.0.1", True, secure,
                       "no network address found")
    others = [f"{a} ({i})" for a, i in found if a != pick[0]]
    how = f"the address of {pick[1]}" + (", where the default route goes" if pick[0] == routed else "")
    return Address(url_for(pick[0]), pick[0], False, secure, how, others)
