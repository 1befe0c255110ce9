"""English wording: one Pemda is a "Local government", one event is "Complaint received" (the
statistic stays plural); a category reads in the active language."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from aduan.complaints.citizen_view import EVENT_LABELS
from aduan.complaints.models import Category
from aduan.complaints.workflow import Action


def test_singular_and_plural_wording_in_english():
    with translation.override("en"):
        assert str(EVENT_LABELS[Action.SUBMIT]) == "Complaint received"
        assert gettext("Aduan diterima") == "Complaints received"  # the home page's statistic
        assert gettext("Pemerintah daerah") == "Local government"
    with translation.override("id"):
        assert str(EVENT_LABELS[Action.SUBMIT]) == "Aduan diterima"


@pytest.mark.parametrize(
    ("language", "shown"), [("id", "Infrastruktur › Jalan rusak"), ("en", "Infrastructure › Damaged roads")]
)
def test_category_names_follow_the_language(db, language, shown):
    top = Category.objects.create(name="Infrastruktur", name_en="Infrastructure")
    road = Category.objects.create(name="Jalan rusak", name_en="Damaged roads", parent=top)
    plain = Category.objects.create(name="Layanan kecamatan")
    with translation.override(language):
        assert str(road) == shown
        assert str(plain) == "Layanan kecamatan"
