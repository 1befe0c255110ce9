"""A Pemda's integration webhooks, kept by its koordinator: list, register (the signing secret is
shown once, in the answer), deactivate. Events are delivered through the notification outbox."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.agencies.models import Pemda
from aduan.complaints.selectors import koordinator_pemda_ids
from aduan.core.exceptions import PermissionDenied
from aduan.notifications.models import WebhookEndpoint
from aduan.notifications.services import webhook_endpoint_deactivate, webhook_endpoint_register

from ..schema import STAFF_READ_ERRORS, STAFF_WRITE_ERRORS

TAG = "Webhook"


class WebhookOutput(serializers.Serializer):
    id = serializers.IntegerField()
    pemda = serializers.CharField(source="pemda.code")
    url = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WebhookCreatedOutput(WebhookOutput):
    secret = serializers.CharField(help_text="Kunci HMAC; hanya ditampilkan sekali.")


class WebhookInput(serializers.Serializer):
    pemda = serializers.CharField(max_length=10)
    url = serializers.CharField(max_length=254)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


EXAMPLE = {
    "id": 1, "pemda": "BPN", "url": "https://integrasi.balikpapan.go.id/aduan", "description": "Dasbor kota",
    "is_active": True, "created_at": "2026-06-08T01:00:00Z",
}  # fmt: skip


class WebhookListApi(APIView):
    """Webhook endpoints of the Pemdas you coordinate."""

    @extend_schema(
        tags=[TAG], summary="Daftar webhook", responses={200: WebhookOutput(many=True), **STAFF_READ_ERRORS},
        examples=[OpenApiExample("Satu", value=[EXAMPLE], response_only=True)],
    )  # fmt: skip
    def get(self, request):
        rows = WebhookEndpoint.objects.filter(
            pemda_id__in=koordinator_pemda_ids(request.user)
        ).select_related("pemda")
        return Response(WebhookOutput(rows.order_by("pk"), many=True).data)

    @extend_schema(
        tags=[TAG], summary="Daftarkan webhook", request=WebhookInput,
        responses={201: WebhookCreatedOutput, **STAFF_WRITE_ERRORS},
        examples=[
            OpenApiExample("Daftar", value={"pemda": "BPN", "url": EXAMPLE["url"]}, request_only=True),
            OpenApiExample("Terdaftar", value={**EXAMPLE, "secret": "5f2c…"}, response_only=True),
        ],
    )  # fmt: skip
    def post(self, request):
        data = WebhookInput(data=request.data)
        data.is_valid(raise_exception=True)
        pemda = get_object_or_404(Pemda, code=data.validated_data["pemda"].upper())
        if pemda.pk not in koordinator_pemda_ids(request.user):
            raise PermissionDenied(code="koordinator_only")
        endpoint = webhook_endpoint_register(
            pemda=pemda, url=data.validated_data["url"], description=data.validated_data["description"]
        )
        return Response(WebhookCreatedOutput(endpoint).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG], summary="Nonaktifkan webhook", responses={204: None, **STAFF_WRITE_ERRORS})
class WebhookDetailApi(APIView):
    """Stop sending events to an endpoint."""

    def delete(self, request, pk: int):
        webhook_endpoint_deactivate(endpoint_id=pk, pemda_ids=koordinator_pemda_ids(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)
