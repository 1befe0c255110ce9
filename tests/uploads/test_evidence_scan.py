"""Compliance evidence (the koordinator's documents) goes through the same scanner hook. Evidence
rows are append-only, so the document is scanned before anything is stored: an infected or
unscannable file is refused and nothing is kept."""

from datetime import date

import pytest
from django.core.files.base import ContentFile

from aduan.compliance.models import EvidenceItem
from aduan.compliance.services import evidence_record
from aduan.core.exceptions import InvalidInput

from .conftest import EICAR, free_port


def record(pemda, koordinator, data: bytes):
    return evidence_record(
        pemda=pemda, kind="sop", title="SOP pengaduan", document_date=date(2026, 1, 5),
        file=ContentFile(data, name="sop.pdf"), user=koordinator,
    )  # fmt: skip


@pytest.mark.clamav
def test_an_infected_evidence_document_is_refused_and_nothing_is_stored(pemda, koordinator, clamd_scanner):
    with pytest.raises(InvalidInput) as refused:
        record(pemda, koordinator, EICAR)

    assert refused.value.code == "evidence_infected"
    assert not EvidenceItem.objects.exists()

    item = record(pemda, koordinator, b"%PDF-1.4\nSOP pengaduan yang bersih\n")
    assert EvidenceItem.objects.get() == item
    assert item.file.read().startswith(b"%PDF-1.4\nSOP")


@pytest.mark.clamav
def test_evidence_is_refused_while_the_scanner_cannot_be_reached(pemda, koordinator, clamd_scanner, settings):
    settings.ADUAN_CLAMD_PORT = free_port()  # nothing listens there

    with pytest.raises(InvalidInput) as refused:
        record(pemda, koordinator, b"%PDF-1.4\nSOP\n")

    assert refused.value.code == "evidence_scan_failed"
    assert not EvidenceItem.objects.exists()
