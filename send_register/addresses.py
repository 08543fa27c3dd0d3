"""The client's address, the same everywhere it is used: sign-in lockouts
(django-axes' AXES_CLIENT_IP_CALLABLE), the security log and /healthz.

Behind proxies the school controls, TRUSTED_PROXIES says how many stand in
front of the app; each appends the address it saw to X-Forwarded-For, so the
client is the entry that many places from the right. Entries further left
were written by the client and can be forged."""

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    address = request.META.get("REMOTE_ADDR")
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


# Loopback and the private ranges of RFC 1918 and RFC 4193 (Python's
# is_private also counts the documentation ranges, which are not ours).
INTERNAL_NETWORKS = [ipaddress.ip_network(n) for n in (
    "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7",
)]


def is_internal(request) -> bool:
    """From this machine or a private network (the school's or its host's)."""
    address = client_address(request)
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip.version == net.version and ip in net for net in INTERNAL_NETWORKS)
