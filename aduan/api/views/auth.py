"""Signing in for integrations: a per-user token (``Authorization: Token <key>``) that its owner
can revoke at any time, and ``me`` (who am I, with which roles where).

Token requests count against the staff sign-in page's lockout: five wrong passwords lock the
account for 15 minutes, twenty tries per client per 15 minutes. A user with a confirmed TOTP device
must send the current code as ``otp`` too (a wrong code counts as a failure), and a user whose Pemda
requires two-factor gets no token before enrolling on the web (/staf/dua-langkah/daftar/).
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.agencies.models import StaffMembership
from aduan.core.exceptions import DomainError
from aduan.users.lockout import account_locked, count_failure
from aduan.users.tokens import api_tokens_revoke
from aduan.users.twofactor import has_confirmed_device, required_by_pemda

from ..schema import ERROR_400, ERROR_401, ERROR_429
from ..throttling import TokenThrottle

TAG = "Akses"


class BadCredentials(DomainError):
    code = "invalid_credentials"
    default_message = _("E-mail atau kata sandi salah, atau akun sedang dikunci.")


class SecondFactorNeeded(DomainError):
    code = "otp_setup_required"
    default_message = _(
        "Pemda Anda mewajibkan verifikasi dua langkah: daftarkan aplikasi autentikator di halaman staf "
        "sebelum meminta token."
    )


class TokenInput(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp = serializers.RegexField(
        r"^\d{6}$",
        required=False,
        help_text=_("Kode 6 angka dari aplikasi autentikator (wajib bila verifikasi dua langkah aktif)."),
    )


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()


class TokenApi(APIView):
    """Your API token."""

    permission_classes = [AllowAny]

    def get_throttles(self):
        return [TokenThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        tags=[TAG],
        summary="Minta token",
        request=TokenInput,
        responses={200: TokenOutput, 400: ERROR_400, 429: ERROR_429},
        examples=[
            OpenApiExample(
                "Masuk",
                value={"email": "koordinator@balikpapan.test", "password": "aduan-demo"},
                request_only=True,
            ),
            OpenApiExample(
                "Token", value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}, response_only=True
            ),
        ],
    )
    def post(self, request):
        """Exchange e-mail and password for your token (the same token until you revoke it)."""
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        email, password = data.validated_data["email"], data.validated_data["password"]
        if account_locked(email, request):  # the one lockout key of every sign-in door (users.lockout)
            raise BadCredentials()
        user = authenticate(request, username=email, password=password)
        if user is not None and user.is_active and has_confirmed_device(user):
            code = data.validated_data.get("otp", "")
            if not code or match_token(user, code) is None:
                user = None  # a missing or wrong code is a failed sign-in, counted like a password
        if user is None or not user.is_active:
            count_failure(email, request)
            raise BadCredentials()
        if not has_confirmed_device(user) and required_by_pemda(user):
            raise SecondFactorNeeded()
        token, _created = Token.objects.get_or_create(user=user)
        return Response(TokenOutput({"token": token.key}).data)

    @extend_schema(tags=[TAG], summary="Cabut token", responses={204: None, 401: ERROR_401})
    def delete(self, request):
        """Revoke your token: integrations using it are refused from now on."""
        if not request.user.is_authenticated:
            from rest_framework.exceptions import NotAuthenticated

            raise NotAuthenticated()
        api_tokens_revoke(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MembershipOutput(serializers.Serializer):
    role = serializers.CharField()
    pemda = serializers.CharField(source="pemda.code", allow_null=True, default=None)
    opd = serializers.IntegerField(source="opd_id", allow_null=True)
    province = serializers.CharField(source="province.code", allow_null=True, default=None)


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField(allow_blank=True)
    memberships = MembershipOutput(many=True)


@extend_schema(
    tags=[TAG],
    summary="Akun saya",
    responses={200: MeOutput, 401: ERROR_401},
    examples=[
        OpenApiExample(
            "Koordinator",
            value={
                "id": 2,
                "email": "koordinator@balikpapan.test",
                "full_name": "Rina Marlina",
                "memberships": [{"role": "koordinator", "pemda": "BPN", "opd": None, "province": None}],
            },
            response_only=True,
        )
    ],  # fmt: skip
)
class MeApi(APIView):
    """The signed-in user and the active roles they hold."""

    def get(self, request):
        user = request.user
        memberships = StaffMembership.objects.filter(user=user, is_active=True).select_related(
            "pemda", "province"
        )
        body = {"id": user.pk, "email": user.email, "full_name": user.full_name, "memberships": memberships}
        return Response(MeOutput(body).data)
