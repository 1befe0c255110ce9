"""The one place where errors become HTTP responses for the REST API.

Every error body has the same shape, with a stable machine ``code`` and a ``message`` translated
into the request's language (Accept-Language id/en, via LocaleMiddleware)::

    {"code": "transition_not_allowed", "message": "...", "field": "note", "errors": {...}}

``field`` names the input a domain error is about; ``errors`` lists validation messages per field.
Domain errors (aduan.core.exceptions) map to HTTP statuses by kind: NotFound 404,
PermissionDenied 403, a move the state machine refuses 409, any other DomainError 400.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from aduan.complaints.workflow import ReopenWindowClosed, TransitionNotAllowed
from aduan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionDenied
from aduan.users.tokens import TokenExpired

logger = logging.getLogger(__name__)

CONFLICTS = (TransitionNotAllowed, ReopenWindowClosed)

# DRF's own exceptions: (code, message), the first that matches. The messages are the project's,
# so they are translated with the rest of the catalogue.
DRF_ERRORS = {
    TokenExpired: ("token_expired", TokenExpired.default_detail),  # before AuthenticationFailed
    drf.NotAuthenticated: ("not_authenticated", _("Masuk terlebih dahulu.")),
    drf.AuthenticationFailed: ("authentication_failed", _("Token atau sesi tidak valid.")),
    drf.PermissionDenied: ("permission_denied", PermissionDenied.default_message),
    drf.NotFound: ("not_found", NotFound.default_message),
    drf.MethodNotAllowed: ("method_not_allowed", _("Metode HTTP ini tidak didukung di alamat ini.")),
    drf.NotAcceptable: ("not_acceptable", _("Format jawaban yang diminta tidak tersedia.")),
    drf.UnsupportedMediaType: ("unsupported_media_type", _("Jenis isi permintaan tidak didukung.")),
    drf.ParseError: ("parse_error", _("Isi permintaan tidak dapat dibaca.")),
    drf.Throttled: ("throttled", _("Terlalu banyak permintaan. Coba lagi nanti.")),
}


def domain_status(exc: DomainError) -> int:
    if isinstance(exc, NotFound):
        return status.HTTP_404_NOT_FOUND
    if isinstance(exc, PermissionDenied):
        return status.HTTP_403_FORBIDDEN
    if isinstance(exc, CONFLICTS):
        return status.HTTP_409_CONFLICT
    return status.HTTP_400_BAD_REQUEST


def error_body(code: str, message, **extra) -> dict:
    body = {"code": code, "message": str(message)}
    body.update({k: v for k, v in extra.items() if v not in (None, "", {})})
    return body


def _text(message) -> str:
    """A message as JSON can carry it: DRF quotes the input in some messages ("… is not a valid
    choice"), and a lone surrogate sent as a JSON escape cannot be encoded (it was a 500)."""
    return str(message).encode("utf-8", "replace").decode("utf-8")


def _flatten(detail) -> dict:
    """DRF's nested ValidationError detail as {field: [messages]} (others under "non_field_errors")."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, messages in _flatten(value).items():
                    out[f"{key}.{sub}"] = messages
            else:
                out[_text(key)] = [_text(m) for m in (value if isinstance(value, list) else [value])]
        return out
    items = detail if isinstance(detail, list) else [detail]
    return {"non_field_errors": [_text(m) for m in items]}


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error as {code, message, ...}; anything unknown is left to
    Django (a 500 that is logged), which the schemathesis tests make sure never happens on input."""
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        # Django's limits on a body (DATA_UPLOAD_MAX_MEMORY_SIZE, ..._NUMBER_FIELDS/FILES), hit
        # while the request is parsed: the API's own body instead of Django's HTML 400 page.
        too_big = isinstance(exc, RequestDataTooBig)
        return Response(
            error_body(
                "request_too_large" if too_big else "too_many_fields",
                _("Isi permintaan terlalu besar.")
                if too_big
                else _("Isi permintaan memuat terlalu banyak isian."),
            ),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE if too_big else status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DomainError):
        set_rollback()
        field = exc.params.get("field") if isinstance(exc, InvalidInput) else None
        body = error_body(exc.code, exc.message, field=field)
        return Response(body, status=domain_status(exc))
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    if isinstance(exc, drf.ValidationError):
        set_rollback()
        errors = _flatten(exc.detail)
        field = next(iter(errors), None)
        return Response(
            error_body(
                "invalid_input",
                InvalidInput.default_message,
                field=field if field != "non_field_errors" else None,
                errors=errors,
            ),
            status=exc.status_code,
        )
    if isinstance(exc, drf.APIException):
        set_rollback()
        code, message = next(
            ((c, m) for kind, (c, m) in DRF_ERRORS.items() if isinstance(exc, kind)),
            ("error", exc.detail if isinstance(exc.detail, str) else InvalidInput.default_message),
        )
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if isinstance(exc, drf.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(max(1, int(exc.wait)))
        extra = {"retry_after": headers.get("Retry-After") and int(headers["Retry-After"])}
        return Response(error_body(code, message, **extra), status=exc.status_code, headers=headers)
    return None
