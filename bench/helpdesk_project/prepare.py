"""Prepare django-helpdesk's database for the benchmark (run with the helpdesk virtualenv's Python):
migrate, one queue open to public submission (the filings go there), one staff user, and a second
queue holding ``--tickets`` open tickets (as many as Aduan's busiest OPD holds: the staff list shows
it, so the filings never grow it). Prints both queues' ids as JSON."""

import argparse
import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk_settings")

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from helpdesk.models import Queue, Ticket

    call_command("migrate", verbosity=0, interactive=False)
    public, _ = Queue.objects.get_or_create(
        slug="aduan",
        defaults={"title": "Pengaduan", "allow_public_submission": True, "email_address": "aduan@example.id"},
    )
    queue, _ = Queue.objects.get_or_create(
        slug="opd",
        defaults={"title": "Dinas", "allow_public_submission": False, "email_address": "opd@example.id"},
    )
    user, _ = get_user_model().objects.get_or_create(
        username=args.email, defaults={"email": args.email, "is_staff": True}
    )
    user.set_password(args.password)
    user.save()
    have = Ticket.objects.filter(queue=queue, status=Ticket.OPEN_STATUS).count()
    Ticket.objects.bulk_create(
        Ticket(
            queue=queue,
            title=f"Lampu jalan mati di depan sekolah {n}",
            description="Sudah dua minggu lampu jalan di depan SD mati, anak-anak pulang les dalam gelap.",
            submitter_email="warga.uji@example.id",
            status=Ticket.OPEN_STATUS,
            priority=3,
        )
        for n in range(have, args.tickets)
    )
    print(json.dumps({"public_queue": public.pk, "list_queue": queue.pk, "tickets": max(have, args.tickets)}))


if __name__ == "__main__":
    main()
