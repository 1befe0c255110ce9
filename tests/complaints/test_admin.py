"""Django admin for complaints: read-only, scoped, and never showing who the reporter is."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from aduan.complaints.models import Complaint, ReporterIdentity, Status
from aduan.complaints.services import ReporterData
from tests.factories import (
    CategoryFactory,
    ComplaintFactory,
    MembershipFactory,
    PemdaFactory,
    UserFactory,
    complaint_in_status,
)

REPORTER = ReporterData(name="Siti Pelapor Rahasia", email="siti.rahasia@example.id", phone="081299887766")
SECRETS = [REPORTER.name, REPORTER.email, REPORTER.phone]


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def dispatched(pemda, opd, koordinator):
    return complaint_in_status(
        Status.DISPATCHED, pemda=pemda, opd=opd, koordinator=koordinator, reporter=REPORTER
    )


def change_url(complaint):
    return reverse("admin:complaints_complaint_change", args=[complaint.pk])


def test_reporter_identity_is_not_registered():
    assert not admin.site.is_registered(ReporterIdentity)
    assert admin.site.is_registered(Complaint)


def test_superuser_sees_list_and_page_without_identity(admin_client, dispatched):
    response = admin_client.get(reverse("admin:complaints_complaint_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert dispatched.ticket_number in body
    response = admin_client.get(change_url(dispatched))
    assert response.status_code == 200
    body += response.content.decode()
    assert dispatched.title in body
    assert dispatched.tracking_secret not in body
    for secret in SECRETS:
        assert secret not in body


def test_citizen_account_is_not_shown_as_actor(admin_client, pemda):
    account = UserFactory(full_name="Akun Warga Anonim", email="warga.anonim@example.id")
    complaint = ComplaintFactory(
        pemda=pemda, is_anonymous=True, reporter=ReporterData(), reporter_user=account
    )
    body = admin_client.get(change_url(complaint)).content.decode()
    assert complaint.ticket_number in body
    assert account.full_name not in body
    assert account.email not in body


def test_post_does_not_change_status(admin_client, dispatched, other_opd):
    response = admin_client.post(
        change_url(dispatched), {"status": Status.RESOLVED, "title": "Diubah", "current_opd": other_opd.pk}
    )
    assert response.status_code == 403
    dispatched.refresh_from_db()
    assert dispatched.status == Status.DISPATCHED
    assert dispatched.title != "Diubah"
    assert dispatched.current_opd_id != other_opd.pk


def test_add_and_delete_are_forbidden(admin_client, dispatched):
    assert admin_client.get(reverse("admin:complaints_complaint_add")).status_code == 403
    delete_url = reverse("admin:complaints_complaint_delete", args=[dispatched.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Complaint.objects.filter(pk=dispatched.pk).exists()


def test_staff_of_another_pemda_sees_none_of_these_complaints(client, dispatched):
    other = PemdaFactory()
    own = ComplaintFactory(pemda=other)
    user = MembershipFactory(role="koordinator", pemda=other, user=UserFactory(is_staff=True)).user
    user.user_permissions.add(Permission.objects.get(codename="view_complaint"))
    client.force_login(user)
    response = client.get(reverse("admin:complaints_complaint_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert own.ticket_number in body
    assert dispatched.ticket_number not in body
    assert dispatched.title not in body
    # Nor can they open it by its id.
    assert client.get(change_url(dispatched)).status_code in (302, 404)


def test_category_admin_lists_and_autocompletes(admin_client, pemda, opd):
    parent = CategoryFactory(pemda=pemda, name="Infrastruktur", default_opd=opd)
    CategoryFactory(pemda=pemda, parent=parent, name="Jalan rusak", default_opd=opd)
    response = admin_client.get(
        reverse("admin:complaints_category_changelist"), {"pemda__id__exact": pemda.pk}
    )
    assert response.status_code == 200
    assert "Jalan rusak" in response.content.decode()
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "complaints", "model_name": "category", "field_name": "default_opd", "term": opd.name},
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == str(opd.pk)
    assert admin_client.get(reverse("admin:complaints_category_add")).status_code == 200


def test_demo_complaint_pages_show_no_reporter_identity(admin_client):
    call_command("load_demo", verbosity=0)
    identities = list(ReporterIdentity.objects.all())
    assert identities
    pages = admin_client.get(reverse("admin:complaints_complaint_changelist"), {"all": ""}).content.decode()
    for complaint in Complaint.objects.all():
        response = admin_client.get(change_url(complaint))
        assert response.status_code == 200
        pages += response.content.decode()
    for identity in identities:
        for value in (identity.name, identity.email, identity.phone):
            if value:
                assert value not in pages
