"""A Pemda's areas: ``manage.py load_areas CODE file.json`` adds what is missing and refuses bad input."""

import json

import pytest
from django.core.management import CommandError, call_command

from aduan.agencies.models import Kecamatan, Kelurahan
from aduan.devdata.areas import BALIKPAPAN_AREAS


def test_load_areas_adds_the_list_once(pemda, tmp_path, capsys):
    path = tmp_path / "areas.json"
    path.write_text(json.dumps(BALIKPAPAN_AREAS), encoding="utf-8")

    call_command("load_areas", pemda.code.lower(), str(path))
    call_command("load_areas", pemda.code, str(path))

    assert Kecamatan.objects.filter(pemda=pemda).count() == 6
    assert Kelurahan.objects.filter(kecamatan__pemda=pemda).count() == 34
    assert capsys.readouterr().out.splitlines() == [
        f"{pemda.name}: 6 kecamatan, 34 kelurahan added.",
        f"{pemda.name}: 0 kecamatan, 0 kelurahan added.",
    ]


@pytest.mark.parametrize(
    "content",
    ["not json", '["Balikpapan Kota"]', '{"Balikpapan Kota": "Prapatan"}', '{"Balikpapan Kota": [" "]}'],
)
def test_load_areas_refuses_a_bad_file_and_adds_nothing(pemda, tmp_path, content):
    path = tmp_path / "areas.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_areas", pemda.code, str(path))
    assert not Kelurahan.objects.exists()
    assert not Kecamatan.objects.exists()


def test_load_areas_needs_a_known_pemda(db, tmp_path):
    path = tmp_path / "areas.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(CommandError, match="No Pemda"):
        call_command("load_areas", "NOPE", str(path))
