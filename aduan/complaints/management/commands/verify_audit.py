"""``manage.py verify_audit``: recompute every complaint's event hash chain (aduan/complaints/audit.py).

Streams the timeline in (complaint, seq) order, so it runs in flat memory over millions of events.
Prints the first broken link of each broken complaint (ticket number, seq, what was expected and
what is stored) and exits with status 1; prints the counts and exits 0 when every chain holds.
It also fails when a complaint has no event at all (its whole chain removed) and, on PostgreSQL,
when an append-only trigger is missing or disabled.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from aduan.complaints.audit import VerifyCounts, chain_verify, complaints_without_events, triggers_missing
from aduan.complaints.models import Complaint


class Command(BaseCommand):
    help = "Periksa rantai hash riwayat setiap aduan dan laporkan mata rantai pertama yang rusak."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=5000, help="Baris per pengambilan.")

    def handle(self, *args, chunk_size=5000, **options):
        started = time.monotonic()
        orphans, sample = complaints_without_events()
        for pk, ticket in sample:
            self.stderr.write(
                _("TANPA RIWAYAT %(ticket)s (aduan %(complaint)s)") % {"ticket": ticket, "complaint": pk}
            )
        counts = VerifyCounts()
        pending = []
        for link in chain_verify(counts, chunk_size=chunk_size):
            pending.append(link)
            if len(pending) == 1000:
                self._report(pending)
                pending = []
        self._report(pending)
        elapsed = time.monotonic() - started
        summary = _(
            "%(complaints)s aduan, %(events)s riwayat diperiksa dalam %(seconds).1f detik; "
            "%(broken)s rantai rusak; %(orphans)s aduan tanpa riwayat."
        ) % {
            "orphans": orphans,
            "complaints": counts.complaints,
            "events": counts.events,
            "seconds": elapsed,
            "broken": counts.broken,
        }
        missing = triggers_missing(connection)
        for name in missing:
            self.stderr.write(_("PEMICU HILANG atau nonaktif: %(trigger)s") % {"trigger": name})
        if counts.broken or missing or orphans:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))

    def _report(self, links) -> None:
        if not links:
            return
        tickets = dict(
            Complaint.objects.filter(pk__in={link.complaint_id for link in links}).values_list(
                "pk", "ticket_number"
            )
        )
        for link in links:
            self.stderr.write(
                _(
                    "RUSAK %(ticket)s (aduan %(complaint)s) urutan %(seq)s, riwayat #%(event)s: "
                    "%(problem)s diharapkan %(expected)s, tersimpan %(stored)s"
                )
                % {
                    "ticket": tickets.get(link.complaint_id, "?"),
                    "complaint": link.complaint_id,
                    "seq": link.seq,
                    "event": link.event_id,
                    "problem": link.problem,
                    "expected": link.expected or '""',
                    "stored": link.stored or '""',
                }
            )
