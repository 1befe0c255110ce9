"""Open311 GeoReport v2 server (http://wiki.open311.org/GeoReport_v2): discovery, services,
service definitions, requests (POST with an api_key, GET with the spec's filters), one request,
tokens — in XML and JSON.

- A service is a category of a Pemda paired with the OPD usually in charge of it:
  ``service_code`` = ``<PEMDA>-<category id>[-<OPD id>]`` (e.g. ``BPN-12-6``), ``group`` = the OPD.
- ``jurisdiction_id`` is the Pemda's code; without it every Pemda served here is meant (a POST
  takes the Pemda from the service code).
- ``service_request_id`` is the ticket number. ``status`` is open/closed with the Indonesian
  status in ``status_notes``; ``expected_datetime`` is the resolution deadline of the SLA (else
  the nearest running clock); ``agency_responsible`` is the OPD holding the complaint.
- Privacy: rahasia complaints are never listed nor shown; ``description`` is the title only (the
  chronology may name people); ``address`` is the reporter's words with the kelurahan and kecamatan
  of the Pemda's list, ``lat``/``long`` the pin (as the koordinator corrected it);
  anonim complaints show no address or coordinates; no reporter data
  is ever written. The ``api_key`` is a user's API token (manage.py api_token), checked only to
  accept a request, with the REST API's rules (two-factor required by the Pemda included): the
  complaint is not linked to that account.
"""

import re
from datetime import UTC, timedelta
from decimal import Decimal, InvalidOperation

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.exceptions import AuthenticationFailed

from aduan.agencies.models import Opd, Pemda
from aduan.complaints import selectors
from aduan.complaints.models import CLOSED_STATUSES, Category, Channel, Classification, Complaint
from aduan.complaints.services import ReporterData, complaint_submit
from aduan.core.exceptions import DomainError
from aduan.core.throttle import client_key, limit_hit
from aduan.core.validators import has_nul
from aduan.sla.models import Deadline, Stage
from aduan.users.tokens import TokenInvalid
from aduan.users.twofactor import TwoFactorTokenAuthentication

from .renderers import Many, errors, render

CHANGESET = "2026-06-01T00:00:00+00:00"
MAX_RANGE = timedelta(days=90)
MAX_RESULTS = 1000
TOKEN_SALT = "aduan.open311.token"  # noqa: S105 (a signing salt, not a secret)
SERVICE_CODE_RE = re.compile(r"^([A-Z0-9]{2,10})-(\d{1,18})(?:-(\d{1,18}))?$")
BOOL_VALUES = Many("value", [{"key": "true", "name": _("Ya")}, {"key": "false", "name": _("Tidak")}])


class Open311Error(Exception):
    def __init__(self, status: int, description):
        super().__init__(str(description))
        self.status, self.description = status, description


def _param(request, name: str) -> str:
    source = request.POST if request.method == "POST" else request.GET
    return (source.get(name) or "").replace("\x00", "").strip()


def _iso(moment, pemda) -> str:
    return timezone.localtime(moment, pemda.zoneinfo).isoformat(timespec="seconds") if moment else ""


def _pemdas(request) -> list[Pemda]:
    code = _param(request, "jurisdiction_id").upper()
    if code:
        pemda = Pemda.objects.filter(code=code[:10]).first()
        if pemda is None:
            raise Open311Error(404, _("jurisdiction_id tidak dikenal."))
        return [pemda]
    return list(Pemda.objects.order_by("name"))


def _opd_of(category: Category, pemda: Pemda) -> Opd | None:
    opd = category.default_opd
    return opd if opd is not None and opd.pemda_id == pemda.pk and opd.is_active else None


def _code(pemda: Pemda, category: Category, opd: Opd | None) -> str:
    return f"{pemda.code}-{category.pk}" + (f"-{opd.pk}" if opd else "")


def _categories(pemda: Pemda):
    return (
        Category.objects.filter(Q(pemda=pemda) | Q(pemda__isnull=True), is_active=True)
        .select_related("default_opd", "parent")
        .order_by("name", "pk")
    )


def _service(pemda: Pemda, category: Category) -> dict:
    opd = _opd_of(category, pemda)
    return {
        "service_code": _code(pemda, category, opd),
        "service_name": str(category),
        "description": f"{category} — {opd.name if opd else pemda.name}",
        "metadata": True,
        "type": "realtime",
        "keywords": str(category.name).lower(),
        "group": opd.name if opd else str(_("Umum")),
    }


def _resolve_service(service_code: str) -> tuple[Pemda, Category, Opd | None]:
    """The Pemda, category and OPD of a service code, or a 404."""
    match = SERVICE_CODE_RE.match(service_code.upper())
    not_found = Open311Error(404, _("service_code tidak dikenal."))
    if not match:
        raise not_found
    pemda = Pemda.objects.filter(code=match[1]).first()
    category = (
        _categories(pemda).filter(pk=int(match[2])).first()
        if pemda is not None and len(match[2]) < 19
        else None
    )
    if category is None:
        raise not_found
    opd = _opd_of(category, pemda)
    if (opd.pk if opd else None) != (int(match[3]) if match[3] else None):
        raise not_found
    return pemda, category, opd


def _formatted(view):
    """Turn Open311Error into the spec's error document in the requested format."""

    def wrapper(request, *args, fmt: str, **kwargs):
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            return errors(fmt, exc.status, exc.description)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# --- Discovery and services ----------------------------------------------------------------------


@require_GET
@_formatted
def discovery(request, fmt: str):
    """Where the endpoint is and which formats it speaks."""
    body = {
        "changeset": CHANGESET,
        "contact": str(_("Koordinator pengaduan pemda; lihat /api/docs/ untuk API REST.")),
        "key_service": str(_("Minta api_key (token API) kepada koordinator pengaduan pemda.")),
        "endpoints": Many(
            "endpoint",
            [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": request.build_absolute_uri("/open311/v2"),
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": Many("format", ["text/xml", "application/json"]),
                }
            ],
        ),
    }
    return render(fmt, "discovery", body)


@require_GET
@_formatted
def services(request, fmt: str):
    """Every service (category × OPD) of the selected Pemda(s)."""
    items = [_service(pemda, c) for pemda in _pemdas(request) for c in _categories(pemda)]
    return render(fmt, "services", Many("service", items))


def _attributes() -> list[dict]:
    def attribute(order, code, datatype, description, values=None, datatype_description=""):
        item = {
            "variable": True,
            "code": code,
            "datatype": datatype,
            "required": False,
            "datatype_description": str(datatype_description),
            "order": order,
            "description": str(description),
        }
        if values is not None:
            item["values"] = values
        return item

    classification = Many("value", [{"key": k, "name": str(v)} for k, v in Classification.choices])
    yes_no = Many("value", [{"key": v["key"], "name": str(v["name"])} for v in BOOL_VALUES.items])
    return [
        attribute(
            1, "title", "string", _("Judul singkat aduan (bawaan: nama layanan)."), None,
            _("Paling banyak 200 karakter."),
        ),
        attribute(2, "classification", "singlevaluelist", _("Klasifikasi laporan."), classification),
        attribute(3, "incident_date", "string", _("Tanggal kejadian."), None, "YYYY-MM-DD"),
        attribute(
            4, "anonymous", "singlevaluelist", _("Anonim: identitas pelapor disembunyikan dari OPD."), yes_no
        ),
        attribute(
            5, "confidential", "singlevaluelist", _("Rahasia: aduan tidak ditampilkan di daftar publik."),
            yes_no,
        ),
    ]  # fmt: skip


@require_GET
@_formatted
def service_definition(request, service_code: str, fmt: str):
    """The extra attributes a request for this service may carry."""
    _resolve_service(service_code)
    body = {"service_code": service_code.upper(), "attributes": Many("attribute", _attributes())}
    return render(fmt, "service_definition", body)


# --- Requests ------------------------------------------------------------------------------------


def _location(request) -> dict:
    lat, long = _param(request, "lat"), _param(request, "long")
    address, address_id = _param(request, "address_string")[:300], _param(request, "address_id")[:100]
    if bool(lat) != bool(long):
        raise Open311Error(400, _("Isi lat dan long bersama-sama."))
    if not (lat or address or address_id):
        raise Open311Error(400, _("Lokasi wajib: lat dan long, address_string, atau address_id."))
    point = {}
    if lat:
        try:
            point = {
                "latitude": Decimal(lat).quantize(Decimal("0.000001")),
                "longitude": Decimal(long).quantize(Decimal("0.000001")),
            }
        except (InvalidOperation, ValueError):
            raise Open311Error(400, _("lat dan long harus angka desimal.")) from None
        if not all(v.is_finite() for v in point.values()) or not (  # NaN cannot be compared (a 500)
            -90 <= point["latitude"] <= 90 and -180 <= point["longitude"] <= 180
        ):
            raise Open311Error(400, _("lat dan long di luar jangkauan."))
    text = address or (f"address_id {address_id}" if address_id else "")
    return {**point, "location_text": text}


def _yes(request, code: str) -> bool:
    return _param(request, f"attribute[{code}]").lower() in ("true", "1", "ya", "yes")


def _check_api_key(key: str) -> None:
    """The api_key is a REST API token and is accepted only when the REST API would accept it:
    ``TwoFactorTokenAuthentication`` also refuses the token of a user whose Pemda requires
    two-factor while they have not enrolled."""
    if not key:
        raise Open311Error(403, _("api_key tidak ada atau tidak valid."))
    try:
        TwoFactorTokenAuthentication().authenticate_credentials(key)
    except TokenInvalid:
        raise Open311Error(403, _("api_key tidak ada atau tidak valid.")) from None
    except AuthenticationFailed as exc:  # expired, inactive user, two-factor required
        raise Open311Error(403, exc.detail) from None


def _post_request(request, fmt: str):
    _check_api_key(_param(request, "api_key"))
    if retry := limit_hit("open311-post", client_key(request)):
        response = errors(fmt, 429, _("Terlalu banyak permintaan. Coba lagi nanti."))
        response["Retry-After"] = str(retry)
        return response
    service_code = _param(request, "service_code")
    if not service_code:
        raise Open311Error(400, _("service_code wajib diisi."))
    pemda, category, opd = _resolve_service(service_code)
    jurisdiction = _param(request, "jurisdiction_id").upper()
    if jurisdiction and jurisdiction != pemda.code:
        raise Open311Error(400, _("service_code bukan milik jurisdiction_id ini."))
    location = _location(request)
    description = _param(request, "description")
    # Without a title the service's name is the public title: the description (the chronology)
    # may name the reporter and is never published.
    title = _param(request, "attribute[title]") or str(category)
    name = " ".join(p for p in (_param(request, "first_name"), _param(request, "last_name")) if p)
    classification = _param(request, "attribute[classification]") or Classification.PENGADUAN
    incident = _param(request, "attribute[incident_date]")
    try:
        incident_date = timezone.datetime.fromisoformat(incident).date() if incident else None
    except ValueError:
        raise Open311Error(400, _("incident_date harus berformat YYYY-MM-DD.")) from None
    try:
        with transaction.atomic():
            complaint = complaint_submit(
                pemda=pemda,
                title=title[:200],
                chronology=description,
                reporter=ReporterData(
                    name=name[:150], email=_param(request, "email")[:254], phone=_param(request, "phone")[:20]
                ),
                classification=classification,
                incident_date=incident_date,
                category=category,
                target_opd=opd,
                is_anonymous=_yes(request, "anonymous") or not name,
                is_confidential=_yes(request, "confidential"),
                channel=Channel.OPEN311,
                **location,
            )
    except DomainError as exc:
        raise Open311Error(400, exc.message) from None
    item = {
        "service_request_id": complaint.ticket_number,
        "token": signing.dumps(complaint.pk, salt=TOKEN_SALT),
        "service_notice": "",
        "account_id": "",
    }
    return render(fmt, "service_requests", Many("request", [item]), status=201)


def _status_notes(complaint) -> str:
    with translation.override("id"):
        label = str(complaint.get_status_display())
    return f"{label}: {complaint.forwarded_to}" if complaint.forwarded_to else label


def _expected(complaints) -> dict[int, object]:
    """Per complaint: the due time of its resolution clock, else of its nearest running clock."""
    rows = Deadline.objects.open().filter(complaint__in=[c.pk for c in complaints], paused_at__isnull=True)
    expected: dict[int, tuple] = {}
    for complaint_id, stage, due_at in rows.values_list("complaint_id", "stage", "due_at"):
        rank = (0 if stage == Stage.RESOLUTION else 1, due_at)
        if complaint_id not in expected or rank < expected[complaint_id]:
            expected[complaint_id] = rank
    return {pk: rank[1] for pk, rank in expected.items()}


def _address(c: Complaint) -> str:
    """GeoReport's human-readable address: the reporter's words, then the area from the Pemda's
    list (kelurahan, kecamatan) unless the words already name it."""
    parts = [c.location_text.strip()] if c.location_text.strip() else []
    if c.kelurahan_id:
        for label, name in (("Kel.", c.kelurahan.name), ("Kec.", c.kelurahan.kecamatan.name)):
            if name.lower() not in c.location_text.lower():
                parts.append(f"{label} {name}")
    return ", ".join(parts)


def _request_item(c: Complaint, expected) -> dict:
    pemda = c.pemda
    located = not c.is_anonymous
    return {
        "service_request_id": c.ticket_number,
        "status": "closed" if c.status in CLOSED_STATUSES else "open",
        "status_notes": _status_notes(c),
        "service_name": str(c.category) if c.category_id else "",
        "service_code": _code(pemda, c.category, _opd_of(c.category, pemda)) if c.category_id else "",
        "description": c.title,
        "agency_responsible": c.current_opd.name if c.current_opd_id else "",
        "service_notice": "",
        "requested_datetime": _iso(c.submitted_at, pemda),
        "updated_datetime": _iso(c.status_changed_at, pemda),
        "expected_datetime": _iso(expected.get(c.pk), pemda) if c.status not in CLOSED_STATUSES else "",
        "address": _address(c) if located else "",
        "address_id": "",
        "zipcode": "",
        "lat": str(c.latitude) if located and c.latitude is not None else "",
        "long": str(c.longitude) if located and c.longitude is not None else "",
        "media_url": "",
    }


def _public(pemdas):
    return (
        selectors.complaints_public()
        .filter(pemda__in=pemdas)
        .select_related(
            "pemda", "category__parent", "category__default_opd", "current_opd", "kelurahan__kecamatan"
        )
    )


def _date(request, name: str):
    raw = _param(request, name)
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+")) if len(raw) <= 40 else None
    if value is None:
        raise Open311Error(
            400, _("%(name)s harus tanggal-waktu W3C, mis. 2026-06-01T00:00:00+08:00.") % {"name": name}
        )
    return value if timezone.is_aware(value) else timezone.make_aware(value, timezone.get_default_timezone())


def _get_requests(request, fmt: str):
    pemdas = _pemdas(request)
    queryset = _public(pemdas)
    ids = [i.strip().upper() for i in _param(request, "service_request_id").split(",") if i.strip()]
    if ids:
        queryset = queryset.filter(ticket_number__in=ids[:MAX_RESULTS])
    else:
        try:
            start, end = _date(request, "start_date"), _date(request, "end_date")
            end = end or (start + MAX_RANGE if start else timezone.now())
            start = start or end - MAX_RANGE
            # The database compares in UTC: both moments must exist there (year 1 to 9999).
            start.astimezone(UTC), end.astimezone(UTC)
        except (ValueError, OverflowError):
            raise Open311Error(400, _("start_date atau end_date tidak valid.")) from None
        if end < start:
            raise Open311Error(400, _("end_date sebelum start_date."))
        if end - start > MAX_RANGE:
            raise Open311Error(400, _("Rentang start_date–end_date paling lama 90 hari."))
        queryset = queryset.filter(submitted_at__gte=start, submitted_at__lte=end)
        if code := _param(request, "service_code"):
            codes = [c.strip() for c in code.split(",") if c.strip()]
            wanted = Q(pk__in=[])
            for one in codes[:50]:
                try:
                    pemda, category, _opd = _resolve_service(one)
                except Open311Error:
                    continue
                wanted |= Q(pemda=pemda, category=category)
            queryset = queryset.filter(wanted)
        if status := _param(request, "status"):
            statuses = {s.strip().lower() for s in status.split(",")}
            if not statuses <= {"open", "closed"}:
                raise Open311Error(400, _("status harus open atau closed."))
            closed = [str(s) for s in CLOSED_STATUSES]
            if statuses == {"open"}:
                queryset = queryset.exclude(status__in=closed)
            elif statuses == {"closed"}:
                queryset = queryset.filter(status__in=closed)
    complaints = list(queryset.order_by("-submitted_at", "-pk")[:MAX_RESULTS])
    expected = _expected(complaints)
    return render(fmt, "service_requests", Many("request", [_request_item(c, expected) for c in complaints]))


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_formatted
def requests(request, fmt: str):
    """GET: public service requests (filters of the spec, 90 days or 1,000 by default). POST: file one."""
    if request.method == "POST":
        return _post_request(request, fmt)
    return _get_requests(request, fmt)


@require_GET
@_formatted
def request_detail(request, request_id: str, fmt: str):
    """One public service request by its id (the ticket number)."""
    complaint = None
    if not has_nul(request_id):  # PostgreSQL cannot compare a text with NUL (a 500)
        complaint = _public(_pemdas(request)).filter(ticket_number=request_id.upper()).first()
    if complaint is None:
        raise Open311Error(404, _("service_request_id tidak ditemukan."))
    return render(
        fmt, "service_requests", Many("request", [_request_item(complaint, _expected([complaint]))])
    )


@require_GET
@_formatted
def token(request, token: str, fmt: str):
    """The service_request_id behind a token a POST returned."""
    try:
        pk = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        raise Open311Error(404, _("token tidak ditemukan.")) from None
    ticket = Complaint.objects.filter(pk=pk).values_list("ticket_number", flat=True).first()
    if ticket is None:
        raise Open311Error(404, _("token tidak ditemukan."))
    return render(fmt, "service_requests", Many("request", [{"service_request_id": ticket, "token": token}]))
