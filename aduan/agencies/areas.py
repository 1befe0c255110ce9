"""A Pemda's areas: its kecamatan and their kelurahan (models in ``models.py``).

- ``areas_load(pemda, {kecamatan: [kelurahan, ...]})`` adds what is missing (run it again and
  nothing changes; nothing is ever removed or renamed: complaints point at these rows).
- ``kelurahan_of(pemda)``: the Pemda's kelurahan with their kecamatan, in list order.
- ``kelurahan_grouped(areas)``: those as select choices grouped by kecamatan.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from .models import Kecamatan, Kelurahan, Pemda


@transaction.atomic
def areas_load(pemda: Pemda, areas: dict[str, list[str]]) -> tuple[int, int]:
    """Add the kecamatan and kelurahan of ``areas`` the Pemda does not have yet; returns how many
    kecamatan and kelurahan were added. Names are trimmed; empty names are refused."""
    added_kecamatan = added_kelurahan = 0
    for kecamatan_name, kelurahan_names in areas.items():
        kecamatan_name = " ".join(str(kecamatan_name).split())
        if not kecamatan_name:
            raise ValueError("empty kecamatan name")
        kecamatan, created = Kecamatan.objects.get_or_create(pemda=pemda, name=kecamatan_name)
        added_kecamatan += created
        for name in kelurahan_names:
            name = " ".join(str(name).split())
            if not name:
                raise ValueError(f"empty kelurahan name in {kecamatan_name}")
            added_kelurahan += Kelurahan.objects.get_or_create(kecamatan=kecamatan, name=name)[1]
    return added_kecamatan, added_kelurahan


def kelurahan_of(pemda: Pemda | int | None) -> QuerySet[Kelurahan]:
    """The Pemda's kelurahan (kecamatan joined), ordered by kecamatan then name."""
    if pemda is None:
        return Kelurahan.objects.none()
    pemda_id = pemda if isinstance(pemda, int) else pemda.pk
    return (
        Kelurahan.objects.filter(kecamatan__pemda_id=pemda_id)
        .select_related("kecamatan")
        .order_by("kecamatan__name", "name")
    )


def kelurahan_grouped(areas: Iterable[Kelurahan]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Select choices of ``areas`` (e.g. ``kelurahan_of(pemda)``): one group per kecamatan."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for kelurahan in areas:
        groups.setdefault(kelurahan.kecamatan.name, []).append((str(kelurahan.pk), kelurahan.name))
    return list(groups.items())
