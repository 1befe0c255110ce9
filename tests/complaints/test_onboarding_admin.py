"""The admin's import of OPDs, categories and staff (django-import-export) with pemda_onboard's
checks and writes: the Samarinda workbook imports sheet by sheet into the chosen Pemda after a
preview that writes nothing, again changes nothing, and a bad row is shown with its sheet, row,
column and reason, offers no confirmation, and changes nothing."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from aduan.agencies.models import Opd, StaffMembership
from aduan.complaints.models import Category
from aduan.notifications.models import Notification
from tests.factories import PemdaFactory, UserFactory

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
XLSX, CSV = SAMPLES / "pemda_samarinda.xlsx", SAMPLES / "pemda_samarinda.csv"
XLSX_FORMAT, CSV_FORMAT = 0, 1

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def samarinda(db):
    return PemdaFactory(code="SMR", name="Pemerintah Kota Samarinda")


def counts(pemda):
    return (
        Opd.objects.filter(pemda=pemda).count(),
        Category.objects.filter(pemda=pemda).count(),
        StaffMembership.objects.count(),
        Notification.objects.count(),
    )


def preview(client, model, pemda, path=XLSX, data=None, fmt=XLSX_FORMAT):
    upload = SimpleUploadedFile(path.name, data if data is not None else path.read_bytes())
    return client.post(
        f"/admin/{model}/import/", {"pemda": pemda.pk, "format": fmt, "resource": 0, "import_file": upload}
    )


def confirm(client, model, response):
    form = response.context["confirm_form"]
    return client.post(f"/admin/{model}/process_import/", form.initial)


def imported(client, model, pemda, **kwargs):
    shown = preview(client, model, pemda, **kwargs)
    assert shown.status_code == 200
    assert shown.context["result"].has_validation_errors() is False
    return shown, confirm(client, model, shown)


def test_the_workbook_imports_sheet_by_sheet_after_a_preview_that_writes_nothing(admin_client, samarinda):
    assert "Pemda tujuan" in admin_client.get("/admin/agencies/opd/import/").content.decode()

    shown = preview(admin_client, "agencies/opd", samarinda)

    assert shown.context["result"].totals["new"] == 45
    assert counts(samarinda) == (0, 0, 0, 0)  # the preview is rolled back
    done = confirm(admin_client, "agencies/opd", shown)
    assert done.status_code == 302
    assert Opd.objects.filter(pemda=samarinda).count() == 45

    _, done = imported(admin_client, "complaints/category", samarinda)
    assert done.status_code == 302
    assert Category.objects.get(pemda=samarinda, name="Pipa bocor").default_opd.short_name == "Tirta Kencana"

    _, done = imported(admin_client, "agencies/staffmembership", samarinda, path=CSV, fmt=CSV_FORMAT)
    assert done.status_code == 302
    assert StaffMembership.objects.filter(user__email__endswith="@samarinda.test").count() == 10
    assert Notification.objects.filter(kind="staff_welcome").count() == 9
    before = counts(samarinda)

    again, done = imported(admin_client, "agencies/opd", samarinda)

    assert again.context["result"].totals["skip"] == 45
    assert counts(samarinda) == before


def test_a_bad_row_is_shown_with_its_column_and_nothing_can_be_confirmed(admin_client, samarinda):
    bad = (
        b"Email,Nama lengkap,Peran,OPD\n"
        b"siti.rahmawati@samarinda.test,Siti Rahmawati,koordinator,\n"
        b"andi@samarinda.test,Andi,bupati,\n"
        b"rina(at)samarinda.test,Rina,koordinator,\n"
    )

    shown = preview(admin_client, "agencies/staffmembership", samarinda, path=CSV, data=bad, fmt=CSV_FORMAT)

    body = shown.content.decode()
    assert "Staf, baris 3, kolom Peran: peran bupati tidak dikenal" in body
    assert "Staf, baris 4, kolom Email: alamat e-mail tidak sah: rina(at)samarinda.test." in body
    assert "confirm_form" not in shown.context or shown.context["confirm_form"] is None
    assert counts(samarinda) == (0, 0, 0, 0)


def test_a_category_naming_an_unknown_opd_is_refused(admin_client, samarinda):
    bad = b"Nama,Induk,OPD utama\nJalan rusak,,Dinas Jalan\n"

    shown = preview(admin_client, "complaints/category", samarinda, path=CSV, data=bad, fmt=CSV_FORMAT)

    assert "Kategori, baris 2, kolom OPD utama: OPD Dinas Jalan tidak ada" in shown.content.decode()
    assert counts(samarinda) == (0, 0, 0, 0)


def test_import_needs_add_and_change_permissions(client, samarinda):
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_opd", "change_opd"]))
    client.force_login(clerk)

    assert client.get("/admin/agencies/opd/import/").status_code == 403
    assert preview(client, "agencies/opd", samarinda).status_code == 403
    assert counts(samarinda) == (0, 0, 0, 0)
