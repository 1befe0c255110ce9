"""The assessment methods Aduan starts with, as data (the README's "Kepatuhan" section).

The data migration 0002 loads them into ``Methodology`` rows; a later year's method is added in the
Django admin (copy a row with the admin action and edit it) — no code. No source publishes the
Ombudsman's full rubric: the indicator lists below follow the published dimensions and variables,
and the Pengaduan thresholds are Aduan's reading of the SP4N-LAPOR! time limits, kept here as data.
"""

from copy import deepcopy

ZONES = {
    "hijau": {"name": "Zona Hijau", "color": "#1d7a36"},
    "kuning": {"name": "Zona Kuning", "color": "#b88a00"},
    "merah": {"name": "Zona Merah", "color": "#b3261e"},
}

BANDS_A_E = [
    {"min": "0.00", "max": "31.99", "category": "E", "opinion": "Kualitas Terendah", "zone": "merah"},
    {"min": "32.00", "max": "53.99", "category": "D", "opinion": "Kualitas Rendah", "zone": "merah"},
    {"min": "54.00", "max": "77.99", "category": "C", "opinion": "Kualitas Sedang", "zone": "kuning"},
    {"min": "78.00", "max": "87.99", "category": "B", "opinion": "Kualitas Tinggi", "zone": "hijau"},
    {"min": "88.00", "max": "100.00", "category": "A", "opinion": "Kualitas Tertinggi", "zone": "hijau"},
]

STANDAR_PELAYANAN = [
    ("persyaratan", "Persyaratan"),
    ("prosedur", "Sistem, mekanisme dan prosedur"),
    ("waktu", "Jangka waktu pelayanan"),
    ("biaya", "Biaya/tarif"),
    ("produk", "Produk pelayanan"),
    ("pengaduan", "Penanganan pengaduan, saran dan masukan"),
    ("maklumat", "Maklumat pelayanan"),
    ("informasi", "Informasi pelayanan (elektronik dan non-elektronik)"),
    ("sarana", "Sarana dan prasarana"),
    ("difabel", "Pelayanan khusus bagi pengguna berkebutuhan khusus"),
    ("atribut", "Atribut dan identitas pelaksana"),
]


def _entered(prefix: str, items) -> list[dict]:
    return [{"code": f"{prefix}_{code}", "name": name, "source": "entered"} for code, name in items]


def _metric(code, name, metric, thresholds, direction="higher") -> dict:
    return {
        "code": code,
        "name": name,
        "source": "metric",
        "metric": metric,
        "thresholds": thresholds,
        "direction": direction,
    }


def _evidence(code, name, kind, within_year=False) -> dict:
    return {"code": code, "name": name, "source": "evidence", "evidence": kind, "within_year": within_year}


INPUT = {
    "code": "input",
    "name": "Input",
    "weight": "21.85",
    "variables": [
        {
            "code": "kompetensi",
            "name": "Kompetensi pelaksana",
            "indicators": _entered(
                "in",
                [
                    ("tahu_standar", "Pengetahuan pelaksana tentang standar pelayanan"),
                    ("tahu_maklumat", "Pengetahuan pelaksana tentang maklumat pelayanan"),
                    ("tahu_pengaduan", "Pengetahuan pelaksana tentang pengelolaan pengaduan"),
                ],
            ),
        },
        {
            "code": "sarpras",
            "name": "Sarana prasarana",
            "indicators": _entered(
                "in",
                [
                    ("ruang_tunggu", "Ruang tunggu yang layak"),
                    ("toilet", "Toilet pengguna layanan"),
                    ("sarana_difabel", "Sarana bagi pengguna berkebutuhan khusus"),
                    ("ruang_pengaduan", "Ruang atau loket pengaduan"),
                ],
            ),
        },
    ],
}

PROSES = {
    "code": "proses",
    "name": "Proses",
    "weight": "32.37",
    "variables": [
        {
            "code": "standar",
            "name": "Standar pelayanan",
            "indicators": _entered("pr", STANDAR_PELAYANAN),
        }
    ],
}

OUTPUT = {
    "code": "output",
    "name": "Output",
    "weight": "24.24",
    "variables": [
        {
            "code": "persepsi",
            "name": "Persepsi maladministrasi (30 pengguna layanan)",
            "indicators": _entered(
                "ou",
                [
                    ("penundaan", "Tidak ada penundaan berlarut"),
                    ("tidak_melayani", "Tidak ada pengabaian atau penolakan layanan"),
                    ("kompeten", "Pelaksana kompeten"),
                    ("prosedur", "Tidak ada penyimpangan prosedur"),
                    ("imbalan", "Tidak ada permintaan imbalan"),
                    ("patut", "Pelaksana bersikap patut"),
                    ("diskriminasi", "Tidak ada diskriminasi"),
                    ("berpihak", "Tidak berpihak"),
                ],
            ),
        }
    ],
}

PENGADUAN = {
    "code": "pengaduan",
    "name": "Pengaduan",
    "weight": "21.54",
    "variables": [
        {
            "code": "kinerja",
            "name": "Kinerja penanganan pengaduan (dihitung dari Aduan)",
            "indicators": [
                _metric(
                    "pg_verifikasi",
                    "Verifikasi dan disposisi ≤ 3 hari kerja",
                    "verified_on_time_pct",
                    ["50", "75", "90"],
                ),
                _metric(
                    "pg_tindak_lanjut",
                    "Tindak lanjut pertama ≤ 5 hari kerja",
                    "followed_up_on_time_pct",
                    ["50", "75", "90"],
                ),
                _metric(
                    "pg_selesai",
                    "Selesai dalam target penyelesaian",
                    "resolved_on_time_pct",
                    ["50", "75", "90"],
                ),
                _metric(
                    "pg_kepuasan", "Kepuasan pelapor (SKM: mutu C, B, A)", "skm", ["65.00", "76.61", "88.31"]
                ),
                _metric(
                    "pg_kanal",
                    "Ketersediaan kanal pengaduan yang dipakai warga",
                    "channels_count",
                    ["2", "3", "4"],
                ),
            ],
        },
        {
            "code": "kelembagaan",
            "name": "Kelembagaan pengelolaan pengaduan (bukti dari Pemda)",
            "indicators": [
                _evidence("pg_sk", "SK pengelola pengaduan", "sk_pengelola"),
                _evidence("pg_sop", "SOP pengaduan dengan batas waktu", "sop"),
                _evidence("pg_pelatihan", "Pelatihan petugas pengaduan (tahun penilaian)", "pelatihan", True),
                _evidence("pg_publikasi", "Kanal dan penanggung jawab dipublikasikan", "kanal_publikasi"),
                _evidence(
                    "pg_laporan",
                    "Laporan berkala pengelolaan pengaduan (tahun penilaian)",
                    "laporan_berkala",
                    True,
                ),
                _evidence("pg_lapor", "Terintegrasi dengan SP4N-LAPOR!", "integrasi_lapor"),
                _evidence(
                    "pg_ombudsman",
                    "Tindak lanjut temuan Ombudsman (tahun penilaian)",
                    "tindak_lanjut_ombudsman",
                    True,
                ),
            ],
        },
    ],
}

METHOD_2021 = {
    "scale_max": 3,
    "dimensions": [
        {
            "code": "kepatuhan",
            "name": "Kepatuhan standar pelayanan publik",
            "weight": "100",
            "variables": [
                {
                    "code": "standar",
                    "name": "Standar pelayanan",
                    "indicators": _entered("ks", STANDAR_PELAYANAN),
                }
            ],
        }
    ],
    "bands": [
        {"min": "0.00", "max": "50.99", "category": "", "opinion": "Kepatuhan rendah", "zone": "merah"},
        {"min": "51.00", "max": "80.99", "category": "", "opinion": "Kepatuhan sedang", "zone": "kuning"},
        {"min": "81.00", "max": "100.00", "category": "", "opinion": "Kepatuhan tinggi", "zone": "hijau"},
    ],
    "zones": ZONES,
}

METHOD_2022 = {
    "scale_max": 3,
    "dimensions": [INPUT, PROSES, OUTPUT, PENGADUAN],
    "bands": BANDS_A_E,
    "zones": ZONES,
}


def _scaled(dimension: dict, weight: str) -> dict:
    scaled = deepcopy(dimension)
    scaled["weight"] = weight
    return scaled


# 2025 on: the four dimensions weigh 70 % together (their 2022 shares × 0.7), public trust 30 %.
METHOD_2025 = {
    "scale_max": 3,
    "dimensions": [
        _scaled(INPUT, "15.295"),
        _scaled(PROSES, "22.659"),
        _scaled(OUTPUT, "16.968"),
        _scaled(PENGADUAN, "15.078"),
        {
            "code": "kepercayaan",
            "name": "Kepercayaan publik",
            "weight": "30",
            "variables": [
                {
                    "code": "survei",
                    "name": "Survei kepercayaan publik",
                    "indicators": _entered(
                        "kp",
                        [
                            ("integritas", "Persepsi integritas penyelenggara"),
                            ("keandalan", "Keandalan layanan"),
                            ("keterbukaan", "Keterbukaan informasi"),
                        ],
                    ),
                }
            ],
        },
    ],
    "bands": BANDS_A_E,
    "zones": ZONES,
    "clean_opinion": {"suffix": "Tanpa Maladministrasi", "evidence": "tindak_lanjut_ombudsman"},
}


def _pengaduan_2027(weight: str) -> dict:
    """The 2025 Pengaduan dimension with its performance indicators read from the field-work cycle
    (issue 17): the OPD's first update, the OPD's own planned dates, the time to *selesai ditangani*
    and the Ombudsman's corrective actions, each scored 0–3 by its thresholds:

    - ``pg_tanggapan`` first response ≤ 5 HK (%, 50/75/90): replaces ``pg_tindak_lanjut`` — since a
      progress update meets the first-response clock, the old "first follow-up" is this figure.
    - ``pg_janji`` promises kept (%, 70/85/95): the planned date is the OPD's own choice, so the bar
      is higher than for a fixed time limit; a point is lost for every 10–15 % of dates missed.
    - ``pg_waktu_ditangani`` median working days from dispatch to *selesai ditangani* (lower is
      better, 20/15/10): 10 HK is the SP4N-LAPOR! target for a follow-up, 20 HK twice that.
    - ``pg_ombudsman`` corrective actions of Ombudsman findings done on time (%, 50/75/100): an
      action the Ombudsman asked for is owed in full, so only 100 % earns 3. It replaces the
      evidence item; with no action due in the year there is nothing to follow up and the indicator
      scores full (``when_missing``), as a Pemda without findings should not lose points.
    """
    dimension = _scaled(PENGADUAN, weight)
    kinerja, kelembagaan = dimension["variables"]
    by_code = {i["code"]: i for i in kinerja["indicators"]}
    kinerja["indicators"] = [
        by_code["pg_verifikasi"],
        _metric(
            "pg_tanggapan",
            "Tanggapan pertama OPD ≤ 5 hari kerja (pembaruan progres atau jawaban)",
            "first_response_on_time_pct",
            ["50", "75", "90"],
        ),
        _metric("pg_janji", "Tanggal rencana OPD yang ditepati", "promises_kept_pct", ["70", "85", "95"]),
        _metric(
            "pg_waktu_ditangani",
            "Median hari kerja sampai selesai ditangani",
            "median_handled_days",
            ["20", "15", "10"],
            direction="lower",
        ),
        by_code["pg_selesai"],
        by_code["pg_kepuasan"],
        by_code["pg_kanal"],
    ]
    ombudsman = _metric(
        "pg_ombudsman",
        "Tindakan korektif temuan Ombudsman tepat waktu (tahun penilaian)",
        "ombudsman_actions_on_time_pct",
        ["50", "75", "100"],
    )
    ombudsman["when_missing"] = "full"
    kelembagaan["indicators"] = [
        ombudsman if i["code"] == "pg_ombudsman" else i for i in kelembagaan["indicators"]
    ]
    return dimension


# 2027 on: the 2025 method (same dimensions, weights, bands and clean opinion) with the Pengaduan
# indicators computed from the field-work cycle (``_pengaduan_2027``). The 2025 method is unchanged.
METHOD_2027 = deepcopy(METHOD_2025)
METHOD_2027["dimensions"] = [
    _pengaduan_2027(d["weight"]) if d["code"] == "pengaduan" else d for d in METHOD_2027["dimensions"]
]

# (code, name, year_from, year_to, basis, definition)
INITIAL_METHODOLOGIES = [
    (
        "2021",
        "Penilaian Kepatuhan Standar Pelayanan Publik 2021",
        2021,
        2021,
        "Peraturan Ombudsman 22/2016; satu dimensi (kepatuhan standar pelayanan), zona hijau/kuning/merah.",
        METHOD_2021,
    ),
    (
        "2022-2024",
        "Penilaian Kepatuhan Penyelenggaraan Pelayanan Publik 2022–2024",
        2022,
        2024,
        "Peraturan Ombudsman 22/2016 (metode 2022): Input, Proses, Output, Pengaduan; kategori A–E.",
        METHOD_2022,
    ),
    (
        "2025",
        "Opini Pengawasan Penyelenggaraan Pelayanan Publik 2025",
        2025,
        None,
        "Peraturan Ombudsman 61/2025: empat dimensi 70 %, kepercayaan publik 30 %, "
        "“Tanpa Maladministrasi” bila temuan Ombudsman ditindaklanjuti.",
        METHOD_2025,
    ),
    (
        "2027",
        "Opini Pengawasan Penyelenggaraan Pelayanan Publik 2027 (indikator Pengaduan dari Aduan)",
        2027,
        None,
        "Metode 2025 dengan indikator kinerja Pengaduan dari siklus penanganan Aduan: tanggapan pertama "
        "≤ 5 hari kerja, tanggal rencana ditepati, median hari kerja sampai selesai ditangani, dan "
        "tindakan korektif temuan Ombudsman tepat waktu.",
        METHOD_2027,
    ),
]


def ensure_initial_methodologies(methodology_model) -> None:
    """Create the initial methods that are missing (idempotent; the data migration and tests)."""
    from .scoring import validate_definition

    for code, name, year_from, year_to, basis, definition in INITIAL_METHODOLOGIES:
        validate_definition(definition)
        methodology_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "year_from": year_from,
                "year_to": year_to,
                "basis": basis,
                "definition": deepcopy(definition),
            },
        )
