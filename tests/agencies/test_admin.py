"""The admin never offers to delete a Pemda (its complaints and compliance inputs are kept)."""

import pytest

from aduan.agencies.models import Pemda


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(email="admin@example.id", password="rahasia-123")
    client.force_login(user)
    return client


def test_a_pemda_cannot_be_deleted_from_the_admin(admin_client, pemda):
    page = admin_client.get(f"/admin/agencies/pemda/{pemda.pk}/change/")
    assert page.status_code == 200
    assert f"/admin/agencies/pemda/{pemda.pk}/delete/" not in page.content.decode()

    refused = admin_client.post(f"/admin/agencies/pemda/{pemda.pk}/delete/", {"post": "yes"})
    assert refused.status_code == 403
    assert Pemda.objects.filter(pk=pemda.pk).exists()
