"""Where a complaint is: the koordinator's correction (recorded, refused for everyone else), the
coordinate checks, the area filters, the map's scope and lateness colours."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from aduan.agencies.areas import areas_load, kelurahan_of
from aduan.complaints.filters import StaffComplaintFilter
from aduan.complaints.geo import coordinate_parse, osm_url
from aduan.complaints.location import LocationStep, complaint_relocate
from aduan.complaints.mapping import DUE_SOON, ON_TIME, OVERDUE, map_points
from aduan.complaints.models import Complaint, Status
from aduan.complaints.selectors import Actor, complaints_on_map
from aduan.core.exceptions import InvalidInput, PermissionDenied
from aduan.core.maps import grid_pins, tile_origins
from aduan.sla.services import calendar_cache_clear
from tests.factories import MembershipFactory, PemdaFactory, complaint_in_status


@pytest.fixture
def areas(pemda):
    areas_load(pemda, {"Balikpapan Kota": ["Klandasan Ilir", "Prapatan"], "Balikpapan Utara": ["Batu Ampar"]})
    return {k.name: k for k in kelurahan_of(pemda)}


@pytest.fixture
def held(default_policies, pemda, opd, koordinator, areas):
    return complaint_in_status(
        Status.DISPATCHED,
        pemda=pemda,
        opd=opd,
        koordinator=koordinator,
        latitude=Decimal("-1.255200"),
        longitude=Decimal("116.869100"),
        kelurahan=areas["Prapatan"],
    )


def place(complaint):
    complaint.refresh_from_db()
    return (complaint.latitude, complaint.longitude, complaint.kelurahan_id, complaint.events.count())


def test_areas_load_adds_only_what_is_missing(pemda, areas):
    assert areas_load(pemda, {"Balikpapan Kota": ["Prapatan", "Damai"], "Balikpapan Timur": ["Lamaru"]}) == (
        1,
        2,
    )
    assert areas_load(pemda, {"Balikpapan Kota": ["Prapatan"]}) == (0, 0)
    assert [k.name for k in kelurahan_of(pemda)] == [
        "Damai",
        "Klandasan Ilir",
        "Prapatan",
        "Lamaru",
        "Batu Ampar",
    ]


def test_the_koordinator_moves_the_pin_and_the_correction_is_on_the_timeline(held, koordinator, areas):
    complaint_relocate(
        complaint_id=held.pk,
        actor=Actor.staff(koordinator),
        latitude=Decimal("-1.274000"),
        longitude=Decimal("116.835000"),
        kelurahan=areas["Klandasan Ilir"],
    )

    held.refresh_from_db()
    assert (held.latitude, held.longitude) == (Decimal("-1.274000"), Decimal("116.835000"))
    assert held.kelurahan == areas["Klandasan Ilir"]
    assert held.status == Status.DISPATCHED
    event = held.events.order_by("seq").last()
    assert (event.action, event.actor, event.actor_role) == (
        LocationStep.RELOCATE,
        koordinator,
        "koordinator",
    )
    assert event.from_status == event.to_status == Status.DISPATCHED
    assert event.note == (
        "Lokasi: -1.255200, 116.869100 (Prapatan, Balikpapan Kota) → "
        "-1.274000, 116.835000 (Klandasan Ilir, Balikpapan Kota)"
    )


def test_the_same_place_again_records_nothing(held, koordinator, areas):
    before = place(held)
    complaint_relocate(
        complaint_id=held.pk,
        actor=Actor.staff(koordinator),
        latitude=Decimal("-1.2552"),
        longitude=Decimal("116.8691"),
        kelurahan=areas["Prapatan"],
    )
    assert place(held) == before


@pytest.mark.parametrize("who", ["petugas", "kepala", "ombudsman", "stranger"])
def test_anyone_but_the_koordinator_is_refused_and_nothing_changes(held, request, who):
    actor = Actor.staff(request.getfixturevalue(who))
    before = place(held)
    with pytest.raises(PermissionDenied):
        complaint_relocate(complaint_id=held.pk, actor=actor, latitude=Decimal("1"), longitude=Decimal("2"))
    assert place(held) == before


def test_the_koordinator_of_another_pemda_is_refused(held):
    other = MembershipFactory(role="koordinator", pemda=PemdaFactory()).user
    before = place(held)
    with pytest.raises(PermissionDenied):
        complaint_relocate(complaint_id=held.pk, actor=Actor.staff(other), latitude=None, longitude=None)
    assert place(held) == before


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        (Decimal("90.5"), Decimal("116"), "latitude"),
        (Decimal("-1"), Decimal("-180.5"), "longitude"),
        (Decimal("-1"), None, "longitude"),
        (None, Decimal("116"), "latitude"),
    ],
)
def test_bad_coordinates_are_refused_with_the_field_and_nothing_changes(
    held, koordinator, latitude, longitude, field
):
    before = place(held)
    with pytest.raises(InvalidInput) as error:
        complaint_relocate(
            complaint_id=held.pk, actor=Actor.staff(koordinator), latitude=latitude, longitude=longitude
        )
    assert error.value.params == {"field": field}
    assert place(held) == before


def test_a_kelurahan_of_another_pemda_is_refused(held, koordinator):
    other = PemdaFactory()
    areas_load(other, {"Samarinda Ulu": ["Air Hitam"]})
    before = place(held)
    with pytest.raises(InvalidInput) as error:
        complaint_relocate(
            complaint_id=held.pk,
            actor=Actor.staff(koordinator),
            latitude=Decimal("-1.2"),
            longitude=Decimal("116.8"),
            kelurahan=kelurahan_of(other).get(),
        )
    assert error.value.params == {"field": "kelurahan"}
    assert place(held) == before


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("-1.2552", Decimal("-1.255200")),
        ("-1,2552", Decimal("-1.255200")),
        (" ", None),
        ("116.12345678", None),
    ],
)
def test_coordinate_parse(raw, expected):
    if raw == "116.12345678":
        assert coordinate_parse(raw, "longitude") == Decimal("116.123457")
    else:
        assert coordinate_parse(raw, "latitude") == expected


@pytest.mark.parametrize("raw", ["NaN", "abc", "91", "-Infinity", "1e400"])
def test_coordinate_parse_refuses_with_a_message_naming_the_range(raw):
    with pytest.raises(InvalidInput) as error:
        coordinate_parse(raw, "latitude")
    assert "-90" in str(error.value)
    assert error.value.params == {"field": "latitude"}


def test_osm_link_and_tile_origins():
    assert osm_url(Decimal("-1.255200"), Decimal("116.869100")) == (
        "https://www.openstreetmap.org/?mlat=-1.255200&mlon=116.869100#map=17/-1.255200/116.869100"
    )
    assert tile_origins("") == []
    assert tile_origins("http://127.0.0.1:8123/{z}/{x}/{y}.png") == ["http://127.0.0.1:8123"]
    assert tile_origins("javascript:alert(1)//{z}") == []


def test_grid_pins_cluster_by_cell_and_keep_the_worst_level():
    ranks = {ON_TIME: 1, DUE_SOON: 2, OVERDUE: 3}
    points = [(-1.20, 116.80, ON_TIME), (-1.2001, 116.8001, OVERDUE), (-1.30, 116.90, DUE_SOON)]
    pins = grid_pins(points, ranks=ranks)
    assert [(p.count, p.level) for p in pins] == [(2, OVERDUE), (1, DUE_SOON)]
    assert all(8 <= p.x <= 92 and 8 <= p.y <= 92 for p in pins)
    assert grid_pins([]) == []
    (single,) = grid_pins([(-1.2, 116.8, ON_TIME)])
    assert (single.x, single.y) == (50.0, 50.0)


# --- area filters -------------------------------------------------------------------------------


def test_the_staff_filter_narrows_by_kecamatan_and_kelurahan(rf, held, koordinator, pemda, areas):
    utara = complaint_in_status(
        Status.SUBMITTED, pemda=pemda, koordinator=koordinator, kelurahan=areas["Batu Ampar"]
    )
    unplaced = complaint_in_status(Status.SUBMITTED, pemda=pemda, koordinator=koordinator)
    request = rf.get("/")
    request.user = koordinator
    base = Complaint.objects.filter(pemda=pemda)

    def ids(**data):
        f = StaffComplaintFilter({k: str(v) for k, v in data.items()}, queryset=base, request=request)
        assert f.is_valid(), f.errors
        return set(f.qs.values_list("pk", flat=True))

    kota = areas["Prapatan"].kecamatan_id
    assert ids(kecamatan=kota) == {held.pk}
    assert ids(kecamatan=areas["Batu Ampar"].kecamatan_id) == {utara.pk}
    assert ids(kelurahan=areas["Prapatan"].pk) == {held.pk}
    assert ids(kelurahan=areas["Klandasan Ilir"].pk) == set()
    assert ids() == {held.pk, utara.pk, unplaced.pk}


def test_an_area_of_another_pemda_is_not_a_choice(rf, held, koordinator):
    other = PemdaFactory()
    areas_load(other, {"Samarinda Ulu": ["Air Hitam"]})
    request = rf.get("/")
    request.user = koordinator
    f = StaffComplaintFilter(
        {"kelurahan": str(kelurahan_of(other).get().pk)}, queryset=Complaint.objects.all(), request=request
    )
    assert not f.is_valid()
    assert "kelurahan" in f.errors


# --- the map's scope and colours ----------------------------------------------------------------


def test_the_map_scope_by_role(held, pemda, koordinator, petugas, kepala, ombudsman, other_opd, areas):
    new = complaint_in_status(
        Status.SUBMITTED,
        pemda=pemda,
        koordinator=koordinator,
        latitude=Decimal("-1.2"),
        longitude=Decimal("116.8"),
    )
    elsewhere = complaint_in_status(Status.DISPATCHED, pemda=pemda, opd=other_opd, koordinator=koordinator,
                                    latitude=Decimal("-1.21"), longitude=Decimal("116.81"))  # fmt: skip
    closed = complaint_in_status(Status.RESOLVED, pemda=pemda, opd=held.current_opd, koordinator=koordinator,
                                 latitude=Decimal("-1.22"), longitude=Decimal("116.82"))  # fmt: skip

    def scope(user):
        return set(complaints_on_map(user).values_list("pk", flat=True))

    assert scope(koordinator) == {held.pk, new.pk, elsewhere.pk}
    assert scope(petugas) == scope(kepala) == {held.pk}  # held now, open; never the closed one
    assert closed.pk not in scope(petugas)
    assert complaints_on_map(ombudsman) is None


def test_lateness_follows_the_running_clocks(held, petugas, django_assert_num_queries):
    queryset = complaints_on_map(petugas)
    due = (
        held.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True)
        .order_by("due_at")
        .first()
        .due_at
    )

    def level(now):
        calendar_cache_clear()  # as in a fresh process
        with django_assert_num_queries(3):  # roles, the points, the Pemda's calendar
            (point,) = map_points(complaints_on_map(petugas), now)
        return point

    assert level(due - timedelta(days=30)).lateness == ON_TIME
    assert level(due - timedelta(hours=1)).lateness == DUE_SOON
    late = level(due + timedelta(minutes=1))
    assert late.lateness == OVERDUE
    assert (late.kelurahan, late.kecamatan) == ("Prapatan", "Balikpapan Kota")
    assert (late.latitude, late.longitude) == (-1.2552, 116.8691)
    assert queryset.count() == 1
    assert timezone.is_aware(due)


# ---------------------------------------------------------------------------------- where maps open


def _data_center(html: str) -> str:
    import re

    return re.search(r'data-center="([^"]+)"', html).group(1)


def test_maps_open_on_the_pemdas_centre_or_else_the_default(pemda, settings):
    from aduan.core.maps import map_settings

    settings.ADUAN_MAP_CENTER = "-2.5,118.0,5"
    assert map_settings(pemda).center == (-2.5, 118.0, 5)  # no centre set: the whole country
    assert map_settings().center == (-2.5, 118.0, 5)
    pemda.map_latitude, pemda.map_longitude, pemda.map_zoom = Decimal("-1.2654"), Decimal("116.8312"), 13
    pemda.save()
    assert map_settings(pemda).center == (-1.2654, 116.8312, 13)


def test_the_filing_form_opens_its_map_on_the_pemda(client, pemda, default_policies):
    before = _data_center(client.get(f"/aduan/?pemda={pemda.code}").content.decode())
    assert before == "-2.5,118.0,5"
    # Changed elsewhere (another process, the onboarding command): this process's kept page is
    # still there, but the Pemda it reads again has the new centre, which is part of the page's key.
    type(pemda).objects.filter(pk=pemda.pk).update(
        map_latitude=Decimal("-1.2654"), map_longitude=Decimal("116.8312")
    )
    from aduan.portal import forms as portal_forms

    portal_forms._pemda_cache.clear()
    assert _data_center(client.get(f"/aduan/?pemda={pemda.code}").content.decode()) == "-1.2654,116.8312,12"


def test_a_complaint_without_a_pin_shows_the_pemdas_centre_to_the_koordinator(
    client, held, koordinator, pemda
):
    Complaint.objects.filter(pk=held.pk).update(latitude=None, longitude=None)
    Pemda = type(pemda)
    Pemda.objects.filter(pk=pemda.pk).update(
        map_latitude=Decimal("-1.2654"), map_longitude=Decimal("116.8312")
    )
    client.force_login(koordinator)
    html = client.get(f"/staf/aduan/{held.pk}/").content.decode()
    assert _data_center(html) == "-1.2654,116.8312,12"


def test_half_a_centre_is_refused_with_the_field_named_and_nothing_saved(pemda):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    pemda.map_latitude = Decimal("-1.2654")
    with pytest.raises(ValidationError) as refused:
        pemda.full_clean()
    assert "map_longitude" in refused.value.message_dict
    pemda.map_zoom = 40
    with pytest.raises(ValidationError) as refused:
        pemda.full_clean()
    assert "map_zoom" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        pemda.save()  # the database refuses it too
    pemda.refresh_from_db()
    assert pemda.map_latitude is None
