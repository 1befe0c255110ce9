"""The SLA policies Aduan starts with (SP4N-LAPOR! rules, UU 25/2009), effective from 2000-01-01.

A data migration loads them; the admin adds later versions. Tests use ``ensure_default_policies``
because transactional tests empty every table between tests.
"""

from datetime import date

DEFAULT_EFFECTIVE_FROM = date(2000, 1, 1)

# (stage, amount, unit, remind_before, escalate_again_after, note)
DEFAULT_POLICIES = (
    ("verification", 3, "working", 1, 2, "SP4N-LAPOR!: verifikasi dan disposisi 3 hari kerja"),
    ("follow_up", 5, "working", 1, 3, "SP4N-LAPOR!: tindak lanjut pertama OPD 5 hari kerja"),
    ("reply_window", 10, "working", 0, 0, "SP4N-LAPOR!: tanggapan pelapor 10 hari kerja, lalu selesai"),
    ("resolution", 60, "calendar", 0, 10, "Penyelesaian 60 hari"),
    ("legal_response", 14, "calendar", 0, 0, "UU 25/2009 Pasal 44(1): tanggapan tertulis 14 hari"),
    # The due time is the OPD's own planned date (end of that day); the amount is not used.
    ("promise", 1, "working", 1, 3, "Janji OPD: selesai pada tanggal rencana yang diumumkan"),
    # Reminded 3 calendar days before; escalated once when it runs out (no second escalation).
    ("clarification", 14, "calendar", 3, 0, "Ombudsman: permintaan klarifikasi dijawab dalam 14 hari"),
)


def ensure_default_policies(policy_model) -> None:
    """Create the default policies that are missing (idempotent)."""
    for stage, amount, unit, remind_before, escalate_again_after, note in DEFAULT_POLICIES:
        policy_model.objects.get_or_create(
            stage=stage,
            classification="",
            category=None,
            effective_from=DEFAULT_EFFECTIVE_FROM,
            defaults={
                "amount": amount,
                "unit": unit,
                "remind_before": remind_before,
                "escalate_again_after": escalate_again_after,
                "note": note,
            },
        )
