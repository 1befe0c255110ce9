"""The Balikpapan demo: data tables and ``demo_load()``, which ``manage.py load_demo`` runs (the
complaints and their scenarios are in ``demo_complaints``).

What it loads (idempotent: a second run creates nothing):

- Province Kalimantan Timur (KT) and the Pemda "Pemerintah Kota Balikpapan" (BPN, Asia/Makassar);
- the city's 6 kecamatan and 34 kelurahan (``areas.BALIKPAPAN_AREAS``); every complaint whose
  location names its kelurahan (all those with a pin) is placed in it;
- Balikpapan's OPDs (dinas, badan, the six kecamatan, RSUD Beriman, Perumda Tirta Manuntung);
- a small category tree with the OPD usually in charge of each category;
- demo staff of every role (``DEMO_LOGINS``), plus one petugas account per other OPD
  (``demo_opd_logins()``: ``petugas.<singkatan>@balikpapan.test``), all with ``DEMO_PASSWORD``;
- about fifty complaints in every status over the last four months, made only through
  ``services.complaint_submit()`` and ``workflow.complaint_transition()``, from a fixed random
  seed so the demo looks the same every time (dates are relative to the moment it is loaded).
"""

import functools
import random
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from aduan.agencies.areas import areas_load, kelurahan_of
from aduan.agencies.models import Kelurahan, Opd, Pemda, Province, Role, StaffMembership
from aduan.complaints.attachments import attachment_scan, validate_upload
from aduan.complaints.intake import IntakeData, complaint_intake
from aduan.complaints.models import (
    SKM_ELEMENTS,
    STAFF_INTAKE_CHANNELS,
    ArchiveReason,
    Category,
    Channel,
    Complaint,
    ComplaintRating,
    ScanStatus,
)
from aduan.complaints.selectors import Actor
from aduan.complaints.services import ReporterData, complaint_rate, complaint_skm_submit, complaint_submit
from aduan.complaints.workflow import Action, complaint_transition
from aduan.users.models import User

from .areas import BALIKPAPAN_AREAS, kelurahan_name_for
from .demo_complaints import COMPLAINTS, DemoComplaint
from .demo_scenarios import (
    DONE_PHOTO_SCENARIOS,
    OPEN_SCENARIOS,
    PLANNED_IN_DAYS,
    PROGRESS_NOTES,
    SCENARIOS,
    STEP_DAYS,
    done_photo,
)
from .ombudsman_demo import load_ombudsman_demo

DEMO_PASSWORD = "aduan-demo"
ADMIN_PASSWORD = "aduan-admin"
PEMDA_CODE = "BPN"
SEED = 20260817
HISTORY_DAYS = 120

# (email, password, role description). Printed by the `make run` banner and the README.
DEMO_LOGINS = [
    ("admin@aduan.test", ADMIN_PASSWORD, "Superuser, Django admin (/admin/)"),
    ("koordinator@balikpapan.test", DEMO_PASSWORD, "Koordinator pengaduan, Pemerintah Kota Balikpapan"),
    ("petugas.dpu@balikpapan.test", DEMO_PASSWORD, "Petugas OPD, Dinas Pekerjaan Umum"),
    ("kepala.dpu@balikpapan.test", DEMO_PASSWORD, "Kepala OPD, Dinas Pekerjaan Umum"),
    ("petugas.disdukcapil@balikpapan.test", DEMO_PASSWORD, "Petugas OPD, Disdukcapil"),
    ("ombudsman.kaltim@aduan.test", DEMO_PASSWORD, "Ombudsman RI Perwakilan Kalimantan Timur"),
    ("loket@balikpapan.test", DEMO_PASSWORD, "Petugas loket, Pemerintah Kota Balikpapan (catat aduan)"),
]

# Staff accounts behind DEMO_LOGINS: email -> (full name, role, OPD short name or None).
_STAFF = {
    "koordinator@balikpapan.test": ("Rina Marlina", Role.KOORDINATOR, None),
    "petugas.dpu@balikpapan.test": ("Agus Salim", Role.PETUGAS_OPD, "DPU"),
    "kepala.dpu@balikpapan.test": ("Ir. Bambang Wicaksono", Role.KEPALA_OPD, "DPU"),
    "petugas.disdukcapil@balikpapan.test": ("Nur Aisyah", Role.PETUGAS_OPD, "Disdukcapil"),
    "ombudsman.kaltim@aduan.test": ("Dedi Kurniawan", Role.OMBUDSMAN, None),
    "loket@balikpapan.test": ("Yuli Astuti", Role.PETUGAS_LOKET, None),
}

# (name, short_name, slug for the petugas account)
OPDS = [
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP", "dpmptsp"),
    ("Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil", "disdukcapil"),
    ("Dinas Pendidikan dan Kebudayaan", "Disdikbud", "disdikbud"),
    ("Dinas Sosial", "Dinsos", "dinsos"),
    ("Dinas Kesehatan", "Dinkes", "dinkes"),
    ("Dinas Pekerjaan Umum", "DPU", "dpu"),
    ("Dinas Perhubungan", "Dishub", "dishub"),
    ("Dinas Lingkungan Hidup", "DLH", "dlh"),
    ("Dinas Komunikasi dan Informatika", "Diskominfo", "diskominfo"),
    ("Dinas Pertanahan dan Penataan Ruang", "DPPR", "dppr"),
    ("Satuan Polisi Pamong Praja", "Satpol PP", "satpolpp"),
    ("Badan Penanggulangan Bencana Daerah", "BPBD", "bpbd"),
    ("Kecamatan Balikpapan Barat", "Kec. Balikpapan Barat", "kec.barat"),
    ("Kecamatan Balikpapan Kota", "Kec. Balikpapan Kota", "kec.kota"),
    ("Kecamatan Balikpapan Selatan", "Kec. Balikpapan Selatan", "kec.selatan"),
    ("Kecamatan Balikpapan Tengah", "Kec. Balikpapan Tengah", "kec.tengah"),
    ("Kecamatan Balikpapan Timur", "Kec. Balikpapan Timur", "kec.timur"),
    ("Kecamatan Balikpapan Utara", "Kec. Balikpapan Utara", "kec.utara"),
    ("RSUD Beriman Balikpapan", "RSUD Beriman", "rsud"),
    ("Perumda Air Minum Tirta Manuntung Balikpapan", "PTMB", "ptmb"),
]

# The agencies' English names (Opd.name_en), shown to English readers on the citizen pages.
OPD_NAMES_EN = {
    "DPMPTSP": "Investment and One-Stop Integrated Services Agency",
    "Disdukcapil": "Population and Civil Registration Agency",
    "Disdikbud": "Education and Culture Agency",
    "Dinsos": "Social Affairs Agency",
    "Dinkes": "Health Agency",
    "DPU": "Public Works Agency",
    "Dishub": "Transport Agency",
    "DLH": "Environment Agency",
    "Diskominfo": "Communication and Informatics Agency",
    "DPPR": "Land and Spatial Planning Agency",
    "Satpol PP": "Public Order Agency (Satpol PP)",
    "BPBD": "Regional Disaster Management Agency",
    "Kec. Balikpapan Barat": "West Balikpapan District",
    "Kec. Balikpapan Kota": "Central City Balikpapan District",
    "Kec. Balikpapan Selatan": "South Balikpapan District",
    "Kec. Balikpapan Tengah": "Middle Balikpapan District",
    "Kec. Balikpapan Timur": "East Balikpapan District",
    "Kec. Balikpapan Utara": "North Balikpapan District",
    "RSUD Beriman": "Beriman Regional Hospital",
    "PTMB": "Tirta Manuntung Water Company",
}

# (name, parent name or None, default OPD short name or None). Parents come before children.
CATEGORIES = [
    ("Infrastruktur", None, "DPU"),
    ("Jalan rusak", "Infrastruktur", "DPU"),
    ("Drainase dan banjir", "Infrastruktur", "DPU"),
    ("Penerangan jalan", "Infrastruktur", "Dishub"),
    ("Administrasi kependudukan", None, "Disdukcapil"),
    ("KTP-el", "Administrasi kependudukan", "Disdukcapil"),
    ("Kartu Keluarga", "Administrasi kependudukan", "Disdukcapil"),
    ("Akta kelahiran", "Administrasi kependudukan", "Disdukcapil"),
    ("Perizinan", None, "DPMPTSP"),
    ("Pendidikan", None, "Disdikbud"),
    ("Kesehatan", None, "Dinkes"),
    ("Puskesmas dan layanan kesehatan", "Kesehatan", "Dinkes"),
    ("Rumah sakit", "Kesehatan", "RSUD Beriman"),
    ("Air bersih", None, "PTMB"),
    ("Sampah dan lingkungan", None, "DLH"),
    ("Ketertiban umum", None, "Satpol PP"),
    ("Transportasi dan parkir", None, "Dishub"),
    ("Bencana", None, "BPBD"),
    ("Bantuan sosial", None, "Dinsos"),
    ("Pertanahan dan tata ruang", None, "DPPR"),
    ("Informasi publik dan aplikasi", None, "Diskominfo"),
    ("Layanan kecamatan", None, None),
]

# The categories' English names (Category.name_en), shown to English readers.
CATEGORY_NAMES_EN = {
    "Infrastruktur": "Infrastructure",
    "Jalan rusak": "Damaged roads",
    "Drainase dan banjir": "Drainage and flooding",
    "Penerangan jalan": "Street lighting",
    "Administrasi kependudukan": "Civil registration",
    "KTP-el": "Electronic ID card (KTP-el)",
    "Kartu Keluarga": "Family card",
    "Akta kelahiran": "Birth certificate",
    "Perizinan": "Permits",
    "Pendidikan": "Education",
    "Kesehatan": "Health",
    "Puskesmas dan layanan kesehatan": "Community health centres and health services",
    "Rumah sakit": "Hospitals",
    "Air bersih": "Clean water",
    "Sampah dan lingkungan": "Waste and environment",
    "Ketertiban umum": "Public order",
    "Transportasi dan parkir": "Transport and parking",
    "Bencana": "Disasters",
    "Bantuan sosial": "Social assistance",
    "Pertanahan dan tata ruang": "Land and spatial planning",
    "Informasi publik dan aplikasi": "Public information and apps",
    "Layanan kecamatan": "Sub-district services",
}

REPORTER_NAMES = [
    "Budi Santoso",
    "Siti Rahmawati",
    "Muhammad Rizky",
    "Dewi Lestari",
    "Andi Pratama",
    "Sri Wahyuni",
    "Hendra Gunawan",
    "Nurhayati",
    "Yusuf Hidayat",
    "Fitri Handayani",
    "La Ode Samsul",
    "Ratna Sari Dewi",
    "Arif Budiman",
    "Wulan Pertiwi",
    "Syamsul Bahri",
    "Indah Permatasari",
    "Daeng Rahman",
    "Maria Ulfa",
    "Joko Susilo",
    "Rahmat Hidayatullah",
]

# Canned responses (jawaban siap pakai) per OPD short name: (title, body).
CANNED_RESPONSES = {
    "DPU": [
        (
            "Perbaikan dijadwalkan",
            "Terima kasih atas laporan Anda. Tim UPT Pemeliharaan Jalan DPU telah meninjau lokasi dan "
            "menjadwalkan perbaikan dalam minggu ini. Kami akan mengabarkan bila pekerjaan selesai.",
        ),
        (
            "Sudah diperbaiki",
            "Terima kasih atas laporan Anda. Kerusakan di lokasi yang Anda laporkan telah kami perbaiki. "
            "Mohon konfirmasi bila masih ada masalah.",
        ),
        (
            "Minta foto tambahan",
            "Terima kasih. Agar tim kami dapat menemukan lokasi dengan tepat, mohon kirimkan foto dan "
            "patokan terdekat (nomor rumah, nama toko, atau tiang listrik).",
        ),
    ],
    "Disdukcapil": [
        (
            "Dokumen siap diambil",
            "Dokumen kependudukan Anda sudah dicetak dan dapat diambil di kantor Disdukcapil pada jam "
            "layanan dengan membawa bukti pengajuan.",
        ),
    ],
}

DEFAULT_HOLD_NOTE = "Mohon lengkapi lokasi yang jelas dan lampirkan foto kondisi di lapangan."
DEFAULT_COMPLETE_NOTE = "Sudah saya lengkapi: lokasi tepat dan foto terlampir."


def demo_opd_logins() -> list[tuple[str, str, str]]:
    """Petugas accounts of the OPDs that have none in DEMO_LOGINS: (email, password, description)."""
    taken = {e for e, _pw, _d in DEMO_LOGINS}
    logins = []
    for name, _short, slug in OPDS:
        email = f"petugas.{slug}@balikpapan.test"
        if email not in taken:
            logins.append((email, DEMO_PASSWORD, f"Petugas OPD, {name}"))
    return logins


@dataclass
class DemoResult:
    pemda: Pemda
    complaints_created: int
    status_counts: dict[str, int]


def demo_load(*, now: datetime | None = None) -> DemoResult:
    """Load the demo in one transaction; create only what is missing, change nothing that exists."""
    now = now or timezone.now()
    with transaction.atomic():
        province, _ = Province.objects.get_or_create(code="KT", defaults={"name": "Kalimantan Timur"})
        pemda, _ = Pemda.objects.get_or_create(
            code=PEMDA_CODE,
            defaults={
                "name": "Pemerintah Kota Balikpapan",
                "kind": Pemda.Kind.KOTA,
                "province": province,
                "timezone": "Asia/Makassar",
                # the maps open on the city (its centre, Klandasan), not on all of Indonesia
                "map_latitude": Decimal("-1.265400"),
                "map_longitude": Decimal("116.831200"),
                "map_zoom": 12,
            },
        )
        areas_load(pemda, BALIKPAPAN_AREAS)
        opds = _load_opds(pemda)
        categories = _load_categories(pemda, opds)
        staff = _load_staff(pemda, province, opds)
        created = 0
        if not pemda.complaints.exists():
            created = _load_complaints(pemda, opds, categories, staff, now)
        _place_in_areas(pemda)
        _load_workspace(pemda, opds, staff, now)
        load_ombudsman_demo(pemda, staff, now)
    counts = Counter(pemda.complaints.values_list("status", flat=True))
    return DemoResult(pemda=pemda, complaints_created=created, status_counts=dict(counts))


def _kelurahan(pemda, location_text: str) -> Kelurahan | None:
    name = kelurahan_name_for(location_text)
    return kelurahan_of(pemda).filter(name=name).first() if name else None


def _place_in_areas(pemda) -> None:
    """A demo loaded before the areas existed: give its complaints the kelurahan their words name
    (demo data only; new complaints get it when filed)."""
    for complaint in pemda.complaints.filter(kelurahan__isnull=True).exclude(location_text=""):
        kelurahan = _kelurahan(pemda, complaint.location_text)
        if kelurahan is not None:
            Complaint.objects.filter(pk=complaint.pk).update(kelurahan=kelurahan)


def _load_workspace(pemda, opds, staff, now) -> None:
    """What the staff workspace shows besides complaints: canned responses per OPD, a few DPU
    complaints assigned to its petugas, an internal note and an Ombudsman flag. Each part is
    written only when it is missing, through the services."""
    from aduan.complaints.models import CannedResponse, ComplaintFlag, ComplaintNote, Status
    from aduan.complaints.services import (
        canned_response_save,
        complaint_assign,
        complaint_flag,
        complaint_note_add,
    )
    from aduan.complaints.workflow import Step

    for short_name, responses in CANNED_RESPONSES.items():
        author = Actor.staff(staff[f"petugas:{short_name}"])
        for title, body in responses:
            if not CannedResponse.objects.filter(opd=opds[short_name], title=title).exists():
                canned_response_save(actor=author, opd=opds[short_name], title=title, body=body)

    dpu = opds["DPU"]
    petugas = staff["petugas:DPU"]
    held = pemda.complaints.filter(
        current_opd=dpu, status__in=[Status.DISPATCHED, Status.FOLLOWED_UP]
    ).order_by("submitted_at", "pk")
    if not pemda.complaints.filter(events__action=Step.ASSIGN).exists():
        for complaint in held[:2]:
            complaint_assign(
                complaint_id=complaint.pk, actor=Actor.staff(petugas), assignee_id=petugas.pk, now=now
            )
    watched = held.first()
    if watched is not None and not ComplaintFlag.objects.filter(complaint__pemda=pemda).exists():
        complaint_flag(
            complaint_id=watched.pk,
            actor=Actor.staff(staff["ombudsman"]),
            note="Ombudsman memantau penanganan aduan ini; mohon tindak lanjut sebelum tenggat.",
            now=now,
        )
    if watched is not None and not ComplaintNote.objects.filter(complaint__pemda=pemda).exists():
        complaint_note_add(
            complaint_id=watched.pk,
            actor=Actor.staff(petugas),
            body="Sudah koordinasi dengan UPT Pemeliharaan Jalan; survei lokasi dijadwalkan Kamis.",
            now=now,
        )


def _load_opds(pemda: Pemda) -> dict[str, Opd]:
    opds = {}
    for name, short_name, _slug in OPDS:
        name_en = OPD_NAMES_EN.get(short_name, "")
        opd, _ = Opd.objects.get_or_create(
            pemda=pemda, name=name, defaults={"short_name": short_name, "name_en": name_en}
        )
        if not opd.name_en and name_en:  # loaded before names had English
            opd.name_en = name_en
            opd.save(update_fields=["name_en"])
        opds[short_name] = opd
    return opds


def _load_categories(pemda: Pemda, opds: dict[str, Opd]) -> dict[str, Category]:
    categories: dict[str, Category] = {}
    for name, parent, opd in CATEGORIES:
        category, _ = Category.objects.get_or_create(
            pemda=pemda,
            parent=categories[parent] if parent else None,
            name=name,
            defaults={"default_opd": opds[opd] if opd else None, "name_en": CATEGORY_NAMES_EN.get(name, "")},
        )
        if not category.name_en and CATEGORY_NAMES_EN.get(name):  # loaded before names had English
            category.name_en = CATEGORY_NAMES_EN[name]
            category.save(update_fields=["name_en"])
        categories[name] = category
    return categories


@functools.cache
def _password_hash(password: str) -> str:
    # Hashed once per password: two dozen accounts would otherwise take ~15 s of PBKDF2.
    return make_password(password)


def _user(email: str, password: str, full_name: str, *, superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        create = User.objects.create_superuser if superuser else User.objects.create_user
        user = create(email, None, full_name=full_name)
        user.password = _password_hash(password)
        user.save(update_fields=["password"])
    return user


def _load_staff(pemda: Pemda, province: Province, opds: dict[str, Opd]) -> dict[str, User]:
    """Demo staff by key: "koordinator", "ombudsman" and "petugas:<OPD short name>"."""
    _user("admin@aduan.test", ADMIN_PASSWORD, "Admin Aduan", superuser=True)
    staff: dict[str, User] = {}
    for email, (full_name, role, opd_short) in _STAFF.items():
        user = _user(email, DEMO_PASSWORD, full_name)
        place = {"pemda": pemda} if role in (Role.KOORDINATOR, Role.PETUGAS_LOKET) else {}
        if role in (Role.PETUGAS_OPD, Role.KEPALA_OPD):
            place = {"opd": opds[opd_short]}
        if role == Role.OMBUDSMAN:
            place = {"province": province}
        StaffMembership.objects.get_or_create(user=user, role=role, **place)
        key = f"petugas:{opd_short}" if role == Role.PETUGAS_OPD else role.value
        staff[key] = user
    for _name, short_name, slug in OPDS:  # one petugas for every other OPD (demo_opd_logins())
        if f"petugas:{short_name}" in staff:
            continue
        user = _user(f"petugas.{slug}@balikpapan.test", DEMO_PASSWORD, f"Petugas {short_name}")
        StaffMembership.objects.get_or_create(user=user, role=Role.PETUGAS_OPD, opd=opds[short_name])
        staff[f"petugas:{short_name}"] = user
    return staff


def _load_complaints(pemda, opds, categories, staff, now) -> int:
    """Submit every demo complaint and take it through its scenario, oldest first."""
    rng = random.Random(SEED)
    plans = []
    for spec in COMPLAINTS:
        steps = SCENARIOS[spec.scenario]
        gaps = [rng.uniform(*STEP_DAYS[step]) for step in steps]
        busy = sum(gaps)
        if spec.scenario == "followed":
            idle = rng.uniform(0.2, 9.0)  # still inside the reply window
        elif spec.scenario in OPEN_SCENARIOS:
            idle = rng.uniform(0.1, 20.0)
        else:
            idle = rng.uniform(0.1, max(0.2, HISTORY_DAYS - 2 - busy))
        plans.append([spec, now - timedelta(days=busy + idle), gaps, rng.random(), rng.randint(0, 4)])
    by_title = {plan[0].title: plan for plan in plans}
    for plan in plans:  # a duplicate comes in shortly after its original
        spec = plan[0]
        if spec.duplicate_of:
            plan[1] = by_title[spec.duplicate_of][1] + timedelta(days=rng.uniform(0.5, 2.0))
    plans.sort(key=lambda plan: plan[1])

    made: dict[str, Complaint] = {}
    for spec, submitted_at, gaps, luck, days_before in plans:
        complaint = _submit(pemda, spec, categories, submitted_at, luck, days_before, rng, staff)
        made[spec.title] = complaint
        at = submitted_at
        for step, gap in zip(SCENARIOS[spec.scenario], gaps, strict=True):
            at = at + timedelta(days=gap)
            _move(complaint, spec, step, at, opds, categories, staff, made)
    return len(made)


def _submit(pemda, spec: DemoComplaint, categories, submitted_at, luck, days_before, rng, staff) -> Complaint:
    name = REPORTER_NAMES[rng.randrange(len(REPORTER_NAMES))]
    handle = name.lower().replace(" ", ".").replace("'", "")
    phone = f"08{rng.choice(['11', '12', '13', '21', '52', '53'])}{rng.randint(10_000_000, 99_999_999)}"
    if spec.anonymous:  # some anonymous reporters still leave a way to reach them
        reporter = ReporterData(email=f"{handle}@example.id") if luck < 0.5 else ReporterData()
    else:
        reporter = ReporterData(name=name, email=f"{handle}@example.id" if luck < 0.8 else "", phone=phone)
    latitude = longitude = None
    if spec.coords:
        latitude = Decimal(f"{spec.coords[0] + rng.uniform(-0.0008, 0.0008):.6f}")
        longitude = Decimal(f"{spec.coords[1] + rng.uniform(-0.0008, 0.0008):.6f}")
    local_day = timezone.localtime(submitted_at, pemda.zoneinfo).date()
    submit = complaint_submit
    if spec.channel in STAFF_INTAKE_CHANNELS:  # received off-line: typed in at the front desk soon after
        lapor = (
            f"LAP{zlib.crc32(spec.title.encode()) % 10_000_000:07d}" if spec.channel == Channel.LAPOR else ""
        )
        submit = functools.partial(
            complaint_intake,
            intake=IntakeData(channel=spec.channel, received_at=submitted_at, lapor_number=lapor),
            recorded_by=staff[Role.PETUGAS_LOKET.value],
        )
        submitted_at += timedelta(minutes=10)
    return submit(
        pemda=pemda,
        title=spec.title,
        chronology=spec.chronology,
        reporter=reporter,
        classification=spec.classification,
        incident_date=local_day - timedelta(days=days_before) if luck < 0.7 else None,
        location_text=spec.location,
        latitude=latitude,
        longitude=longitude,
        kelurahan=_kelurahan(pemda, spec.location),
        category=categories[spec.category] if spec.category else None,
        is_anonymous=spec.anonymous,
        is_confidential=spec.confidential,
        now=submitted_at,
        **({} if submit is not complaint_submit else {"channel": spec.channel}),
    )


# What citizens who accept an answer say about it: three in four rate it (mostly 4 and 5) and answer
# the SKM survey, chosen by the complaint's title so that every load gives the same figures.
FEEDBACK_SCORES = (2, 3, 4, 4, 5, 5)
SKM_VALUES = (2, 3, 4, 4)


def _feedback(complaint, spec: DemoComplaint, citizen, at) -> None:
    if ComplaintRating.objects.filter(complaint=complaint).exists():  # accepted again after a re-open
        return
    mix = zlib.crc32(spec.title.encode())
    if mix % 4 == 0:
        return
    complaint_rate(complaint_id=complaint.pk, actor=citizen, score=FEEDBACK_SCORES[mix % 6], now=at)
    answers = {name: SKM_VALUES[(mix >> (2 * i)) % 4] for i, (name, _label) in enumerate(SKM_ELEMENTS)}
    complaint_skm_submit(complaint_id=complaint.pk, actor=citizen, answers=answers, now=at)


def _move(complaint, spec: DemoComplaint, step, at, opds, categories, staff, made) -> None:
    """Take one scenario step through the workflow, as the person who would take it."""
    koordinator = Actor.staff(staff[Role.KOORDINATOR.value])
    citizen = Actor.citizen(complaint.tracking_secret)
    category = categories.get(spec.category) if spec.category else None
    target = opds[spec.opd] if spec.opd else (category.default_opd if category else None)
    complaint.refresh_from_db(fields=["current_opd"])
    holder = complaint.current_opd
    petugas = Actor.staff(staff[f"petugas:{holder.short_name}"]) if holder else None

    def move(action, actor, **kwargs):
        complaint_transition(complaint_id=complaint.pk, action=action, actor=actor, now=at, **kwargs)

    if step == "dispatch":
        move(Action.DISPATCH, koordinator, opd=target)
    elif step == "dispatch_first":
        move(Action.DISPATCH, koordinator, opd=opds[spec.first_opd])
    elif step == "request_redispatch":
        move(Action.REQUEST_REDISPATCH, petugas, note=spec.note)
    elif step == "redispatch":
        move(Action.REDISPATCH, koordinator, opd=target, note="Didisposisikan ulang sesuai kewenangan.")
    elif step == "hold":
        move(Action.HOLD, koordinator, note=spec.note or DEFAULT_HOLD_NOTE)
    elif step == "complete":
        move(Action.COMPLETE, citizen, note=spec.extra.get("complete_note", DEFAULT_COMPLETE_NOTE))
    elif step in ("follow_up", "follow_up_2"):
        photos = (validate_upload(done_photo()),) if spec.scenario in DONE_PHOTO_SCENARIOS else ()
        move(
            Action.FOLLOW_UP,
            petugas,
            note=spec.answer2 if step == "follow_up_2" else spec.answer,
            uploads=photos,
        )
        for pk in complaint.attachments.filter(scan_status=ScanStatus.PENDING).values_list("pk", flat=True):
            attachment_scan(pk, now=at)  # the scanner's verdict now, so the photo is served at once
    elif step in PROGRESS_NOTES:
        planned = (at.astimezone(complaint.pemda.zoneinfo) + timedelta(days=PLANNED_IN_DAYS)).date()
        move(
            Action(step),
            petugas,
            note=PROGRESS_NOTES[step],
            planned_date=planned if step == "schedule" else None,
        )
    elif step == "reply":
        move(Action.REPLY, citizen, note=spec.note)
    elif step == "accept":
        move(Action.ACCEPT, citizen)
        _feedback(complaint, spec, citizen, at + timedelta(minutes=10))
    elif step == "auto_resolve":
        move(Action.AUTO_RESOLVE, Actor.system())
    elif step == "reopen":
        move(Action.REOPEN, citizen, note=spec.note)
    elif step == "archive":
        move(Action.ARCHIVE, koordinator, reason=spec.reason)
    elif step == "archive_no_response":
        move(Action.ARCHIVE, koordinator, reason=ArchiveReason.NO_RESPONSE)
    elif step == "archive_duplicate":
        move(
            Action.ARCHIVE, koordinator, reason=ArchiveReason.DUPLICATE, duplicate_of=made[spec.duplicate_of]
        )
    elif step == "forward_out":
        move(Action.FORWARD_OUT, koordinator, institution=spec.institution)
    else:  # pragma: no cover - a typo in SCENARIOS
        raise ValueError(f"Unknown demo step {step!r}")
