"""Domain errors.

Services and the workflow raise these; pages and the API translate them once into a message
(already translatable here) and a stable machine ``code``.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every error the domain raises on purpose. Nothing was changed when it is raised."""

    code = "domain_error"
    default_message = _("Permintaan tidak dapat diproses.")

    def __init__(self, message=None, *, code: str | None = None, **params):
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.params = params
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class NotFound(DomainError):
    code = "not_found"
    default_message = _("Data tidak ditemukan.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    default_message = _("Anda tidak berwenang melakukan tindakan ini.")


class InvalidInput(DomainError):
    code = "invalid_input"
    default_message = _("Data yang dikirim tidak valid.")
