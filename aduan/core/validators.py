"""Checks on raw text that every input path shares.

PostgreSQL refuses the NUL character (U+0000) in text: a query or a row carrying one fails with a
database error, which would be a 500. Forms (Django's CharField) and serializers (DRF's CharField)
already refuse it in the fields they declare; these helpers cover what reaches a query some other
way (a path argument, a raw query-string or POST value, a related field's lookup)."""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

NUL = "\x00"
NUL_MESSAGE = _("Isian berisi karakter yang tidak diizinkan.")

# A complaint's title says what and where ("Jalan berlubang di depan SDN 5"): the citizen form and
# the API refuse fewer characters than this.
TITLE_MIN_LENGTH = 10
TITLE_TOO_SHORT = _("Judul terlalu pendek: tulis paling sedikit %(limit_value)d huruf, mis. apa dan di mana.")
TITLE_TOO_SHORT_API = _(
    "Judul terlalu pendek: tulis paling sedikit {min_length} huruf, mis. apa dan di mana."
)


def has_nul(*values: object) -> bool:
    """True if any of ``values`` (strings, or lists of strings as a QueryDict gives them) holds NUL."""
    for value in values:
        if isinstance(value, str):
            if NUL in value:
                return True
        elif isinstance(value, Iterable) and not isinstance(value, bytes | dict):
            if has_nul(*value):
                return True
    return False
