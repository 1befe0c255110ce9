"""Who may read /readyz and /metrics: any client from ADUAN_OPS_ALLOWED_IPS (addresses or networks,
default loopback) without signing in; from anywhere else only a signed-in superuser. Behind a
proxy the client address must reach REMOTE_ADDR (ADUAN_TRUSTED_PROXIES, aduan/core/middleware.py)."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponseForbidden
from django.utils.translation import gettext as _


@lru_cache(maxsize=8)
def _networks(allowed: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in allowed if item.strip())


def address_allowed(remote_addr: str) -> bool:
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(settings.ADUAN_OPS_ALLOWED_IPS)))


def user_allowed(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def refused() -> HttpResponseForbidden:
    return HttpResponseForbidden(
        _("Akses ditolak: halaman ini hanya untuk alamat pemantauan yang dikonfigurasi atau admin."),
        content_type="text/plain; charset=utf-8",
    )
