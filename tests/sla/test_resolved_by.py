"""A resolution clock remembers the OPD that resolved the complaint (for cheap metrics); the
migration fills it for clocks met before the field existed."""

import importlib

from django.apps import apps

from aduan.complaints.models import Status
from aduan.sla.models import Deadline, Stage
from tests.factories import complaint_in_status


def _resolution(complaint):
    return Deadline.objects.get(complaint=complaint, stage=Stage.RESOLUTION)


def test_accept_records_the_resolving_opd_and_archive_does_not(world):
    resolved = complaint_in_status(
        Status.RESOLVED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    archived = complaint_in_status(Status.ARCHIVED, pemda=world.pemda, koordinator=world.koordinator)

    assert _resolution(resolved).resolved_by == world.opd
    assert _resolution(archived).met_at is not None
    assert _resolution(archived).resolved_by is None


def test_the_migration_fills_clocks_met_before_the_field(world):
    resolved = complaint_in_status(
        Status.RESOLVED, pemda=world.pemda, opd=world.opd, koordinator=world.koordinator
    )
    Deadline.objects.filter(complaint=resolved).update(resolved_by=None)
    migration = importlib.import_module("aduan.sla.migrations.0004_deadline_resolved_by")

    migration.backfill(apps, None)

    assert _resolution(resolved).resolved_by == world.opd
