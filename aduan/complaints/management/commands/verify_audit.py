"""``manage.py verify_audit``: recompute every complaint's event hash chain (aduan/complaints/audit.py).

Streams the timeline in (complaint, seq) order, so it runs in flat memory over millions of events.
Prints the first broken link of each broken complaint (ticket number, seq, what was expected and
what is stored) and exits with status 1; prints the counts and exits 0 when every chain holds.
It also fails when a complaint has no event at all (its whole chain removed) and, on PostgreSQL,
when an append-only trigger is missing or disabled.

Progress: a bar on a terminal, a plain line at each tenth of the events otherwise (aduan/core/progress.py).

It prints a fingerprint of the chain heads as of ``--until`` (default: now). Keep it outside the
database (with an assessment, in a ticket); running ``verify_audit --until <that time>`` later must
print the same value, or something recorded up to then was rewritten — even a whole chain rehashed.
"""

import time
from datetime import UTC

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from aduan.complaints.audit import VerifyCounts, chain_verify, complaints_without_events, triggers_missing
from aduan.complaints.models import Complaint, ComplaintEvent
from aduan.core.progress import Progress


class Command(BaseCommand):
    help = "Periksa rantai hash riwayat setiap aduan dan laporkan mata rantai pertama yang rusak."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=5000, help="Baris per pengambilan.")
        parser.add_argument(
            "--until",
            help="Hitung sidik rantai sampai waktu ini (ISO 8601, mis. 2026-12-31T23:59:59+07:00); "
            "bawaan: saat perintah dimulai.",
        )

    def handle(self, *args, chunk_size=5000, until=None, **options):
        started = time.monotonic()
        if until:
            parsed = parse_datetime(until)
            if parsed is None:
                raise CommandError(_("Waktu --until tidak dikenali: %(value)s") % {"value": until})
            until = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        else:
            until = timezone.now()
        orphans, sample = complaints_without_events()
        for pk, ticket in sample:
            self.stderr.write(
                _("TANPA RIWAYAT %(ticket)s (aduan %(complaint)s)") % {"ticket": ticket, "complaint": pk}
            )
        counts = VerifyCounts()
        pending = []
        progress = Progress(
            self.stdout, total=ComplaintEvent.objects.count(), label="verify_audit", unit=_("riwayat")
        )
        for link in chain_verify(counts, chunk_size=chunk_size, until=until, on_progress=progress.update):
            pending.append(link)
            if len(pending) == 1000:
                self._report(pending)
                pending = []
        progress.update(counts.events)
        progress.close()
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
        self.stdout.write(
            _("Sidik rantai sampai %(until)s: %(fingerprint)s")
            % {"until": until.astimezone(UTC).isoformat(), "fingerprint": counts.fingerprint_hex}
        )
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
