"""The Balikpapan compliance demo: the 2021 and 2022 assessments and this year's score.

``compliance_demo_load()`` (run by ``manage.py load_demo`` after the complaints demo) enters, once:

- 2021 (one dimension): the Ombudsman's score 99.25 as the dimension score → Zona Hijau;
- 2022 (four dimensions): Input by indicator (17 of 21 points: 80.95), Proses by indicator (all 11
  standar pelayanan components met: 100), Output as the published dimension score 86.23, and
  Pengaduan from the metrics the Pemda reported for 2022 (follow-up ≤ 5 HK 62 %, ...) plus its
  evidence items (no training and no SP4N-LAPOR! integration yet) → 75.00; total 87.12, B, Hijau,
  0.88 below A. The decomposition shows Input, Output and Pengaduan pulling it down from 99.25,
  and the what-if shows follow-up at 90 % would have reached A;
- this year: the Pemda's self-assessment for the non-Pengaduan dimensions, and Pengaduan computed
  from the demo complaints and evidence.

The 2021 and 2022 snapshots are published (official) by the demo Ombudsman officer.
"""

from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from aduan.agencies.models import Pemda
from aduan.compliance.methodologies import METHOD_2022, ensure_initial_methodologies
from aduan.compliance.models import AssessmentEntry, ComplianceScore, EntryKind, EvidenceItem, Methodology
from aduan.compliance.services import evidence_record, score_compute, score_publish
from aduan.users.models import User

PEMDA_CODE = "BPN"
OMBUDSMAN_EMAIL = "ombudsman.kaltim@aduan.test"
KOORDINATOR_EMAIL = "koordinator@balikpapan.test"

_PROSES = [i["code"] for i in METHOD_2022["dimensions"][1]["variables"][0]["indicators"]]

ENTRIES = {
    2021: [(EntryKind.DIMENSION, "kepatuhan", "99.25", "Nilai kepatuhan 2021 (peringkat 1 dari 98 kota)")],
    2022: [
        *[
            (EntryKind.INDICATOR, c, "3", "")
            for c in ("in_tahu_standar", "in_tahu_maklumat", "in_tahu_pengaduan")
        ],
        (EntryKind.INDICATOR, "in_ruang_tunggu", "3", ""),
        (EntryKind.INDICATOR, "in_toilet", "2", "Toilet belum terpisah"),
        (EntryKind.INDICATOR, "in_sarana_difabel", "1", "Belum ada jalur pemandu dan kursi roda"),
        (EntryKind.INDICATOR, "in_ruang_pengaduan", "2", "Loket pengaduan bergabung dengan informasi"),
        *[(EntryKind.INDICATOR, c, "3", "") for c in _PROSES],
        (EntryKind.DIMENSION, "output", "86.23", "Persepsi maladministrasi, 30 responden"),
        (EntryKind.METRIC, "verified_on_time_pct", "92", "Laporan pengaduan 2022 Pemkot"),
        (EntryKind.METRIC, "followed_up_on_time_pct", "62", "Laporan pengaduan 2022 Pemkot"),
        (EntryKind.METRIC, "resolved_on_time_pct", "91", "Laporan pengaduan 2022 Pemkot"),
        (EntryKind.METRIC, "skm", "80.5", "SKM 2022"),
        (EntryKind.METRIC, "channels_count", "4", "Web, SP4N-LAPOR!, loket, aplikasi"),
    ],
}

# (kind, title, date)
EVIDENCE = [
    ("sk_pengelola", "SK Wali Kota No. 188.45-112/2021 tentang Pengelola Pengaduan", date(2021, 3, 1)),
    ("sop", "SOP Pengelolaan Pengaduan (batas waktu 3/5/10 hari kerja)", date(2021, 6, 1)),
    ("kanal_publikasi", "Pengumuman kanal pengaduan dan penanggung jawab", date(2022, 1, 10)),
    ("laporan_berkala", "Laporan semester I pengelolaan pengaduan 2022", date(2022, 7, 1)),
    ("tindak_lanjut_ombudsman", "Tindak lanjut saran Ombudsman 2022", date(2022, 9, 1)),
    ("pelatihan", "Pelatihan petugas pengaduan OPD", None),  # this year
    ("integrasi_lapor", "Berita acara integrasi SP4N-LAPOR!", None),  # this year
    ("laporan_berkala", "Laporan semester I pengelolaan pengaduan", None),  # this year
]


def _this_year_entries() -> list:
    improved = {"in_toilet": "3", "in_sarana_difabel": "2", "in_ruang_pengaduan": "3"}
    rows = [
        (k, c, improved.get(c, v), "Penilaian mandiri")
        for k, c, v, _n in ENTRIES[2022]
        if k == EntryKind.INDICATOR
    ]
    rows.append((EntryKind.DIMENSION, "output", "88.40", "Survei persepsi mandiri"))
    rows += [
        (EntryKind.INDICATOR, c, "2", "Survei mandiri")
        for c in ("kp_integritas", "kp_keandalan", "kp_keterbukaan")
    ]
    return rows


def compliance_demo_load(*, now=None) -> dict:
    """Load the demo assessments and compute the scores (idempotent). Returns {year: snapshot}."""
    now = now or timezone.now()
    ensure_initial_methodologies(Methodology)
    pemda = Pemda.objects.get(code=PEMDA_CODE)
    ombudsman = User.objects.filter(email=OMBUDSMAN_EMAIL).first()
    koordinator = User.objects.filter(email=KOORDINATOR_EMAIL).first()
    this_year = timezone.localtime(now, pemda.zoneinfo).year
    plan = {**ENTRIES, this_year: _this_year_entries()}
    with transaction.atomic():
        for year, rows in plan.items():
            if AssessmentEntry.objects.filter(pemda=pemda, year=year).exists():
                continue
            AssessmentEntry.objects.bulk_create(
                AssessmentEntry(
                    pemda=pemda, year=year, kind=kind, code=code, value=Decimal(value), note=note,
                    entered_by=ombudsman, entered_at=now,
                )
                for kind, code, value, note in rows
            )  # fmt: skip
        if not EvidenceItem.objects.filter(pemda=pemda).exists():
            for kind, title, day in EVIDENCE:
                day = day or timezone.localtime(now, pemda.zoneinfo).date().replace(day=1)
                evidence_record(
                    pemda=pemda,
                    kind=kind,
                    title=title,
                    document_date=day,
                    file=ContentFile(f"Dokumen demo: {title}\n".encode(), name=f"{kind}.txt"),
                    user=koordinator,
                    now=now,
                )
    snapshots = {}
    for year in sorted(plan):
        snapshot, _created = score_compute(pemda_id=pemda.pk, year=year, now=now)
        if (
            year < this_year
            and not ComplianceScore.objects.filter(
                pemda=pemda, year=year, published_at__isnull=False
            ).exists()
        ):
            snapshot = score_publish(snapshot_id=snapshot.pk, user=ombudsman, now=now)
        snapshots[year] = snapshot
    return snapshots
