"""factory-boy factories. Complaints are made through ``complaint_submit`` so they carry a ticket
number, an identity row and their first event exactly as in production; ``complaint_in_status``
drives one to any status through the workflow itself."""

from datetime import datetime
from zoneinfo import ZoneInfo

import factory
from knox.models import AuthToken

from aduan.agencies.models import Opd, Pemda, Province, StaffMembership
from aduan.complaints.models import Category, Complaint, Status
from aduan.complaints.selectors import Actor
from aduan.complaints.services import ReporterData, complaint_submit
from aduan.complaints.workflow import Action, complaint_transition
from aduan.users.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.id")
    full_name = factory.Faker("name", locale="id_ID")
    password = factory.PostGenerationMethodCall("set_password", "rahasia-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Provinsi {n}")
    code = factory.Sequence(lambda n: f"P{n}")


class PemdaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pemda

    name = factory.Sequence(lambda n: f"Pemerintah Kota Uji {n}")
    code = factory.Sequence(lambda n: f"K{n:03d}")
    kind = Pemda.Kind.KOTA
    province = factory.SubFactory(ProvinceFactory)
    timezone = "Asia/Makassar"


class OpdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opd

    pemda = factory.SubFactory(PemdaFactory)
    name = factory.Sequence(lambda n: f"Dinas Uji {n}")
    short_name = factory.Sequence(lambda n: f"DU{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    role = "koordinator"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Kategori {n}")


class ComplaintFactory(factory.Factory):
    """Builds a complaint through the real service (``complaint_submit``)."""

    class Meta:
        model = Complaint

    pemda = factory.SubFactory(PemdaFactory)
    title = factory.Sequence(lambda n: f"Jalan berlubang nomor {n}")
    chronology = "Jalan di depan rumah saya berlubang sejak dua minggu dan membahayakan pengendara."
    reporter = factory.LazyFunction(
        lambda: ReporterData(name="Budi Santoso", email="budi@example.id", phone="081234567890")
    )
    is_anonymous = False
    is_confidential = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return complaint_submit(**kwargs)

    _build = _create


def complaint_in_status(status: str, *, pemda=None, opd=None, koordinator=None, **kwargs) -> Complaint:
    """A complaint brought to ``status`` by legitimate moves only (shortest path in the table)."""
    complaint = ComplaintFactory(pemda=pemda or PemdaFactory(), **kwargs)
    pemda = complaint.pemda
    opd = opd or OpdFactory(pemda=pemda)
    koordinator = koordinator or MembershipFactory(role="koordinator", pemda=pemda).user
    citizen = Actor.citizen(complaint.tracking_secret)
    staff = Actor.staff(koordinator)
    petugas = None

    def move(action, actor, **extra):
        complaint_transition(complaint_id=complaint.pk, action=action, actor=actor, **extra)

    def petugas_actor():
        nonlocal petugas
        if petugas is None:
            petugas = Actor.staff(MembershipFactory(role="petugas_opd", opd=opd).user)
        return petugas

    paths = {
        Status.SUBMITTED: [],
        Status.ON_HOLD: [(Action.HOLD, staff, {"note": "Mohon lengkapi lokasi."})],
        Status.ARCHIVED: [(Action.ARCHIVE, staff, {"reason": "unintelligible"})],
        Status.FORWARDED_OUT: [(Action.FORWARD_OUT, staff, {"institution": "BPJS Kesehatan"})],
        Status.DISPATCHED: [(Action.DISPATCH, staff, {"opd": opd})],
        Status.FOLLOWED_UP: [
            (Action.DISPATCH, staff, {"opd": opd}),
            (Action.FOLLOW_UP, None, {"note": "Sudah kami perbaiki."}),
        ],
        Status.RESOLVED: [
            (Action.DISPATCH, staff, {"opd": opd}),
            (Action.FOLLOW_UP, None, {"note": "Sudah kami perbaiki."}),
            (Action.ACCEPT, citizen, {}),
        ],
    }
    for action, actor, extra in paths[status]:
        move(action, actor or petugas_actor(), **extra)
    complaint.refresh_from_db()
    assert complaint.status == status
    return complaint


WITA = ZoneInfo("Asia/Makassar")


def wita(*args) -> datetime:
    """An aware datetime in Asia/Makassar (WITA, UTC+8, no DST)."""
    return datetime(*args, tzinfo=WITA)


def api_token(user) -> str:
    """A new API token of ``user``: its key, for ``Authorization: Token <key>`` (the ten-token limit
    of POST /api/v1/auth/token/ does not apply here)."""
    return AuthToken.objects.create(user=user)[1]
