"""Signing in for integrations: per-user tokens (``Authorization: Token <key>``) that expire
``ADUAN_API_TOKEN_TTL_DAYS`` days after they are issued and that their owner can revoke at any
time, and ``me`` (who am I, with which roles where). Each request for a token issues a new one
(the key is shown once: only its digest is stored, aduan/users/tokens.py); rotating is asking for a
new token, switching the integration to it, then revoking the old one with ``DELETE``.

Token requests count against the staff sign-in page's lockout: five wrong passwords lock the
account for 15 minutes, twenty tries per client per 15 minutes. A user with a confirmed TOTP device
must send the current code as ``otp`` too (a wrong code counts as a failure), and a user whose Pemda
requires two-factor gets no token before enrolling on the web (/staf/dua-langkah/daftar/).
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from drf_spectacular.utils import OpenApiExample, extend_schema
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.agencies.models import StaffMembership
from aduan.core.exceptions import DomainError
from aduan.users.lockout import account_locked, count_failure
from aduan.users.tokens import api_token_issue, api_token_revoke, api_tokens_revoke
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
    token = serializers.CharField(
        help_text=_("Kunci token: hanya ditampilkan sekali ini, simpan dengan aman.")
    )
    expiry = serializers.DateTimeField(help_text=_("Token berlaku sampai waktu ini."))


class RevokeInput(serializers.Serializer):
    all = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Cabut semua token akun ini, bukan hanya token yang dipakai untuk permintaan ini."),
    )


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
                "Token",
                value={
                    "token": "aduan_9944b09199c62bcf9418ad846dd0e4bb…",
                    "expiry": "2027-03-06T09:00:00+07:00",
                },
                response_only=True,
            ),
        ],
    )
    def post(self, request):
        """Exchange e-mail and password for a new token, valid for ADUAN_API_TOKEN_TTL_DAYS days (90 by
        default). The key is shown only in this answer; at most ADUAN_API_TOKEN_LIMIT (10) unexpired
        tokens per account."""
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
        key, expiry = api_token_issue(user)
        response = Response(TokenOutput({"token": key, "expiry": expiry}).data)
        response["Cache-Control"] = "no-store"  # a secret: no cache keeps a copy
        return response

    @extend_schema(
        tags=[TAG],
        summary="Cabut token",
        parameters=[RevokeInput],
        responses={204: None, 400: ERROR_400, 401: ERROR_401},
    )
    def delete(self, request):
        """Revoke the token this request is signed in with (`?all=true`: every token of your account;
        signed in with a session: every token). Integrations using it are refused from now on."""
        if not request.user.is_authenticated:
            from rest_framework.exceptions import NotAuthenticated

            raise NotAuthenticated()
        options = RevokeInput(data=request.query_params)
        options.is_valid(raise_exception=True)
        if isinstance(request.auth, AuthToken) and not options.validated_data["all"]:
            api_token_revoke(request.auth)
        else:
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
