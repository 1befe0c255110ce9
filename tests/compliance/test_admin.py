"""A new year's method is added in the admin without code: copy, then edit; bad weights refused."""

import json
from copy import deepcopy

import pytest
from django.urls import reverse

from aduan.compliance.methodologies import METHOD_2025
from aduan.compliance.models import Methodology
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, db):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_copy_the_latest_method_as_next_year(admin_client, methodologies):
    source = methodologies["2027"]
    admin_client.post(
        reverse("admin:compliance_methodology_changelist"),
        {"action": "copy_as_new", "_selected_action": [source.pk]},
    )
    copy = Methodology.objects.get(year_from=2028)
    assert copy.definition == source.definition
    assert copy.year_to is None


def test_admin_refuses_weights_that_do_not_sum_to_100(admin_client, methodologies):
    bad = deepcopy(METHOD_2025)
    bad["dimensions"][-1]["weight"] = "31"
    response = admin_client.post(
        reverse("admin:compliance_methodology_add"),
        {
            "code": "2030",
            "name": "Metode 2030",
            "year_from": 2030,
            "basis": "",
            "definition": json.dumps(bad),
        },
    )
    assert response.status_code == 200
    assert "Jumlah bobot dimensi harus tepat 100, bukan 101." in response.content.decode()
    assert not Methodology.objects.filter(year_from=2030).exists()

    good = admin_client.post(
        reverse("admin:compliance_methodology_add"),
        {
            "code": "2030",
            "name": "Metode 2030",
            "year_from": 2030,
            "basis": "",
            "definition": json.dumps(METHOD_2025),
        },
    )
    assert good.status_code == 302
    assert Methodology.objects.filter(year_from=2030).exists()
