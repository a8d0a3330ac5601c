"""Which address a request came from, for the limits per client (store.py's check_client keys it).

A server behind a proxy (deploy/'s nginx) sees the proxy's address on every request; the proxy passes the
browser's own in X-Real-IP. That header is believed only from a proxy named in GRU_LAB_TRUSTED_PROXIES
(addresses, comma-separated; deploy/serve.py names its own nginx): anyone else could write any address there.
Pure: no Streamlit here (gru_lab/ui/live/seat.py reads the request).
"""
from __future__ import annotations

import ipaddress
import os

ENV_TRUSTED = "GRU_LAB_TRUSTED_PROXIES"
LOCAL = "127.0.0.1"  # what Streamlit reports as no address: this machine


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(text.strip().split("%")[0])
    except ValueError:
        return None
    return ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip


def trusted_proxies(text: str | None = None) -> frozenset:
    """The proxies of $GRU_LAB_TRUSTED_PROXIES (or `text`); ValueError names an entry that is not an address."""
    text = os.environ.get(ENV_TRUSTED, "") if text is None else text
    out = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        ip = _ip(part)
        if ip is None:
            raise ValueError(f"{ENV_TRUSTED}: {part!r} is not an IP address")
        out.add(ip)
    return frozenset(out)


def client_address(remote: str | None, real_ip: str | None, trusted: frozenset) -> str:
    """The browser's address: the proxy's X-Real-IP when `remote` is a trusted proxy, else `remote` itself."""
    remote = remote or LOCAL
    if real_ip and _ip(remote) in trusted and _ip(real_ip) is not None:
        return real_ip.strip()
    return remote
