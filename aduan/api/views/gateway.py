"""The SMS/WhatsApp gateway's inbound webhook: POST /api/v1/gateway/inbound/ (aduan/complaints/gateway.py).
No session or token: the HMAC signature over the raw body is the only credential."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.complaints.gateway import SignatureInvalid, gateway_receive, gateway_verify

from ..exceptions import error_body
from ..schema import ERROR_400, ERROR_401

TAG = "Gateway"


class MediaInput(serializers.Serializer):
    filename = serializers.CharField(required=False)
    content_type = serializers.CharField(required=False)
    data = serializers.CharField(help_text="Isi berkas, base64.")


class GatewayInput(serializers.Serializer):
    pemda = serializers.CharField(help_text="Kode pemda, mis. BPN.")
    channel = serializers.ChoiceField(choices=["whatsapp", "sms"])
    message_id = serializers.CharField(help_text="ID pesan di gateway: pesan yang sama hanya dicatat sekali.")
    sender = serializers.CharField(help_text="Nomor telepon pengirim.")
    name = serializers.CharField(
        required=False, allow_blank=True, help_text="Nama pengirim; tanpa nama aduan dicatat anonim."
    )
    text = serializers.CharField()
    media = MediaInput(many=True, required=False)


class GatewayOutput(serializers.Serializer):
    ticket_number = serializers.CharField()
    status = serializers.CharField()
    created = serializers.BooleanField(help_text="true: aduan baru; false: ditambahkan ke aduan pengirim.")
    duplicate = serializers.BooleanField(help_text="true: pesan ini sudah diterima sebelumnya.")


SIGNATURE_HEADERS = [
    OpenApiParameter("X-Aduan-Timestamp", str, OpenApiParameter.HEADER, required=True),
    OpenApiParameter(
        "X-Aduan-Signature",
        str,
        OpenApiParameter.HEADER,
        required=True,
        description='sha256=<HMAC "<ts>.<body>">',
    ),
]


@extend_schema(
    tags=[TAG],
    summary="Pesan masuk dari gateway SMS/WhatsApp",
    parameters=SIGNATURE_HEADERS,
    request=GatewayInput,
    responses={200: GatewayOutput, 201: GatewayOutput, 400: ERROR_400, 401: ERROR_401},
    examples=[
        OpenApiExample(
            "Aduan baru",
            value={
                "pemda": "BPN",
                "channel": "whatsapp",
                "message_id": "wamid.HBgL",
                "sender": "+6281254780012",
                "name": "Hendra",
                "text": "Lampu jalan di Jl. Sudirman mati sejak seminggu",
            },
            request_only=True,
        )
    ],
)
class GatewayInboundApi(APIView):
    """Files the message as a complaint (channel whatsapp or sms) or, when it names the ticket of
    the sender's open complaint, adds to it. A wrong or old signature, or a replay: 401, nothing stored."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    def post(self, request):
        try:
            gateway_verify(
                body=request.body,
                timestamp=request.headers.get("X-Aduan-Timestamp", ""),
                signature=request.headers.get("X-Aduan-Signature", ""),
            )
        except SignatureInvalid as error:
            return Response(
                error_body(error.code, error.message),
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": 'HMAC-SHA256 realm="gateway"'},
            )
        body = GatewayInput(data=request.data)
        body.is_valid(raise_exception=True)
        result = gateway_receive(payload=body.validated_data)
        answer = GatewayOutput(
            {
                "ticket_number": result.complaint.ticket_number,
                "status": result.complaint.status,
                "created": result.created,
                "duplicate": result.duplicate,
            }
        ).data
        code = status.HTTP_201_CREATED if result.created and not result.duplicate else status.HTTP_200_OK
        return Response(answer, status=code)
