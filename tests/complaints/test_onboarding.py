"""Onboarding a Pemda from one file (aduan/complaints/onboarding/, manage.py pemda_onboard): the
Samarinda sample, as XLSX and as CSV, sets up the Pemda, its OPDs, categories and staff; a second
run changes nothing; an edited name updates; new staff get one welcome e-mail with a working
password link; every bad file is refused with sheet, row, column and reason, and changes nothing."""

import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from aduan.agencies.models import Opd, Pemda, Province, Role, StaffMembership
from aduan.complaints.models import Category
from aduan.complaints.onboarding import OnboardingInvalid, book_check, onboard_file, read_book
from aduan.notifications.models import Notification
from aduan.notifications.services import notification_deliver
from aduan.users.models import User

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
XLSX = SAMPLES / "pemda_samarinda.xlsx"
CSV = SAMPLES / "pemda_samarinda.csv"
OPDS, CATEGORIES, STAFF_ROWS, STAFF_USERS = 45, 34, 10, 9

pytestmark = pytest.mark.django_db


def snapshot():
    """Every row onboarding can write, with the fields it sets."""
    return (
        list(Province.objects.values_list("code", "name")),
        list(Pemda.objects.values_list("code", "name", "kind", "timezone", "province__code")),
        list(
            Opd.objects.order_by("pk").values_list(
                "pemda__code", "name", "short_name", "name_en", "is_active"
            )
        ),
        list(
            Category.objects.order_by("pk").values_list(
                "pemda__code",
                "parent__name",
                "name",
                "name_en",
                "default_opd__name",
                "done_photo_required",
                "is_active",
            )
        ),
        list(User.objects.order_by("pk").values_list("email", "full_name", "password")),
        list(
            StaffMembership.objects.order_by("pk").values_list(
                "user__email", "role", "pemda__code", "opd__name", "is_active"
            )
        ),
        Notification.objects.count(),
    )


def run(path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("pemda_onboard", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_samarinda_sample_sets_up_the_pemda_and_a_second_run_changes_nothing(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        out, err = run(XLSX)

    assert err == ""
    pemda = Pemda.objects.get(code="SMR")
    assert (pemda.name, pemda.kind, pemda.timezone, pemda.province.code) == (
        "Pemerintah Kota Samarinda",
        "kota",
        "Asia/Makassar",
        "KT",
    )
    assert pemda.opds.count() == OPDS
    assert Category.objects.filter(pemda=pemda).count() == CATEGORIES
    jalan = Category.objects.get(pemda=pemda, name="Jalan rusak")
    assert (jalan.parent.name, jalan.default_opd.short_name, jalan.done_photo_required) == (
        "Infrastruktur",
        "Dinas PUPR",
        True,
    )
    assert Category.objects.get(pemda=pemda, name="Pelayanan kelurahan dan kecamatan").default_opd is None
    roles = StaffMembership.objects.filter(user__email__endswith="@samarinda.test")
    assert roles.count() == STAFF_ROWS
    assert roles.get(user__email="siti.rahmawati@samarinda.test").role == Role.KOORDINATOR
    assert roles.get(user__email="siti.rahmawati@samarinda.test").pemda == pemda
    assert roles.get(user__email="bayu.saputra@samarinda.test").role == Role.KEPALA_OPD  # "kepala opd"
    assert set(
        roles.filter(user__email="dewi.lestari@samarinda.test").values_list("opd__short_name", flat=True)
    ) == {
        "DLH",
        "Disperkim",
    }
    assert not any(u.has_usable_password() for u in User.objects.filter(email__endswith="@samarinda.test"))
    welcomes = Notification.objects.filter(kind="staff_welcome")
    assert welcomes.count() == STAFF_USERS  # one per new account, not per role
    assert "Pemda: 1 baru, 0 diubah, 0 tetap." in out
    assert f"OPD: {OPDS} baru, 0 diubah, 0 tetap." in out
    assert f"Kategori: {CATEGORIES} baru, 0 diubah, 0 tetap." in out
    assert f"Staf: {STAFF_ROWS} baru, 0 diubah, 0 tetap." in out
    assert f"{STAFF_USERS} akun dikirimi e-mail" in out
    before = snapshot()

    out, _ = run(XLSX)

    assert snapshot() == before
    assert f"OPD: 0 baru, 0 diubah, {OPDS} tetap." in out
    assert f"Staf: 0 baru, 0 diubah, {STAFF_ROWS} tetap." in out
    assert "0 akun dikirimi" in out
    assert " baris " not in "".join(
        line for line in out.splitlines() if not line.startswith("pemda_onboard:")
    )


def test_the_csv_version_reads_as_the_same_file_and_changes_nothing_after_the_xlsx():
    xlsx, csv = (read_book(p.read_bytes(), filename=p.name) for p in (XLSX, CSV))
    for sheet in ("pemda", "opd", "category", "staff"):
        assert [r.values for r in xlsx.rows[sheet]] == [
            {k: v for k, v in r.values.items() if k in xlsx.headers[sheet]} for r in csv.rows[sheet]
        ]
    onboard_file(XLSX)
    before = snapshot()

    outcome = onboard_file(CSV)

    assert snapshot() == before
    assert {c.action for c in outcome.changes} == {"unchanged"}


def test_the_dry_run_lists_the_changes_and_writes_nothing():
    before = snapshot()

    out, _ = run(CSV, "--dry-run")

    assert snapshot() == before
    assert out.startswith("Uji coba (--dry-run): tidak ada yang diubah.")
    assert "OPD baris 7: baru — Dinas Kesehatan" in out  # CSV rows count the file's lines
    assert f"{STAFF_USERS} akun akan menerima e-mail" in out
    assert len(mail.outbox) == 0


def edited_copy(tmp_path, edit) -> Path:
    book = load_workbook(XLSX)
    edit(book)
    path = tmp_path / "edited.xlsx"
    book.save(path)
    return path


def test_an_edited_name_updates_the_same_rows(tmp_path):
    onboard_file(XLSX)
    dinkes = Opd.objects.get(short_name="Dinkes")
    sampah = Category.objects.get(name="Sampah tidak diangkut")
    opds_before = Opd.objects.count()

    def edit(book):
        book["OPD"]["A6"] = "Dinas Kesehatan Kota Samarinda"  # row 6: Dinas Kesehatan, matched by Dinkes
        book["Kategori"]["A8"] = "Sampah menumpuk"  # matched by its English name
        book["Staf"]["B3"] = "Muhammad Fadli, S.Kom."
        book["Staf"]["E4"] = "Tidak"

    out, _ = run(edited_copy(tmp_path, edit))

    dinkes.refresh_from_db()
    sampah.refresh_from_db()
    assert dinkes.name == "Dinas Kesehatan Kota Samarinda"
    assert Opd.objects.count() == opds_before
    assert sampah.name == "Sampah menumpuk"
    assert User.objects.get(email="fadli.loket@samarinda.test").full_name == "Muhammad Fadli, S.Kom."
    assert not StaffMembership.objects.get(user__email="andi.pratama@samarinda.test").is_active
    assert "OPD: 0 baru, 1 diubah" in out
    assert "OPD baris 6: diubah — Dinas Kesehatan Kota Samarinda (name)" in out
    assert "Staf: 0 baru, 2 diubah" in out


def test_the_map_centre_comes_from_the_pemda_sheet_and_blank_columns_keep_it(tmp_path):
    from decimal import Decimal

    onboard_file(XLSX)
    smr = Pemda.objects.get(code="SMR")
    assert (smr.map_latitude, smr.map_longitude, smr.map_zoom) == (
        Decimal("-0.502200"),
        Decimal("117.153600"),
        12,
    )

    def move(book):
        book["Pemda"]["G2"], book["Pemda"]["H2"], book["Pemda"]["I2"] = "-0,4948", "117,1436", "13"

    out, _ = run(edited_copy(tmp_path, move))
    smr.refresh_from_db()
    assert (smr.map_latitude, smr.map_longitude, smr.map_zoom) == (
        Decimal("-0.494800"),
        Decimal("117.143600"),
        13,
    )
    assert "Pemda: 0 baru, 1 diubah" in out

    def no_zoom(book):
        move(book)
        book["Pemda"]["I2"] = None

    out, _ = run(edited_copy(tmp_path, no_zoom))
    smr.refresh_from_db()
    assert smr.map_zoom == 13  # a blank zoom keeps the Pemda's
    assert "Pemda: 0 baru, 0 diubah, 1 tetap" in out

    def blank(book):
        for cell in ("G2", "H2", "I2"):
            book["Pemda"][cell] = None

    out, _ = run(edited_copy(tmp_path, blank))
    smr.refresh_from_db()
    assert smr.map_zoom == 13  # blank map columns leave the centre as it is
    assert smr.map_latitude == Decimal("-0.494800")
    assert "Pemda: 0 baru, 0 diubah, 1 tetap" in out


@override_settings(ADUAN_SITE_URL="https://aduan.samarindakota.example")
def test_a_new_staff_member_gets_a_link_that_sets_their_password(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        onboard_file(XLSX)
    welcome = Notification.objects.get(kind="staff_welcome", address="andi.pratama@samarinda.test")
    assert "link" not in welcome.context  # made when sent: no token at rest in the outbox
    assert "token" not in str(welcome.context)

    assert notification_deliver(welcome.pk)

    message = mail.outbox[-1]
    assert message.to == ["andi.pratama@samarinda.test"]
    assert message.subject == "Akun Aduan Anda untuk Pemerintah Kota Samarinda"
    assert "Petugas OPD (admin penghubung), Dinas Pekerjaan Umum dan Penataan Ruang" in message.body
    link = next(line for line in message.body.splitlines() if line.startswith("https://"))
    path = link.removeprefix("https://aduan.samarindakota.example")
    page = client.get(path, follow=True)
    assert page.status_code == 200
    posted = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "Sungai-Mahakam-2026", "new_password2": "Sungai-Mahakam-2026"},
    )
    assert posted.status_code == 302
    user = User.objects.get(email="andi.pratama@samarinda.test")
    assert user.check_password("Sungai-Mahakam-2026")
    assert client.get(path, follow=True).context["validlink"] is False  # used once


def problems_of(tmp_path, edit) -> list[str]:
    path = edited_copy(tmp_path, edit)
    with pytest.raises(OnboardingInvalid) as caught:
        book_check(read_book(path.read_bytes(), filename=path.name))
    return [str(p) for p in caught.value.problems]


def test_every_problem_is_listed_with_sheet_row_and_column_and_nothing_changes(tmp_path):
    onboard_file(XLSX)
    before = snapshot()

    def edit(book):
        book["Staf"]["C2"] = "bupati"  # a bad role
        book["Staf"]["A5"] = "dewi.lestari(at)samarinda.test"  # a bad e-mail
        book["Kategori"]["D3"] = "Dinas Jalan"  # an OPD that does not exist
        book["OPD"].append(["Dinas Sosial", "Dinsos2", "", "Ya"])  # a duplicate row
        book["Staf"].append(
            ["rizky.ramadhan@samarinda.test", "Rizky Ramadhan", "petugas_opd", "Disdukcapil", "Ya"]
        )
        book["Staf"]["A11"] = "new.person@samarinda.test"
        book["Pemda"]["F2"] = "Asia/Samarinda"

    path = edited_copy(tmp_path, edit)
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("pemda_onboard", str(path), stdout=io.StringIO(), stderr=err)

    assert str(caught.value) == "6 masalah di berkas; tidak ada yang diubah."
    assert err.getvalue().splitlines() == [
        "Pemda, baris 2, kolom Zona waktu: zona waktu tidak dikenal: "
        "gunakan WIB, WITA, WIT atau mis. Asia/Makassar.",
        "OPD, baris 47, kolom Nama: ganda: sudah ada di baris 11.",
        "Kategori, baris 3, kolom OPD utama: "
        "OPD Dinas Jalan tidak ada (bukan nama atau singkatan OPD pemda ini).",
        "Staf, baris 2, kolom Peran: peran bupati tidak dikenal "
        "(pilihan: koordinator, petugas_loket, petugas_opd, kepala_opd).",
        "Staf, baris 5, kolom Email: alamat e-mail tidak sah: dewi.lestari(at)samarinda.test.",
        "Staf, baris 12, kolom Email: ganda: peran yang sama sudah ada di baris 8.",
    ]
    assert snapshot() == before
    assert User.objects.filter(email="new.person@samarinda.test").count() == 0


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda b: b["Staf"].__setitem__("C2", "ombudsman"),
            "Staf, baris 2, kolom Peran: peran ombudsman tidak dikenal",
        ),
        (
            lambda b: b["Staf"].__setitem__("A6", "dewi.lestari@@samarinda.test"),
            "Staf, baris 6, kolom Email: alamat e-mail tidak sah",
        ),
        (
            lambda b: b["Kategori"].__setitem__("D5", "Dinas Jalan"),
            "Kategori, baris 5, kolom OPD utama: OPD Dinas Jalan tidak ada",
        ),
        (
            lambda b: b["OPD"].append(["Dinas Sosial", "", "", "Ya"]),
            "OPD, baris 47, kolom Nama: ganda: sudah ada di baris 11.",
        ),
        (
            lambda b: b["Staf"].append(
                ["rizky.ramadhan@samarinda.test", "Rizky Ramadhan", "petugas_opd", "Disdukcapil"]
            ),
            "Staf, baris 12, kolom Email: ganda: peran yang sama sudah ada di baris 8.",
        ),
        (
            lambda b: b["Kategori"].append(["Jalan rusak", "Infrastruktur", "", "DLH", "Tidak", "Ya"]),
            "Kategori, baris 36, kolom Nama: ganda: sudah ada di baris 3.",
        ),
        (
            lambda b: b["Staf"].__setitem__("D2", "Dinas PUPR"),
            "Staf, baris 2, kolom OPD: harus kosong",
        ),
        (
            lambda b: b["Staf"].__setitem__("D4", ""),
            "Staf, baris 4, kolom OPD: wajib diisi untuk petugas dan kepala OPD.",
        ),
        (
            lambda b: b["Kategori"].__setitem__("B3", "Jalan dan jembatan"),
            "Kategori, baris 3, kolom Induk: induk Jalan dan jembatan tidak ada",
        ),
        (lambda b: b["OPD"].__setitem__("D3", "mungkin"), "OPD, baris 3, kolom Aktif: harus Ya atau Tidak."),
        (
            lambda b: b["Pemda"].__setitem__("A2", "smr-1"),
            "Pemda, baris 2, kolom Kode: 2–10 huruf besar atau angka",
        ),
        (lambda b: b["Staf"].__setitem__("B1", "Nama"), "Staf, kolom Nama lengkap: kolom wajib tidak ada."),
        (lambda b: b["Staf"].__setitem__("B3", None), "Staf, baris 3, kolom Nama lengkap: wajib diisi."),
        (lambda b: b.remove(b["Pemda"]), "Pemda: lembar wajib tidak ada."),
        (
            lambda b: b["Pemda"].__setitem__("H2", None),
            "Pemda, baris 2, kolom Bujur peta: isi lintang dan bujur peta bersama-sama.",
        ),
        (
            lambda b: b["Pemda"].__setitem__("G2", "95"),
            "Pemda, baris 2, kolom Lintang peta: Lintang harus berupa angka antara -90 dan 90",
        ),
        (
            lambda b: b["Pemda"].__setitem__("I2", "30"),
            "Pemda, baris 2, kolom Perbesaran peta: harus bilangan bulat 3–18",
        ),
        (
            lambda b: b["Pemda"].__setitem__("I2", "1²"),  # a digit to str.isdigit, not to int()
            "Pemda, baris 2, kolom Perbesaran peta: harus bilangan bulat 3–18",
        ),
    ],
)
def test_a_bad_file_is_refused_whole(tmp_path, edit, expected):
    before = snapshot()
    path = edited_copy(tmp_path, edit)
    err = io.StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("pemda_onboard", str(path), stdout=io.StringIO(), stderr=err)

    assert "tidak ada yang diubah" in str(caught.value)
    assert any(line.startswith(expected) for line in err.getvalue().splitlines()), err.getvalue()
    assert snapshot() == before


def test_problems_are_translated(tmp_path):
    from django.utils import translation

    path = edited_copy(tmp_path, lambda b: b["Staf"].__setitem__("C2", "bupati"))
    with translation.override("en"), pytest.raises(OnboardingInvalid) as caught:
        book_check(read_book(path.read_bytes(), filename=path.name))
    with translation.override("en"):
        texts = [str(p) for p in caught.value.problems]
    choices = "koordinator, petugas_loket, petugas_opd, kepala_opd"
    assert texts == [f"Staff, row 2, column Peran: unknown role bupati (choices: {choices})."]


def test_a_log_gets_plain_progress_lines():
    out, _ = run(CSV)
    lines = [line for line in out.splitlines() if line.startswith("pemda_onboard: ")]
    total = 1 + OPDS + CATEGORIES + STAFF_ROWS
    assert len(lines) == 10
    assert lines[-1] == f"pemda_onboard: {total}/{total} baris (100%)"
    assert "\r" not in out


def test_an_expired_welcome_is_sent_again_only_to_staff_without_a_password():
    onboard_file(XLSX)
    andi = User.objects.get(email="andi.pratama@samarinda.test")
    andi.set_password("Sungai-Mahakam-2026")
    andi.save()
    before = Notification.objects.filter(kind="staff_welcome").count()

    out, _ = run(XLSX, "--resend-welcome")

    welcomes = Notification.objects.filter(kind="staff_welcome")
    assert welcomes.count() == before + STAFF_USERS - 1
    assert (
        not welcomes.filter(address="andi.pratama@samarinda.test")
        .exclude(key__endswith=f":{andi.pk}")
        .exists()
    )
    assert f"{STAFF_USERS - 1} akun dikirimi e-mail" in out
    dewi = welcomes.filter(address="dewi.lestari@samarinda.test").latest("pk")
    assert len(dewi.context["roles"]) == 2  # both of her roles


def test_unchanged_opds_and_categories_cost_no_query_per_row(tmp_path):
    def more(book):
        for n in range(1, 11):
            book["OPD"].append([f"Kelurahan Contoh {n}", f"Kel. Contoh {n}", "", "Ya"])
            book["Kategori"].append([f"Contoh {n}", "Infrastruktur", "", f"Kel. Contoh {n}", "Tidak", "Ya"])

    bigger = edited_copy(tmp_path, more)
    onboard_file(bigger)

    with CaptureQueriesContext(connection) as sample_run:
        onboard_file(XLSX)
    with CaptureQueriesContext(connection) as bigger_run:
        onboard_file(bigger)

    assert len(bigger_run) == len(sample_run)  # 20 more rows, not one more query
    assert len(sample_run) <= 30 + 2 * STAFF_ROWS  # a user and a role looked up per staff row
