"""``manage.py load_demo``: what the Balikpapan demo contains, and that a second run changes nothing."""

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

from aduan.agencies.models import Kecamatan, Kelurahan, Opd, Pemda, Role, StaffMembership
from aduan.complaints.models import (
    STAFF_INTAKE_CHANNELS,
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    IntakeRecord,
    ReporterIdentity,
    Status,
)
from aduan.complaints.workflow import Action
from aduan.devdata.demo import COMPLAINTS, DEMO_LOGINS, demo_opd_logins

KECAMATAN = ["Barat", "Kota", "Selatan", "Tengah", "Timur", "Utara"]


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)
    return Pemda.objects.get(code="BPN")


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_pemda_province_and_opds(demo):
    assert demo.name == "Pemerintah Kota Balikpapan"
    assert demo.kind == Pemda.Kind.KOTA
    assert demo.timezone == "Asia/Makassar"
    assert demo.province.code == "KT"
    assert demo.province.name == "Kalimantan Timur"
    names = set(Opd.objects.filter(pemda=demo).values_list("name", flat=True))
    assert len(names) >= 18
    assert {f"Kecamatan Balikpapan {k}" for k in KECAMATAN} <= names
    assert {"Dinas Pekerjaan Umum", "RSUD Beriman Balikpapan", "Satuan Polisi Pamong Praja"} <= names
    assert not Opd.objects.filter(pemda=demo, short_name="").exists()


def test_categories_form_a_tree_with_default_opds(demo):
    jalan = Category.objects.get(pemda=demo, name="Jalan rusak")
    assert jalan.parent.name == "Infrastruktur"
    assert jalan.default_opd.short_name == "DPU"
    assert Category.objects.get(pemda=demo, name="KTP-el").default_opd.short_name == "Disdukcapil"
    assert Category.objects.get(pemda=demo, name="Air bersih").default_opd.short_name == "PTMB"
    assert Category.objects.filter(pemda=demo).count() >= 15


def test_every_demo_login_authenticates(demo):
    for email, password, _role in DEMO_LOGINS + demo_opd_logins():
        user = authenticate(username=email, password=password)
        assert user is not None, email
        assert user.is_active


def test_every_role_has_a_demo_account(demo):
    admin = authenticate(username="admin@aduan.test", password="aduan-admin")
    assert admin.is_superuser
    assert admin.is_staff
    roles = set(
        StaffMembership.objects.filter(user__email__in=[e for e, _p, _r in DEMO_LOGINS]).values_list(
            "role", flat=True
        )
    )
    assert roles == set(Role.values)
    # Every OPD has someone who can post a follow-up.
    for opd in Opd.objects.filter(pemda=demo):
        assert StaffMembership.objects.filter(opd=opd, role=Role.PETUGAS_OPD).exists(), opd


def test_complaints_cover_every_status(demo):
    complaints = Complaint.objects.filter(pemda=demo)
    assert complaints.count() == len(COMPLAINTS)
    for status in Status:
        assert complaints.filter(status=status).count() >= 2, status
    assert complaints.filter(is_anonymous=True).exists()
    assert complaints.filter(is_confidential=True).exists()
    located = complaints.exclude(latitude=None)
    assert located.exists()
    for c in located:
        assert -1.30 < c.latitude < -1.10, c
        assert 116.75 < c.longitude < 117.05, c


def test_the_areas_of_balikpapan_are_loaded_and_every_pinned_complaint_has_its_kelurahan(demo):
    kecamatan = Kecamatan.objects.filter(pemda=demo)
    assert sorted(kecamatan.values_list("name", flat=True)) == [
        "Balikpapan Barat",
        "Balikpapan Kota",
        "Balikpapan Selatan",
        "Balikpapan Tengah",
        "Balikpapan Timur",
        "Balikpapan Utara",
    ]
    assert Kelurahan.objects.filter(kecamatan__pemda=demo).count() == 34
    assert set(
        Kelurahan.objects.filter(kecamatan__name="Balikpapan Kota").values_list("name", flat=True)
    ) == {"Klandasan Ilir", "Klandasan Ulu", "Prapatan", "Telaga Sari", "Damai"}
    located = Complaint.objects.filter(pemda=demo).exclude(latitude=None).select_related("kelurahan")
    assert located.count() >= 20
    for complaint in located:
        assert complaint.kelurahan is not None, complaint.location_text
        assert complaint.kelurahan.kecamatan.pemda_id == demo.pk
    damai_baru = Complaint.objects.get(pemda=demo, location_text__contains="Kel. Damai Baru")
    assert (damai_baru.kelurahan.name, damai_baru.kelurahan.kecamatan.name) == (
        "Damai Baru",
        "Balikpapan Selatan",
    )


def test_complaints_come_from_every_channel_and_desk_entries_were_recorded_at_intake(demo):
    complaints = Complaint.objects.filter(pemda=demo)
    assert set(complaints.values_list("channel", flat=True)) == set(Channel.values)
    for complaint in complaints.filter(channel__in=STAFF_INTAKE_CHANNELS):
        intake = IntakeRecord.objects.get(complaint=complaint)
        assert intake.recorded_by.email == "loket@balikpapan.test"
        assert intake.recorded_at > complaint.submitted_at
        assert bool(intake.lapor_number) == (complaint.channel == Channel.LAPOR)


def test_complaints_were_made_through_the_workflow(demo):
    for complaint in Complaint.objects.filter(pemda=demo):
        events = list(complaint.events.order_by("created_at", "pk"))
        assert events, complaint
        assert events[0].action == Action.SUBMIT
        intake = IntakeRecord.objects.filter(complaint=complaint).first()
        # Received off-line: the clocks start when received, the first event when typed in.
        assert events[0].created_at == (intake.recorded_at if intake else complaint.submitted_at)
        assert events[-1].to_status == complaint.status
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_status == before.to_status
        assert ReporterIdentity.objects.filter(complaint=complaint).exists()
    times = Complaint.objects.filter(pemda=demo).order_by("submitted_at")
    span = times.last().submitted_at - times.first().submitted_at
    assert 60 <= span.days <= 125
    assert ComplaintEvent.objects.filter(action=Action.AUTO_RESOLVE).exists()
    assert ComplaintEvent.objects.filter(action=Action.REDISPATCH).exists()
    assert ComplaintEvent.objects.filter(action=Action.REOPEN).exists()
    for action in (Action.ACKNOWLEDGE, Action.SCHEDULE, Action.START_WORK, Action.CANNOT_HANDLE):
        assert ComplaintEvent.objects.filter(action=action).exists(), action


def test_second_run_creates_nothing(demo):
    before = row_counts()
    call_command("load_demo", verbosity=0)
    assert row_counts() == before


def test_prints_summary_unless_quiet(db, capsys):
    call_command("load_demo", "--quiet")
    assert capsys.readouterr().out == ""
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "koordinator@balikpapan.test" in out
    assert str(Status.DISPATCHED.label) in out


def test_load_demo_refuses_production_settings_without_force(db, settings):
    from django.core.management import CommandError

    from aduan.agencies.models import Pemda

    settings.SETTINGS_MODULE = "config.settings.production"

    with pytest.raises(CommandError, match="production settings"):
        call_command("load_demo", verbosity=0)

    assert not Pemda.objects.exists()


def test_the_demo_fills_the_rollups_equal_to_a_full_scan(demo):
    """The demo goes through the services, so its moves, breaches and ratings wrote the rollups."""
    from django.utils import timezone

    from aduan.compliance.metrics import Period
    from aduan.compliance.rollup_check import rollups_check
    from aduan.sla.models import MetricRollup

    now = timezone.now()
    today = timezone.localdate(now, demo.zoneinfo)
    assert MetricRollup.objects.filter(pemda_id=demo.pk, metric="resolved").exists()
    periods = [Period.year(today.year), Period.year(today.year - 1), Period.month(today.year, today.month)]
    assert rollups_check(pemdas=[demo], periods=periods, now=now) == []


def test_citizens_who_accepted_an_answer_rated_it_and_answered_the_survey(demo):
    """The dashboard's rating and SKM, and the public-trust part of the score, have something to
    show on the demo: ratings and SKM answers of accepted answers, written through the services."""
    from django.utils import timezone

    from aduan.complaints.models import ComplaintRating, SkmResponse
    from aduan.compliance.metrics import Period, metrics_for

    ratings = ComplaintRating.objects.filter(complaint__pemda=demo)
    assert ratings.count() >= 5
    assert SkmResponse.objects.filter(complaint__pemda=demo).count() == ratings.count()
    # only answers the reporter accepted were rated (some were re-opened afterwards)
    assert not ratings.exclude(complaint__events__action="accept").exists()
    assert {r.score for r in ratings} >= {4, 5}
    now = timezone.now()
    figures = metrics_for(pemdas=[demo], period=Period.this_year(now, demo.zoneinfo), now=now).by_pemda[
        demo.pk
    ]
    assert figures.mean_rating is not None
    assert figures.skm is not None
