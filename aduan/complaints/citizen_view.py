"""What the reporter sees of their complaint, in their words: the public steps of the timeline and
their labels, the sentence for each status, the clocks they care about, and how a rejected answer
is stored, and the moves they may make. Shared by the tracking pages (views/tracking.py) and the citizen API
(aduan/api/views/citizen.py), so both tell the reporter the same thing. No views, no queries
beyond ``public_events``.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from aduan.sla.models import Deadline, Stage

from .models import Status
from .selectors import Actor
from .workflow import Action, allowed_actions

# The reporter's moves, by the name the tracking page's forms and the citizen API give them.
# "reject" is a reply whose note starts with REJECT_PREFIX, so staff see at once that the answer
# was turned down.
CITIZEN_MOVES = {
    "complete": Action.COMPLETE,
    "reply": Action.REPLY,
    "reject": Action.REPLY,
    "accept": Action.ACCEPT,
    "reopen": Action.REOPEN,
}

# Steps the reporter does not see on the tracking page (every Step — assignment, Ombudsman flags —
# is staff-only too: the page lists the public actions only), and the ones whose note is for them.
INTERNAL_ACTIONS = ("request_redispatch", "redispatch", "cannot_handle")
PUBLIC_ACTIONS = tuple(a for a in Action.values if a not in INTERNAL_ACTIONS)
CITIZEN_NOTE_ACTIONS = ("hold", "follow_up", "reply", "complete", "forward_out", "reopen")
CITIZEN_NOTE_ACTIONS += ("acknowledge", "schedule", "start_work")  # the OPD's progress updates

# Stored in the note (data read by Indonesian staff), so deliberately not translated.
REJECT_PREFIX = "Jawaban ditolak: "

STATUS_SENTENCES = {
    Status.SUBMITTED: _("Aduan Anda sudah kami terima dan sedang diperiksa oleh koordinator pengaduan."),
    Status.ON_HOLD: _(
        "Kami menunggu keterangan tambahan dari Anda. Lengkapi aduan Anda di bawah ini agar dapat "
        "kami proses."
    ),
    Status.DISPATCHED: _("Aduan Anda sudah diteruskan ke OPD yang berwenang dan sedang ditangani."),
    Status.FOLLOWED_UP: _(
        "OPD sudah menjawab aduan Anda. Baca jawabannya, lalu terima jawaban itu atau tanggapi bila Anda "
        "belum puas."
    ),
    Status.RESOLVED: _("Aduan Anda sudah selesai."),
    Status.ARCHIVED: _("Aduan Anda diarsipkan dan tidak diproses lebih lanjut."),
    Status.FORWARDED_OUT: _(
        "Aduan Anda bukan kewenangan pemerintah daerah ini dan sudah kami teruskan ke instansi yang "
        "berwenang."
    ),
}

EVENT_LABELS = {
    Action.SUBMIT: pgettext_lazy("event", "Aduan diterima"),
    Action.DISPATCH: _("Aduan diverifikasi dan diteruskan ke OPD"),
    Action.HOLD: _("Aduan ditunda: kami meminta keterangan tambahan"),
    Action.COMPLETE: _("Keterangan tambahan diterima"),
    Action.ARCHIVE: _("Aduan diarsipkan"),
    Action.FORWARD_OUT: _("Aduan diteruskan ke instansi lain"),
    Action.FOLLOW_UP: _("Jawaban OPD: selesai ditangani"),
    Action.ACKNOWLEDGE: _("OPD menerima dan meninjau aduan Anda"),
    Action.SCHEDULE: _("OPD menjadwalkan penanganan"),
    Action.START_WORK: _("OPD sedang mengerjakan"),
    Action.REPLY: _("Anda menanggapi jawaban OPD"),
    Action.ACCEPT: _("Anda menerima jawaban OPD"),
    Action.AUTO_RESOLVE: _("Selesai otomatis: tidak ada tanggapan dalam batas waktu"),
    Action.REOPEN: _("Aduan dibuka kembali"),
}
REJECT_LABEL = _("Anda menolak jawaban OPD")

# The clocks the reporter cares about, in their words.
CITIZEN_STAGES = {
    Stage.VERIFICATION: _("Pemeriksaan dan penerusan ke OPD paling lambat"),
    Stage.FOLLOW_UP: _("Jawaban OPD paling lambat"),
    Stage.REPLY_WINDOW: _("Tanggapan Anda paling lambat (sesudahnya aduan dianggap selesai)"),
    Stage.PROMISE: _("OPD berjanji selesai menangani paling lambat"),
}


@dataclass(frozen=True)
class PublicEvent:
    """One step of the timeline as the reporter sees it (no staff name, no internal note)."""

    action: str
    label: str
    status: str
    note: str
    created_at: datetime


def citizen_moves(complaint, secret: str, *, now: datetime | None = None) -> list[str]:
    """The names of the moves (CITIZEN_MOVES) the holder of ``secret`` may make now: what the
    tracking page shows a form for and the citizen API lists as ``actions``."""
    allowed = set(allowed_actions(actor=Actor.citizen(secret), complaint=complaint, now=now))
    return [name for name, action in CITIZEN_MOVES.items() if action in allowed]


def public_event(event) -> PublicEvent:
    """The reporter's view of one ComplaintEvent whose action is in PUBLIC_ACTIONS: its label, and
    its note only where the note is meant for them (a rejection shows its reason, unprefixed)."""
    note = event.note if event.action in CITIZEN_NOTE_ACTIONS else ""
    label = EVENT_LABELS.get(event.action, event.get_to_status_display())
    if event.action == Action.REPLY and note.startswith(REJECT_PREFIX):
        label, note = REJECT_LABEL, note[len(REJECT_PREFIX) :]
    return PublicEvent(
        action=event.action, label=str(label), status=event.to_status, note=note, created_at=event.created_at
    )


def public_events(complaint) -> list[tuple[object, PublicEvent]]:
    """The complaint's public timeline, oldest first: (event row, what the reporter sees of it)."""
    rows = complaint.events.filter(action__in=PUBLIC_ACTIONS).order_by("created_at", "pk")
    return [(e, public_event(e)) for e in rows]


def planned_dates(complaint, events) -> dict[int, date]:
    """The OPD's planned date of each ``schedule`` step among ``events`` (event pk → day in the
    Pemda's zone), read from the promise clock the step started at the same instant (its due moment
    is the end of that day). One query; none when no step is a ``schedule``."""
    scheduled = {e.created_at: e.pk for e in events if e.action == Action.SCHEDULE}
    if not scheduled:
        return {}
    zone = complaint.pemda.zoneinfo
    days = {}
    for started_at, due_at in Deadline.objects.filter(
        complaint=complaint, stage=Stage.PROMISE, started_at__in=list(scheduled)
    ).values_list("started_at", "due_at"):
        local = due_at.astimezone(zone)
        days[scheduled[started_at]] = (
            local.date() - timedelta(days=1) if local.time() == time(0) else local.date()
        )
    return days


def with_planned_date(label: str, day: date | None) -> str:
    """A ``schedule`` step's label with the OPD's planned date ("… — tanggal rencana Jumat, 9
    Oktober 2026"), in the active language."""
    if day is None:
        return label
    return gettext("%(label)s — tanggal rencana %(day)s") % {
        "label": label,
        "day": date_format(day, "l, j F Y"),
    }
