"""One synthetic complaint's rows — events, OPD hops, clocks, rating, attachment — in the shapes
``complaint_transition()`` and the SLA services write, with the working days of the real calendar."""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aduan.complaints.audit import GENESIS, event_hash
from aduan.complaints.models import (
    Attachment,
    Complaint,
    ComplaintEvent,
    ComplaintHop,
    ComplaintRating,
    ReporterIdentity,
)
from aduan.sla.calendar import add_calendar_days, add_working_days, count_working_days
from aduan.sla.models import Stage

from .bulk import (
    ATTACHMENT_COLS,
    COMPLAINT_COLS,
    DEADLINE_COLS,
    EVENT_COLS,
    HOP_COLS,
    IDENTITY_COLS,
    RATING_COLS,
)

# The categories of every synthetic Pemda: (name, English name, how much slower than usual the
# first follow-up of such a complaint is). 15 % of complaints have no category.
CATEGORIES = (
    ("Jalan rusak", "Damaged road", 1.8),
    ("Drainase dan banjir", "Drainage and flooding", 1.3),
    ("Sampah", "Rubbish", 1.0),
    ("Lampu jalan", "Street lights", 0.7),
    ("Administrasi kependudukan", "Civil registration", 0.5),
)
CATEGORY_WEIGHTS = (3, 2, 3, 2, 2)

TITLES = (
    "Jalan berlubang",
    "Lampu jalan mati",
    "Sampah menumpuk",
    "Air PDAM tidak mengalir",
    "Drainase tersumbat",
    "Pelayanan KTP lambat",
    "Antrean puskesmas panjang",
    "Pungutan liar di sekolah",
    "Banjir di permukiman",
    "Izin usaha berbelit",
    "Pohon tumbang",
    "Trotoar rusak",
    "Angkot ngetem sembarangan",
    "Bau limbah pabrik",
)
WORDS = (
    "warga",
    "sudah",
    "lama",
    "mohon",
    "segera",
    "diperbaiki",
    "depan",
    "rumah",
    "kelurahan",
    "kecamatan",
    "petugas",
    "tidak",
    "datang",
    "minggu",
    "bulan",
    "anak",
    "sekolah",
    "malam",
    "hujan",
    "berbahaya",
)


@dataclass
class Place:
    pemda_id: int
    code: str
    koordinator_id: int
    opds: list  # (opd_id, petugas_id)
    weight: float
    zone: str
    categories: list = field(default_factory=list)  # (category_id, how much slower its follow-ups are)
    opd_speed: dict = field(default_factory=dict)  # opd_id → the same factor for the OPD


class ComplaintRows:
    """Writes one complaint's rows in the shapes complaint_transition() and the SLA services write."""

    def __init__(self, rng, now, rules, ids, writer, counts):
        """``rules``: (the default policy id per stage, the working calendar per zone)."""
        self.rng, self.now, self.ids, self.w, self.counts = rng, now, ids, writer, counts
        self.policies, self.calendars = rules

    def complaint(self, place: Place, submitted: datetime, ticket: str) -> None:
        rng, now = self.rng, self.now
        cid = self.ids[Complaint].take()
        self.cid, self.place, self.cal = cid, place, self.calendars[place.zone]
        anonymous = rng.random() < 0.1
        opd_id, petugas_id = rng.choice(place.opds)
        category_id, slower = None, 1.0
        if place.categories and rng.random() < 0.85:
            category_id, slower = rng.choices(place.categories, weights=CATEGORY_WEIGHTS)[0]
        status, closed_at, current_opd, archive_reason, forwarded = "submitted", None, None, "", ""
        self.clocks: dict[str, list] = {}
        self.seq, self.last_hash = 0, GENESIS  # the complaint's hash chain (audit.py)
        self.event("submit", "", "submitted", None, "citizen", None, submitted)
        self.start(Stage.VERIFICATION, submitted, 3, None, None)
        self.start(Stage.RESOLUTION, submitted, 60, None, None, calendar=True)
        self.start(Stage.LEGAL_RESPONSE, submitted, 14, None, None, calendar=True)
        t = submitted + timedelta(hours=rng.expovariate(1 / 40))  # verification takes ~1–2 working days
        path = rng.random()
        hop = None
        if t < now:
            if path < 0.07:
                status, archive_reason = (
                    "archived",
                    rng.choice(["unintelligible", "not_public_service", "duplicate"]),
                )
                self.event("archive", "submitted", status, place.koordinator_id, "koordinator", None, t)
                for stage in (Stage.VERIFICATION, Stage.RESOLUTION, Stage.LEGAL_RESPONSE):
                    self.meet(stage, t)
                closed_at = t
                archive_reason = archive_reason if archive_reason != "duplicate" else "unintelligible"
            elif path < 0.10:
                status, forwarded = "forwarded_out", "BPJS Kesehatan"
                self.event("forward_out", "submitted", status, place.koordinator_id, "koordinator", None, t)
                for stage in (Stage.VERIFICATION, Stage.RESOLUTION, Stage.LEGAL_RESPONSE):
                    self.meet(stage, t)
                closed_at = t
            else:
                status, current_opd = "dispatched", opd_id
                ev = self.event(
                    "dispatch", "submitted", status, place.koordinator_id, "koordinator", opd_id, t
                )
                self.meet(Stage.VERIFICATION, t)
                hop = self.hop(opd_id, t, ev)
                self.start(Stage.FOLLOW_UP, t, 5, hop, opd_id)
                if rng.random() < 0.08:  # wrong OPD: re-dispatched after a few days
                    t2 = t + timedelta(hours=rng.expovariate(1 / 60))
                    if t2 < now:
                        other, petugas_id = rng.choice(place.opds)
                        ev = self.event(
                            "redispatch", status, status, place.koordinator_id, "koordinator", other, t2
                        )
                        self.cancel(Stage.FOLLOW_UP, t2)
                        self.end_hop(hop, t2, ev)
                        hop, current_opd, t = self.hop(other, t2, ev), other, t2
                        self.start(Stage.FOLLOW_UP, t, 5, hop, other)
                # first follow-up: skewed, a tail of late OPDs; slower for some categories and OPDs
                slowness = math.log(slower * place.opd_speed.get(current_opd, 1.0))
                t3 = t + timedelta(hours=rng.lognormvariate(4.2 + slowness, 0.9))
                if t3 < now:
                    status = "followed_up"
                    self.event("follow_up", "dispatched", status, petugas_id, "petugas_opd", None, t3)
                    self.meet(Stage.FOLLOW_UP, t3)
                    self.meet(Stage.LEGAL_RESPONSE, t3)
                    self.start(Stage.REPLY_WINDOW, t3, 10, hop, current_opd)
                    t4 = t3 + timedelta(hours=rng.expovariate(1 / 70)) if rng.random() < 0.5 else None
                    auto = add_working_days(t3, 10, self.cal)
                    end = t4 if t4 is not None and t4 < auto else auto
                    if end < now:
                        status, closed_at = "resolved", end
                        action, role = ("accept", "citizen") if end is t4 else ("auto_resolve", "system")
                        resolved_by = self.event(action, "followed_up", status, None, role, None, end)
                        self.meet(Stage.REPLY_WINDOW, end)
                        self.meet(Stage.RESOLUTION, end, resolved_by=current_opd)
                        self.end_hop(hop, end, resolved_by)
                        if rng.random() < 0.4:
                            score = rng.choices((1, 2, 3, 4, 5), cum_weights=(5, 12, 27, 65, 100))[0]
                            self.w.add(ComplaintRating._meta.db_table, RATING_COLS, (cid, score, "", end))
                            self.counts["ratings"] += 1
        self.close_clocks()
        title = f"{rng.choice(TITLES)} di {place.code} #{cid}"
        chronology = " ".join(rng.choices(WORDS, k=24)).capitalize() + "."
        self.w.add(
            Complaint._meta.db_table,
            COMPLAINT_COLS,
            (
                cid,
                submitted,
                closed_at or submitted,
                place.pemda_id,
                ticket,
                f"{self.rng.getrandbits(256):064x}",
                "pengaduan",
                title,
                chronology,
                None,
                "",
                None,
                None,
                category_id,
                None,
                current_opd,
                anonymous,
                False,
                status,
                closed_at or submitted,
                submitted,
                closed_at,
                archive_reason,
                None,
                forwarded,
                None,
                "web",
                0,
                None,
            ),
        )
        self.w.add(
            ReporterIdentity._meta.db_table,
            IDENTITY_COLS,
            (cid, f"Warga {cid}", f"warga{cid}@example.id", f"0812{cid:08d}", "", "id"),
        )
        if rng.random() < 0.3:
            self.w.add(
                Attachment._meta.db_table,
                ATTACHMENT_COLS,
                (
                    self.ids[Attachment].take(),
                    cid,
                    f"synthetic/{cid}.jpg",
                    "foto.jpg",
                    "image/jpeg",
                    rng.randint(40_000, 900_000),
                    None,
                    False,
                    submitted,
                    "clean",
                    "",
                    submitted,
                ),
            )
            self.counts["attachments"] += 1
        self.counts["complaints"] += 1

    def event(self, action, from_status, to_status, actor_id, role, opd_id, at) -> int:
        eid = self.ids[ComplaintEvent].take()
        self.seq += 1
        digest = event_hash(
            prev_hash=self.last_hash,
            complaint_id=self.cid,
            seq=self.seq,
            action=action,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor_id,
            actor_role=role,
            opd_id=opd_id,
            note="",
            created_at=at,
        )
        self.w.add(
            ComplaintEvent._meta.db_table,
            EVENT_COLS,
            (eid, self.cid, action, from_status, to_status, actor_id, role, opd_id, "", at, self.seq,
             self.last_hash, digest),
        )  # fmt: skip
        self.last_hash = digest
        self.counts["events"] += 1
        return eid

    def hop(self, opd_id, at, event_id) -> list:
        row = [self.ids[ComplaintHop].take(), self.cid, opd_id, at, None, event_id, None]
        self.hops = getattr(self, "hops", [])
        self.hops.append(row)
        return row

    def end_hop(self, hop, at, event_id) -> None:
        hop[4], hop[6] = at, event_id

    def start(self, stage, at, amount, hop, opd_id, *, calendar=False) -> None:
        due = add_calendar_days(at, amount, self.cal) if calendar else add_working_days(at, amount, self.cal)
        self.clocks[stage] = {
            "started": at,
            "due": due,
            "hop": hop[0] if hop else None,
            "opd": opd_id,
            "end": None,
            "met": False,
            "policy": self.policies[stage],
            "resolved_by": None,
        }

    def meet(self, stage, at, *, resolved_by=None) -> None:
        clock = self.clocks.get(stage)
        if clock and clock["end"] is None:
            clock["end"], clock["met"], clock["resolved_by"] = at, True, resolved_by
            self._flush_clock(stage, clock)

    def cancel(self, stage, at) -> None:
        clock = self.clocks.get(stage)
        if clock and clock["end"] is None:
            clock["end"] = at
            self._flush_clock(stage, clock)

    def close_clocks(self) -> None:
        for stage, clock in self.clocks.items():
            if clock["end"] is None:
                self._flush_clock(stage, clock)
        for hop in getattr(self, "hops", []):
            self.w.add(ComplaintHop._meta.db_table, HOP_COLS, tuple(hop))
            self.counts["hops"] += 1
        self.hops = []
        self.clocks = {}

    def _flush_clock(self, stage, c) -> None:
        end, due, now = c["end"], c["due"], self.now
        breached = None
        opd = c["opd"]
        if stage != Stage.REPLY_WINDOW and ((end is not None and end > due) or (end is None and due <= now)):
            breached = due
            if opd is None:
                opd = self._holder_at(due)
        remind = add_working_days(due - timedelta(days=1), 0, self.cal) if end is None and due > now else None
        next_check = (remind or due) if end is None and due > now else None
        taken = count_working_days(c["started"], end, self.cal) if end is not None else None
        cal_taken = (end - c["started"]).days if end is not None else None
        self.w.add(
            "sla_deadline",
            DEADLINE_COLS,
            (
                self.ids["deadline"].take(),
                self.cid,
                stage,
                c["hop"],
                opd,
                c["policy"],
                c["started"],
                due,
                remind,
                None,
                end if c["met"] else None,
                None if c["met"] else end,
                breached,
                None,
                0,
                0,
                next_check,
                taken,
                cal_taken,
                c["resolved_by"],
            ),
        )
        c["end"] = c["end"] or now  # written: never again
        self.counts["deadlines"] += 1

    def _holder_at(self, at):
        for hop in getattr(self, "hops", []):
            if hop[3] <= at and (hop[4] is None or hop[4] > at):
                return hop[2]
        return None
