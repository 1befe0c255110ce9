"""Shared pieces of the OpenAPI description: the error body and the error responses by status."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorOutput = inline_serializer(
    name="Error",
    fields={
        "code": serializers.CharField(help_text="Kode mesin yang stabil, mis. transition_not_allowed."),
        "message": serializers.CharField(help_text="Pesan dalam bahasa permintaan (Accept-Language)."),
        "field": serializers.CharField(required=False, help_text="Isian yang bermasalah."),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()), required=False
        ),
        "retry_after": serializers.IntegerField(required=False),
    },
)


def _error(description: str, code: str, message: str, **extra) -> OpenApiResponse:
    return OpenApiResponse(
        ErrorOutput,
        description=description,
        examples=[
            OpenApiExample(code, value={"code": code, "message": message, **extra}, response_only=True)
        ],
    )


ERROR_400 = _error(
    "Masukan tidak valid", "invalid_input", "Data yang dikirim tidak valid.", field="title",
    errors={"title": ["Isian ini wajib diisi."]},
)  # fmt: skip
ERROR_401 = _error("Belum masuk", "not_authenticated", "Masuk terlebih dahulu.")
ERROR_403 = _error("Tidak berwenang", "permission_denied", "Anda tidak berwenang melakukan tindakan ini.")
ERROR_404 = _error("Tidak ditemukan", "not_found", "Data tidak ditemukan.")
ERROR_409 = _error(
    "Tidak sesuai status", "transition_not_allowed",
    "Tindakan ini tidak dapat dilakukan pada status aduan saat ini.",
)  # fmt: skip
ERROR_429 = _error(
    "Terlalu banyak permintaan", "throttled", "Terlalu banyak permintaan. Coba lagi nanti.", retry_after=1800
)

ERRORS_404 = {404: ERROR_404}
PUBLIC_WRITE_ERRORS = {400: ERROR_400, 404: ERROR_404, 409: ERROR_409, 429: ERROR_429}
STAFF_READ_ERRORS = {401: ERROR_401, 403: ERROR_403, 404: ERROR_404}
STAFF_WRITE_ERRORS = {400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409}
