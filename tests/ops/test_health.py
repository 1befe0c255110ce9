"""/healthz, /readyz and /metrics (aduan/ops/): who may read them, what readiness checks, and the
domain gauges (right values, a fixed number of queries, no personal data)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone

from aduan.complaints.models import Attachment, Status
from aduan.core.tasks import HEARTBEAT_KEY
from aduan.notifications.models import Notification

from ..factories import ComplaintFactory, UserFactory, complaint_in_status

OUTSIDE = "203.0.113.9"
JSON = {"HTTP_ACCEPT": "application/json"}


def beat_alive(seconds_ago=10):
    cache.set(HEARTBEAT_KEY, (timezone.now() - timedelta(seconds=seconds_ago)).isoformat(), None)


def notification(state, minutes_ago, n):
    created = timezone.now() - timedelta(minutes=minutes_ago)
    for i in range(n):
        Notification.objects.create(
            key=f"ops-{state}-{minutes_ago}-{i}", kind="test", channel="email", audience="staff",
            address="petugas@example.id", state=state, created_at=created,
        )  # fmt: skip


def quarantined(complaint, status="pending", minutes_ago=60):
    attachment = Attachment.objects.create(
        complaint=complaint, file=ContentFile(b"foto", name="a.jpg"), original_name="foto.jpg",
        content_type="image/jpeg", size=4, scan_status=status,
    )  # fmt: skip
    Attachment.objects.filter(pk=attachment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return attachment


def failed_checks(response):
    return {name: message for name, message in response.json().items() if message != "OK"}


@pytest.mark.django_db
def test_liveness_answers_anyone_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz", REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readiness_passes_every_check_when_all_is_well(client):
    beat_alive()
    response = client.get("/readyz", **JSON)
    assert response.status_code == 200, response.content
    names = " ".join(response.json())
    for check in ("Database", "Cache", "Broker", "BeatHeartbeat", "OutboxBacklog", "Quarantine"):
        assert check in names
    assert failed_checks(response) == {}


@pytest.mark.django_db
def test_readiness_and_metrics_are_refused_outside_the_configured_addresses(client):
    beat_alive()
    for path in ("/readyz", "/metrics"):
        response = client.get(path, REMOTE_ADDR=OUTSIDE, **JSON)
        assert response.status_code == 403
        assert b"aduan_complaints_open" not in response.content
        assert b"Database" not in response.content
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 403


@pytest.mark.django_db
def test_a_signed_in_superuser_may_read_them_from_anywhere(client):
    beat_alive()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/readyz", REMOTE_ADDR=OUTSIDE, **JSON).status_code == 200
    assert b"aduan_complaints_open" in client.get("/metrics", REMOTE_ADDR=OUTSIDE).content


@pytest.mark.django_db
def test_configured_networks_are_allowed(client, settings):
    settings.ADUAN_OPS_ALLOWED_IPS = ["10.0.0.0/8", "2001:db8::/32"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::5").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="not-an-address").status_code == 403


@pytest.mark.django_db
def test_readiness_fails_without_a_recent_heartbeat(client):
    response = client.get("/readyz", **JSON)
    assert response.status_code == 500
    assert list(failed_checks(response)) == ["BeatHeartbeat()"]
    assert "no heartbeat" in failed_checks(response)["BeatHeartbeat()"]

    beat_alive(seconds_ago=301)
    response = client.get("/readyz", **JSON)
    assert response.status_code == 500
    assert "limit 300 s" in failed_checks(response)["BeatHeartbeat()"]


@pytest.mark.django_db
def test_readiness_fails_on_an_outbox_backlog_but_not_on_fresh_messages(client, settings):
    settings.ADUAN_READINESS = {**settings.ADUAN_READINESS, "outbox_pending_max": 2, "outbox_failed_max": 1}
    beat_alive()
    notification("pending", minutes_ago=1, n=5)  # just written: the worker is on them
    notification("pending", minutes_ago=30, n=2)
    notification("failed", minutes_ago=30, n=1)
    assert client.get("/readyz", **JSON).status_code == 200

    notification("pending", minutes_ago=20, n=1)
    response = client.get("/readyz", **JSON)
    assert response.status_code == 500
    assert failed_checks(response) == {
        "OutboxBacklog()": "Unavailable: 3 notifications waiting over 15 min (limit 2)"
    }


@pytest.mark.django_db
def test_readiness_fails_when_files_stay_in_quarantine(client, settings):
    settings.ADUAN_READINESS = {**settings.ADUAN_READINESS, "quarantine_max": 1}
    beat_alive()
    complaint = ComplaintFactory()
    quarantined(complaint, minutes_ago=60)
    quarantined(complaint, minutes_ago=1)  # being scanned right now
    assert client.get("/readyz", **JSON).status_code == 200

    quarantined(complaint, status="error", minutes_ago=60)
    response = client.get("/readyz", **JSON)
    assert failed_checks(response) == {
        "Quarantine()": "Unavailable: 2 files in quarantine over 15 min (limit 1)"
    }


@pytest.mark.django_db
def test_readiness_fails_when_the_broker_is_unreachable(client, settings):
    beat_alive()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz", **JSON)
    assert response.status_code == 500
    assert list(failed_checks(response)) == ["Broker()"]
    assert "broker unreachable" in failed_checks(response)["Broker()"]


@pytest.mark.django_db
def test_metrics_show_the_domain_gauges_in_a_fixed_number_of_queries(client, django_assert_num_queries):
    beat_alive(seconds_ago=42)
    secret_name = "Siti Rahmawati Anonim"
    ComplaintFactory(is_anonymous=True, reporter__name=secret_name)
    ComplaintFactory()
    complaint_in_status(Status.DISPATCHED)
    complaint_in_status(Status.ARCHIVED)
    quarantined(ComplaintFactory(), status="error")
    Notification.objects.all().delete()
    notification("pending", minutes_ago=1, n=3)
    notification("failed", minutes_ago=90, n=2)

    with django_assert_num_queries(4):  # complaints, clocks, outbox, quarantine
        response = client.get("/metrics")

    assert response.status_code == 200
    text = response.content.decode()
    assert 'aduan_complaints_open{status="submitted"} 3.0' in text
    assert 'aduan_complaints_open{status="dispatched"} 1.0' in text
    assert "archived" not in text
    assert 'aduan_outbox_notifications{state="pending"} 3.0' in text
    assert 'aduan_outbox_notifications{state="failed"} 2.0' in text
    assert 'aduan_quarantine_attachments{scan_status="error"} 1.0' in text
    assert 'aduan_quarantine_attachments{scan_status="pending"} 0.0' in text
    assert "aduan_sweep_lag_seconds 0.0" in text
    heartbeat = next(
        line for line in text.splitlines() if line.startswith("aduan_beat_heartbeat_age_seconds")
    )
    assert 41 <= float(heartbeat.split()[1]) < 100
    assert "django_http_requests_total_by_method" in text  # django-prometheus's own metrics
    assert secret_name not in text
    assert "example.id" not in text


@pytest.mark.django_db
def test_sweep_lag_is_the_age_of_the_oldest_clock_left_waiting(client, default_policies):
    from aduan.sla.models import Deadline

    complaint = ComplaintFactory()
    clock = Deadline.objects.filter(complaint=complaint).open().first()
    Deadline.objects.filter(pk=clock.pk).update(next_check_at=timezone.now() - timedelta(minutes=10))
    text = client.get("/metrics").content.decode()
    lag = next(line for line in text.splitlines() if line.startswith("aduan_sweep_lag_seconds"))
    assert 599 <= float(lag.split()[1]) < 700


@pytest.mark.django_db
def test_metrics_show_the_last_rollup_check(client):
    from django.core.cache import cache

    from aduan.compliance.rollup_check import CHECK_CACHE_KEY, check_result_store

    cache.delete(CHECK_CACHE_KEY)
    assert "aduan_metrics_rollup_differences" not in client.get("/metrics").content.decode()
    check_result_store(checked=5, differences=3, at=timezone.now())
    assert "aduan_metrics_rollup_differences 3.0" in client.get("/metrics").content.decode()
    cache.delete(CHECK_CACHE_KEY)
