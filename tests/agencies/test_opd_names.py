"""An agency's English name (Opd.name_en) is what English readers see on the citizens' pages; the
official name stays everywhere else and whenever no English name is filled in."""

import pytest
from django.utils import translation

from tests.factories import OpdFactory

pytestmark = pytest.mark.django_db


def test_display_name_follows_the_language_and_falls_back_to_the_official_name():
    named = OpdFactory(name="Dinas Pekerjaan Umum", short_name="DPU", name_en="Public Works Agency")
    plain = OpdFactory(name="Dinas Sosial", short_name="Dinsos")
    with translation.override("id"):
        assert (named.display_name, plain.display_name) == ("Dinas Pekerjaan Umum", "Dinas Sosial")
    with translation.override("en"):
        assert (named.display_name, plain.display_name) == ("Public Works Agency", "Dinas Sosial")
        assert str(named) == "DPU"  # staff lists, exports and the admin keep the official short name


def test_the_demo_fills_every_agency_in_english():
    from aduan.devdata.demo import OPD_NAMES_EN, OPDS

    assert {short for _name, short, _slug in OPDS} == set(OPD_NAMES_EN)
