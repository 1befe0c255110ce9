"""The client's address behind a reverse proxy.

gunicorn sets REMOTE_ADDR to the peer, which behind nginx is nginx itself: every citizen would
share one throttle and /readyz would trust everyone. When the peer is one of
ADUAN_TRUSTED_PROXIES, ``TrustedProxyMiddleware`` takes the client's address from the
``X-Real-IP`` header, which the proxy overwrites with the address it saw (deploy/nginx:
``proxy_set_header X-Real-IP $remote_addr``). From any other peer the header is ignored, so a
client cannot choose its own address. Empty list (the default): REMOTE_ADDR is used as it is."""

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        proxies = settings.ADUAN_TRUSTED_PROXIES
        if proxies and request.META.get("REMOTE_ADDR", "") in proxies:
            client = _address(request.META.get("HTTP_X_REAL_IP", ""))
            if client is not None:
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
