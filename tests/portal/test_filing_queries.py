"""What one filing costs the database (issue 20 point 2): the filing page's POST and the API's
filing each run a fixed, small number of queries, and the per-process caches that make it so
(holiday overrides, webhook endpoints) forget at once what an edit changes."""

import datetime
import re
from unittest import mock

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aduan.complaints.models import Complaint, ComplaintEvent, ReporterIdentity, Status, TicketCounter
from aduan.notifications.models import Notification
from aduan.notifications.services import webhook_endpoint_register
from aduan.sla.models import Deadline, HolidayOverride, Stage
from tests.factories import CategoryFactory, OpdFactory, PemdaFactory

pytestmark = pytest.mark.usefixtures("default_policies")

FILE_URL = reverse("complaints:file")
API_URL = "/api/v1/complaints/"
# BEGIN; the complaint's id (PostgreSQL); the reporter's identity; the first event; the three
# clocks (one INSERT); the ticket counter (one upsert); the complaint; the reporter's e-mail; the
# metric rollups; COMMIT. The API reads the Pemda too; the form page keeps it in the process (as it
# keeps the form's lists).
FILING_QUERIES = {"form": 9, "api": 10}
ID_DRAWN = 1 if connection.vendor == "postgresql" else 0


def form_data(n: int) -> dict:
    return {
        "classification": "pengaduan",
        "title": f"Lampu jalan padam di Jalan Sudirman {n}",
        "chronology": "Sudah seminggu lampu jalan di depan pasar padam dan jalan gelap sekali.",
        "location_text": "Jl. Jenderal Sudirman depan pasar",
        "name": "Warga Uji",
        "email": "warga.uji@example.id",
        "phone": "081234567890",
        "language": "id",
        "confirm_new": "1",
    }


def api_data(pemda, n: int) -> dict:
    fields = {k: v for k, v in form_data(n).items() if k in ("title", "chronology", "name", "email", "phone")}
    return fields | {"pemda": pemda.code}


def citizen(n: int) -> Client:
    return Client(REMOTE_ADDR=f"10.0.{n}.1")  # each filing from its own address, as the throttle wants


def file_by_form(pemda, n: int):
    response = citizen(n).post(f"{FILE_URL}?pemda={pemda.code}", form_data(n))
    assert response.status_code == 302, response.status_code
    return response


def file_by_api(pemda, n: int):
    response = citizen(n).post(API_URL, api_data(pemda, n), content_type="application/json")
    assert response.status_code == 201, response.content
    return response


@pytest.mark.parametrize(("file", "way"), [(file_by_form, "form"), (file_by_api, "api")])
def test_a_filing_runs_a_fixed_number_of_queries(pemda, file, way, django_assert_num_queries):
    file(pemda, 1)  # the first filing of a process reads the policies and the Pemda's calendar
    with django_assert_num_queries(FILING_QUERIES[way] + ID_DRAWN):
        file(pemda, 2)
    complaint = Complaint.objects.get(title__endswith=" 2")
    # ...and still writes everything a filing writes
    assert complaint.status == Status.SUBMITTED
    assert complaint.ticket_number == f"{pemda.code}-{complaint.submitted_at.year}-000002"
    assert ReporterIdentity.objects.get(complaint=complaint).email == "warga.uji@example.id"
    assert ComplaintEvent.objects.filter(complaint=complaint, action="submit").count() == 1
    assert set(Deadline.objects.filter(complaint=complaint).values_list("stage", flat=True)) == {
        Stage.VERIFICATION, Stage.RESOLUTION, Stage.LEGAL_RESPONSE,
    }  # fmt: skip
    assert Notification.objects.filter(complaint=complaint, address="warga.uji@example.id").count() == 1


@pytest.mark.postgres
def test_the_rows_every_filing_of_the_pemda_shares_are_written_last(pemda):
    file_by_form(pemda, 1)
    with CaptureQueriesContext(connection) as queries:
        file_by_form(pemda, 2)
    written = [re.search(r"INSERT INTO \"?(\w+)", q["sql"]) for q in queries.captured_queries]
    tables = [m.group(1) for m in written if m]
    # their row locks last until COMMIT: the next filing of the Pemda waits only for these
    shared = ["complaints_ticketcounter", "complaints_complaint", "notifications_notification"]
    assert tables[-4:] == [*shared, "sla_metricrollup"]
    assert set(tables[:-4]) == {"complaints_reporteridentity", "complaints_complaintevent", "sla_deadline"}


def test_the_ticket_counter_is_one_row_per_pemda_and_year(pemda):
    for n in range(3):
        file_by_api(pemda, n)
    year = timezone.localdate(timezone.now(), pemda.zoneinfo).year
    assert list(TicketCounter.objects.filter(pemda=pemda).values_list("year", "last_number")) == [(year, 3)]
    assert sorted(Complaint.objects.filter(pemda=pemda).values_list("ticket_number", flat=True)) == [
        f"{pemda.code}-{year}-{i:06d}" for i in (1, 2, 3)
    ]


def test_the_receipt_reaches_the_submitted_page_once(pemda):
    browser = citizen(7)
    browser.post(f"{FILE_URL}?pemda={pemda.code}", form_data(7))
    complaint = Complaint.objects.get()
    page = browser.get(reverse("complaints:submitted")).content.decode()
    assert complaint.ticket_number in page
    assert complaint.tracking_secret in page
    again = browser.get(reverse("complaints:submitted")).content.decode()
    assert complaint.ticket_number in again
    assert complaint.tracking_secret not in again


def test_a_forged_receipt_shows_nothing(pemda):
    file_by_api(pemda, 8)
    complaint = Complaint.objects.get()
    receipt = {
        "complaint_id": complaint.pk,
        "ticket_number": complaint.ticket_number,
        "tracking_url": f"/lacak/{complaint.tracking_secret}/",
        "has_email": False,
        "late_filing": False,
    }
    browser = citizen(8)
    browser.cookies["aduan_filing_receipt"] = signing.dumps(receipt, salt="another salt")
    page = browser.get(reverse("complaints:submitted")).content.decode()
    assert complaint.tracking_secret not in page
    assert complaint.ticket_number not in page


def test_a_holiday_declared_after_a_filing_moves_the_next_filing_s_clock(pemda):
    file_by_api(pemda, 1)  # the calendar is now cached in this process
    first = Deadline.objects.get(complaint__title__endswith=" 1", stage=Stage.VERIFICATION)
    local = timezone.localtime(first.started_at, pemda.zoneinfo).date()
    # every working day up to the first clock's due day becomes a holiday
    days = [local + datetime.timedelta(days=i) for i in range(0, 10)]
    for day in days:
        HolidayOverride.objects.create(pemda=pemda, date=day, is_holiday=True, reason="Libur daerah")
    file_by_api(pemda, 2)
    second = Deadline.objects.get(complaint__title__endswith=" 2", stage=Stage.VERIFICATION)
    assert timezone.localtime(second.due_at, pemda.zoneinfo).date() > days[-1]
    assert second.due_at > first.due_at


def test_a_webhook_registered_after_a_filing_hears_the_next_one(pemda):
    file_by_api(pemda, 1)  # no endpoint yet, and that is now cached in this process
    endpoint = webhook_endpoint_register(pemda=pemda, url="https://contoh.example/hook")
    file_by_api(pemda, 2)
    second = Complaint.objects.get(title__endswith=" 2")
    assert Notification.objects.filter(complaint=second, address=endpoint.url).count() == 1


def test_the_form_page_reads_its_lists_once_and_sees_a_new_category_at_once(pemda, django_assert_num_queries):
    OpdFactory(pemda=pemda, name="Dinas Pekerjaan Umum")
    url = f"{FILE_URL}?pemda={pemda.code}"
    with django_assert_num_queries(4):  # the Pemda; its categories, kelurahan and OPDs
        Client().get(url)
    with django_assert_num_queries(0):  # the Pemda and the lists are kept in this process
        page = Client().get(url).content.decode()
    assert "Dinas Pekerjaan Umum" in page
    CategoryFactory(pemda=pemda, name="Trotoar rusak")  # a save clears the kept lists
    assert "Trotoar rusak" in Client().get(url).content.decode()


def test_the_form_page_sees_a_renamed_pemda_at_once_and_a_new_one_after_a_404(pemda):
    url = f"{FILE_URL}?pemda={pemda.code}"
    Client().get(url)  # the Pemda is now kept in this process
    pemda.name = "Pemerintah Kota Baru"
    pemda.save()  # a save clears the kept Pemda
    assert "Sampaikan aduan kepada Pemerintah Kota Baru" in Client().get(url).content.decode()
    assert Client().get(f"{FILE_URL}?pemda=ZZ9").status_code == 404
    PemdaFactory(code="ZZ9", name="Pemerintah Kota Zet")  # a code without a Pemda is not kept
    assert "Pemerintah Kota Zet" in Client().get(f"{FILE_URL}?pemda=ZZ9").content.decode()


def test_the_empty_form_kept_for_a_day_is_not_shown_the_next_day(pemda):
    url = f"{FILE_URL}?pemda={pemda.code}"
    now = timezone.now()
    today = timezone.localdate(now, pemda.zoneinfo)
    assert f'max="{today.isoformat()}"' in Client().get(url).content.decode()
    with mock.patch("django.utils.timezone.now", return_value=now + datetime.timedelta(days=1)):
        page = Client().get(url).content.decode()
    tomorrow = today + datetime.timedelta(days=1)
    assert f'max="{tomorrow.isoformat()}"' in page  # the incident date's bound moves with the day
    late_before = tomorrow - datetime.timedelta(days=30)
    assert f'data-late-before="{late_before.isoformat()}"' in page


def test_a_form_sent_back_keeps_what_was_typed_after_an_empty_one_was_kept(pemda):
    url = f"{FILE_URL}?pemda={pemda.code}"
    Client().get(url)  # the empty form's fields are now kept
    response = citizen(3).post(url, {**form_data(3), "title": "Lampu", "name": "Siti Aminah"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Siti Aminah"' in page
    assert 'class="errorlist"' in page
    assert 'value="Siti Aminah"' not in Client().get(url).content.decode()


def test_the_receipt_cookie_is_http_only_short_lived_and_for_the_submitted_page_alone(pemda, settings):
    settings.SESSION_COOKIE_SECURE = True  # as in production
    response = file_by_form(pemda, 9)
    cookie = response.cookies["aduan_filing_receipt"]
    assert cookie["httponly"]
    assert cookie["secure"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == reverse("complaints:submitted")
    assert cookie["max-age"] == 600
    assert "sessionid" not in response.cookies  # filing writes no session row
