"""SP4N-LAPOR! import, reconciliation and export (aduan/complaints/lapor.py and its commands):
importing the same file twice adds nothing, a number seen twice and bad rows are reported with
their row number, a wrong column refuses the whole file, and nothing half-written."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from aduan.complaints.lapor import (
    COLUMNS,
    LaporFileInvalid,
    lapor_export_rows,
    lapor_import,
    lapor_reconcile,
    read_rows,
)
from aduan.complaints.models import ActorRole, Channel, Complaint, ComplaintEvent, IntakeRecord, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.workflow import complaint_transition
from tests.factories import CategoryFactory

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "lapor-export-sample.csv"


@pytest.fixture
def pemda(world):
    world.pemda.code = "BPN"
    world.pemda.save()
    for name in ("Jalan rusak", "Akta kelahiran", "Perizinan", "Puskesmas dan layanan kesehatan"):
        CategoryFactory(pemda=world.pemda, name=name, default_opd=world.opd)
    return world.pemda


def counts():
    return (Complaint.objects.count(), IntakeRecord.objects.count(), ComplaintEvent.objects.count())


def csv_bytes(*rows, header=COLUMNS[:5]) -> bytes:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def test_the_sample_file_imports_once_and_twice_adds_nothing(pemda):
    rows = read_rows(SAMPLE.read_bytes(), filename=SAMPLE.name)
    first = lapor_import(pemda=pemda, rows=rows)

    assert (len(first.created), len(first.skipped), first.failed) == (5, 0, [])
    complaint = Complaint.objects.get(intake__lapor_number="7265412")
    assert complaint.channel == Channel.LAPOR
    assert complaint.category.name == "Jalan rusak"
    assert complaint.submitted_at.astimezone(pemda.zoneinfo).strftime("%Y-%m-%d %H:%M") == "2026-11-03 08:15"
    assert complaint.intake.recorded_role == ActorRole.SYSTEM
    anonim = Complaint.objects.get(intake__lapor_number="7266031")
    assert (anonim.is_anonymous, anonim.is_confidential) == (True, True)
    before = counts()

    again = lapor_import(pemda=pemda, rows=read_rows(SAMPLE.read_bytes(), filename=SAMPLE.name))

    assert (again.created, len(again.skipped), again.failed) == ([], 5, [])
    assert counts() == before


def test_command_import_twice_and_xlsx_gives_no_duplicates(pemda, tmp_path):
    out = io.StringIO()
    call_command("lapor_import", str(SAMPLE), "--pemda", "bpn", stdout=out)
    assert "5 aduan baru, 0 sudah ada, 0 gagal." in out.getvalue()
    book = Workbook()
    sheet = book.active
    for line in SAMPLE.read_text().splitlines():
        sheet.append(next(__import__("csv").reader([line])))
    xlsx = tmp_path / "lapor.xlsx"
    book.save(xlsx)
    out = io.StringIO()
    call_command("lapor_import", str(xlsx), "--pemda", "BPN", stdout=out)
    assert "0 aduan baru, 5 sudah ada, 0 gagal." in out.getvalue()
    assert Complaint.objects.count() == 5


def test_the_import_prints_plain_progress_lines_to_a_log(pemda):
    out = io.StringIO()  # not a terminal: a log under cron or systemd

    call_command("lapor_import", str(SAMPLE), "--pemda", "BPN", stdout=out)

    lines = [line for line in out.getvalue().splitlines() if line.startswith("lapor_import: ")]
    assert len(lines) == 10  # one per tenth of the rows
    assert lines[0].startswith("lapor_import: 1/5 baris (10%)")
    assert lines[-1] == "lapor_import: 5/5 baris (100%)"
    assert "\r" not in out.getvalue()


def test_a_terminal_gets_a_progress_bar_instead(pemda):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    call_command("lapor_import", str(SAMPLE), "--pemda", "BPN", stdout=out)

    assert "\r" in out.getvalue()  # tqdm redraws its bar
    assert "5/5" in out.getvalue()
    assert "lapor_import: 5/5 baris (100%)" not in out.getvalue()


def test_bad_rows_are_reported_by_row_number_and_store_nothing(pemda):
    data = csv_bytes(
        ("111", "2026-11-03 08:15", "Judul", "Isi", "Belum Terverifikasi"),
        ("111", "2026-11-03 09:15", "Judul lagi", "Isi", "Belum Terverifikasi"),  # the same number
        ("222", "kemarin", "Judul", "Isi", "Selesai"),  # a date it cannot read
        ("333", "2026-11-03 08:15", "Judul", "Isi", "Entah"),  # an unknown status
        ("444", "2026-11-03 08:15", "", "Isi", "Selesai"),  # no title
    )
    header = ",".join(COLUMNS[:5]) + ",Anonim"
    data = data.replace(b"Status\n", b"Status,Anonim\n").replace(b"Terverifikasi\n", b"Terverifikasi,Ya\n")
    assert header.encode() in data
    result = lapor_import(pemda=pemda, rows=read_rows(data, filename="x.csv"))

    failed = dict(result.failed)
    assert [row for row, _n, _t in result.created] == [2]
    assert sorted(failed) == [3, 4, 5, 6]
    assert "ganda" in failed[3]
    assert "baris 2" in failed[3]
    assert "kemarin" in failed[4]
    assert "Entah" in failed[5]
    assert "title" in failed[6]
    assert Complaint.objects.count() == 1
    assert IntakeRecord.objects.count() == 1


def test_a_file_with_a_wrong_column_is_refused_whole(pemda, tmp_path):
    bad = tmp_path / "salah.csv"
    bad.write_bytes(
        csv_bytes(("1", "2026-11-03 08:15", "J", "I", "Selesai"), header=("Nomor", *COLUMNS[1:5]))
    )
    before = counts()
    with pytest.raises(CommandError, match="Kolom wajib tidak ada: Nomor Tracking"):
        call_command("lapor_import", str(bad), "--pemda", "BPN")
    with pytest.raises(LaporFileInvalid):
        read_rows(b"\xff\xfe\x00bukan utf8", filename="x.csv")
    with pytest.raises(LaporFileInvalid):
        read_rows(b"PK\x03\x04rusak", filename="x.xlsx")
    assert counts() == before


def test_reconciliation_lists_numbers_whose_status_differs(pemda, world):
    rows = read_rows(SAMPLE.read_bytes(), filename=SAMPLE.name)
    lapor_import(pemda=pemda, rows=rows)
    dispatched = Complaint.objects.get(intake__lapor_number="7265890")
    complaint_transition(
        complaint_id=dispatched.pk, action="dispatch", actor=Actor.staff(world.koordinator), opd=world.opd
    )
    extra = read_rows(csv_bytes(("999", "2026-11-03 08:15", "J", "I", "Selesai")), filename="x.csv")

    differences = lapor_reconcile(pemda=pemda, rows=rows + extra)

    # Imported as submitted: the file's Ditindaklanjuti and Selesai differ; 7265890 now matches.
    assert [(d.lapor_number, d.file_status, d.aduan_status) for d in differences] == [
        ("7266477", "Ditindaklanjuti", "Belum Terverifikasi"),
        ("7266902", "Selesai", "Belum Terverifikasi"),
        ("999", "Selesai", ""),
    ]
    with pytest.raises(CommandError):
        call_command("lapor_reconcile", str(SAMPLE), "--pemda", "BPN", stdout=io.StringIO())


def test_export_writes_aduans_status_in_the_same_columns_without_identity(pemda, world, tmp_path):
    lapor_import(pemda=pemda, rows=read_rows(SAMPLE.read_bytes(), filename=SAMPLE.name))
    resolved = Complaint.objects.get(intake__lapor_number="7265412")
    complaint_transition(
        complaint_id=resolved.pk, action="dispatch", actor=Actor.staff(world.koordinator), opd=world.opd
    )
    out = tmp_path / "balik.csv"

    call_command("lapor_export", "--pemda", "BPN", "--output", str(out))

    rows = read_rows(out.read_bytes(), filename=out.name)
    assert [r.lapor_number for r in rows] == ["7265412", "7265890", "7266031", "7266477", "7266902"]
    assert rows[0].status == "Terdisposisi"
    text = out.read_text()
    assert "Nama Pelapor" not in text
    assert "hendra.saputra@example.id" not in text
    # Reading its own export back: nothing new, nothing different.
    before = counts()
    assert lapor_import(pemda=pemda, rows=rows).created == []
    assert counts() == before
    assert lapor_reconcile(pemda=pemda, rows=rows) == []
    assert list(lapor_export_rows(pemda=pemda))[0] == list(COLUMNS[:10])
    assert Status.DISPATCHED == Complaint.objects.get(pk=resolved.pk).status


def test_the_admin_page_imports_twice_without_duplicates_and_refuses_a_wrong_column(pemda, admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = "/admin/complaints/intakerecord/impor-lapor/"
    assert "Kolom yang diterima" in admin_client.get(url).content.decode()

    def upload(data, action="import", name="lapor.csv"):
        return admin_client.post(
            url, {"pemda": pemda.pk, "action": action, "file": SimpleUploadedFile(name, data, "text/csv")}
        )

    first = upload(SAMPLE.read_bytes()).content.decode()
    assert "5 aduan baru, 0 sudah ada, 0 gagal." in first
    again = upload(SAMPLE.read_bytes()).content.decode()
    assert "0 aduan baru, 5 sudah ada, 0 gagal." in again
    assert 'id="lapor-differences"' in again  # imported as submitted: 2 statuses differ
    assert Complaint.objects.count() == 5
    before = counts()
    wrong = upload(csv_bytes(("1", "2026-11-03 08:15", "J", "I", "Selesai"), header=("Nomor", *COLUMNS[1:5])))
    assert "Kolom wajib tidak ada: Nomor Tracking" in wrong.content.decode()
    reconcile_only = upload(SAMPLE.read_bytes(), action="reconcile").content.decode()
    assert "aduan baru" not in reconcile_only
    assert "7266902" in reconcile_only
    assert counts() == before


def test_the_admin_page_is_refused_to_staff_without_a_koordinator_role(pemda, client, world):
    from tests.factories import UserFactory

    clerk = UserFactory(is_staff=True)
    client.force_login(clerk)
    assert client.get("/admin/complaints/intakerecord/impor-lapor/").status_code == 403
