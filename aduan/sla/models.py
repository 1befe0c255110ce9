"""Deadlines in working days: holiday overrides, versioned SLA policies, per-complaint deadlines and
the once-only record of every reminder and escalation.

- HolidayOverride: a date made a holiday or a working day (national or for one Pemda), with the
  decree that says so; combined with the ``holidays`` package by ``public_holidays.calendar_for``.
- SlaPolicy: how long a stage may take, effective from a date; never edited in place — a change
  is a new row with a later ``effective_from``.
- Deadline: one clock of one complaint, stage and OPD hop (due, met, breached, paused).
- DeadlineEffect: a reminder, escalation or auto-resolution that happened, unique per
  (deadline, kind, level) so that re-runs and concurrent sweeps do each thing once.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aduan.core.history import config_history
from aduan.core.models import TimeStampedModel


@config_history()
class HolidayOverride(TimeStampedModel):
    """A change to the national holiday list: a mid-year decree (Keppres, SKB), a regional holiday,
    or a Saturday on which a Pemda's units serve. ``pemda`` empty means national."""

    pemda = models.ForeignKey(
        "agencies.Pemda",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holiday_overrides",
        verbose_name=_("pemda"),
        help_text=_("Kosongkan untuk berlaku nasional."),
    )
    date = models.DateField(_("tanggal"))
    is_holiday = models.BooleanField(
        _("hari libur"),
        help_text=_("Centang: tanggal ini hari libur. Tidak dicentang: tanggal ini hari kerja."),
    )
    reason = models.CharField(_("alasan"), max_length=200)
    decree_number = models.CharField(_("nomor keputusan"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("perubahan hari libur")
        verbose_name_plural = _("perubahan hari libur")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["pemda", "date"],
                condition=Q(pemda__isnull=False),
                name="holiday_override_unique_pemda",
            ),
            models.UniqueConstraint(
                fields=["date"], condition=Q(pemda__isnull=True), name="holiday_override_unique_national"
            ),
        ]

    def __str__(self) -> str:
        kind = _("libur") if self.is_holiday else _("hari kerja")
        return f"{self.date:%Y-%m-%d} {kind}: {self.reason}"


class Stage(models.TextChoices):
    """The clocks a complaint runs (SP4N-LAPOR! rules and UU 25/2009; README: Deadlines)."""

    VERIFICATION = "verification", _("Verifikasi dan disposisi")
    FOLLOW_UP = "follow_up", _("Tindak lanjut pertama OPD")
    REPLY_WINDOW = "reply_window", _("Waktu tanggapan pelapor")
    RESOLUTION = "resolution", _("Penyelesaian")
    LEGAL_RESPONSE = "legal_response", _("Tanggapan tertulis (UU 25/2009 Pasal 44)")
    PROMISE = "promise", _("Tanggal rencana penanganan OPD")
    # The Pemda's answer to the Ombudsman's request for clarification (aduan.ombudsman): 14
    # calendar days, never paused, charged to the Pemda (no OPD).
    CLARIFICATION = "clarification", _("Jawaban klarifikasi kepada Ombudsman")


class DayUnit(models.TextChoices):
    WORKING = "working", _("hari kerja")
    CALENDAR = "calendar", _("hari kalender")


@config_history()
class SlaPolicy(TimeStampedModel):
    """How long a stage may take, effective from a date. The most specific policy applies
    (category, then classification, then the default for the stage), the latest version whose
    ``effective_from`` is not after the day the clock starts. Rows are never edited in place."""

    stage = models.CharField(_("tahap"), max_length=20, choices=Stage.choices)
    amount = models.PositiveSmallIntegerField(_("lama"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("satuan"), max_length=10, choices=DayUnit.choices)
    effective_from = models.DateField(_("berlaku mulai"))
    classification = models.CharField(_("klasifikasi"), max_length=30, blank=True)
    category = models.ForeignKey(
        "complaints.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sla_policies",
        verbose_name=_("kategori"),
    )
    remind_before = models.PositiveSmallIntegerField(
        _("pengingat sebelum tenggat (hari kerja)"),
        default=1,
        help_text=_("0: tanpa pengingat. Untuk tenggat dalam hari kalender: hari kalender."),
    )
    escalate_again_after = models.PositiveSmallIntegerField(
        _("eskalasi kedua setelah (hari kerja)"), default=3, help_text=_("0: tanpa eskalasi kedua.")
    )
    note = models.CharField(_("dasar / catatan"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("kebijakan tenggat")
        verbose_name_plural = _("kebijakan tenggat")
        ordering = ["stage", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "classification", "effective_from"],
                condition=Q(category__isnull=True),
                name="sla_policy_unique_version",
            ),
            models.UniqueConstraint(
                fields=["stage", "category", "effective_from"],
                condition=Q(category__isnull=False),
                name="sla_policy_unique_category_version",
            ),
        ]

    def __str__(self) -> str:
        scope = self.category or self.classification or _("semua")
        length = f"{self.amount} {self.get_unit_display()}"
        return f"{self.get_stage_display()} ({scope}): {length} ≥ {self.effective_from}"


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(met_at__isnull=True, cancelled_at__isnull=True)


class Deadline(models.Model):
    """One clock of one complaint: stage, the OPD hop it belongs to, when it started and is due,
    and how it ended (met or cancelled). ``breached_at`` is set when it runs out while open; the
    breach is attributed to ``opd``, the OPD that held the complaint then. While the complaint is
    on hold the clock is paused (``paused_at``) and its due time moves on by the time paused.
    ``next_check_at`` is when the sweep must next look at it (reminder, breach, escalation)."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("aduan")
    )
    stage = models.CharField(_("tahap"), max_length=20, choices=Stage.choices)
    hop = models.ForeignKey(
        "complaints.ComplaintHop", on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines"
    )
    opd = models.ForeignKey(
        "agencies.Opd",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("OPD"),
    )
    # Resolution clocks: the OPD that held the complaint when a resolution (accept or auto-resolve)
    # met the clock — so metrics count resolutions per OPD with a plain grouped scan.
    resolved_by = models.ForeignKey(
        "agencies.Opd",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diselesaikan oleh OPD"),
        editable=False,
    )
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="deadlines")
    started_at = models.DateTimeField(_("mulai"))
    due_at = models.DateTimeField(_("tenggat"))
    remind_at = models.DateTimeField(_("waktu pengingat"), null=True, blank=True)
    escalate_again_at = models.DateTimeField(_("waktu eskalasi kedua"), null=True, blank=True)
    met_at = models.DateTimeField(_("terpenuhi"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("dibatalkan"), null=True, blank=True)
    breached_at = models.DateTimeField(_("terlampaui"), null=True, blank=True)
    paused_at = models.DateTimeField(_("dijeda sejak"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("total jeda (detik)"), default=0)
    paused_working_days = models.PositiveIntegerField(_("total jeda (hari kerja)"), default=0)
    next_check_at = models.DateTimeField(null=True, blank=True)
    # Stored durations of a completed clock, so medians and percentiles are cheap (compliance).
    working_days_taken = models.IntegerField(null=True, blank=True)
    calendar_days_taken = models.IntegerField(null=True, blank=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("tenggat")
        verbose_name_plural = _("tenggat")
        ordering = ["started_at", "pk"]
        indexes = [
            # The sweep's only access path: open, unpaused clocks by when they need a look.
            models.Index(
                fields=["next_check_at"],
                name="deadline_sweep",
                condition=Q(
                    met_at__isnull=True,
                    cancelled_at__isnull=True,
                    paused_at__isnull=True,
                    next_check_at__isnull=False,
                ),
            ),
            # A complaint's running clocks by due time: the lists' "next due" (complaints.filters.
            # with_next_due) is one index-only probe per complaint, not a sort of its clocks' rows.
            models.Index(
                fields=["complaint", "due_at"],
                name="deadline_running_due",
                condition=Q(met_at__isnull=True, cancelled_at__isnull=True, paused_at__isnull=True),
            ),
            models.Index(fields=["complaint", "stage"], name="deadline_complaint_stage"),
            models.Index(fields=["opd", "breached_at"], name="deadline_opd_breach"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "stage"],
                condition=Q(met_at__isnull=True, cancelled_at__isnull=True),
                name="deadline_one_open_per_stage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.stage} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None


class EffectKind(models.TextChoices):
    REMINDER = "reminder", _("Pengingat sebelum tenggat")
    ESCALATION = "escalation", _("Eskalasi: tenggat terlampaui")
    AUTO_RESOLVE = "auto_resolve", _("Selesai otomatis")


class DeadlineEffect(models.Model):
    """Something the sweep did for a deadline. The unique key makes each effect happen once,
    however often or concurrently the sweep runs."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="effects")
    kind = models.CharField(max_length=20, choices=EffectKind.choices)
    level = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("tindakan tenggat")
        verbose_name_plural = _("tindakan tenggat")
        constraints = [
            models.UniqueConstraint(fields=["deadline", "kind", "level"], name="deadline_effect_once"),
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} {self.kind}#{self.level}"


class MetricRollup(models.Model):
    """One cell of the compliance rollups (aduan.sla.rollups explains every metric): a count ``n``
    per Pemda, OPD (0: none), local day, dekad, month, quarter or year (``span``, opened by ``day``),
    metric, label (a channel or an SKM element) and integer value (working days of a histogram, or
    a gap in days). Plain integers, no foreign keys: cells are written by atomic upserts in the
    transaction of the move or clock stop that changes them, and rebuilt from a full scan by
    ``manage.py metrics_rebuild``."""

    # ``span``: the days a cell sums, from ``day`` on: that day alone, its month, its dekad (days
    # 1–10, 11–20 or 21 to the month's end), its quarter or its year. CATEGORY_MONTH: the month of
    # the breach forecast's cells per category (rollups.MONTH_ONLY), a span of their own that no
    # dashboard period reads.
    DAY, MONTH, DEKAD, QUARTER, YEAR, CATEGORY_MONTH = 0, 1, 2, 3, 4, 5

    pemda_id = models.IntegerField()
    span = models.PositiveSmallIntegerField(default=DAY)
    opd_id = models.IntegerField(default=0)
    day = models.DateField()
    metric = models.CharField(max_length=24)
    label = models.CharField(max_length=24, default="", blank=True)
    value = models.IntegerField(default=0)
    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("sel rekap metrik")
        verbose_name_plural = _("sel rekap metrik")
        constraints = [
            # On PostgreSQL this index and the partial ones below also carry the columns the
            # reading needs (INCLUDE, migration 0009): periods are read by index-only scans.
            models.UniqueConstraint(
                fields=["pemda_id", "span", "day", "opd_id", "metric", "label", "value"],
                name="metric_rollup_cell",
            ),
        ]
        indexes = [
            # The gap metrics' cells read by day (rollups.DAY_ONLY and their far ones): few.
            models.Index(
                fields=["pemda_id", "metric", "day"],
                condition=Q(
                    metric__in=[
                        "ch_fu_both",
                        "ch_fu_both_far",
                        "follow_up_both",
                        "follow_up_both_far",
                        "hop_recv_dup",
                        "hop_recv_dup_far",
                        "promise_both",
                        "promise_both_far",
                        "verification_both",
                        "verification_both_far",
                    ]
                ),
                name="metric_rollup_day_only",
            ),
            # The month cells of the trend (metrics.trend_for): received, follow-up on time or not.
            models.Index(
                fields=["pemda_id", "day"],
                condition=Q(span=1, metric__in=["follow_up_br", "follow_up_ok", "sub"]),
                name="metric_rollup_trend",
            ),
            # The backlog's cells (rollups.STATE_METRICS): its running sum and its recent ages.
            models.Index(
                fields=["pemda_id", "metric", "span", "day"],
                condition=Q(metric__in=["open", "open_days"]),
                name="metric_rollup_backlog",
            ),
        ]

    def __str__(self) -> str:
        span = {self.DAY: "", self.MONTH: "/month", self.DEKAD: "/dekad", self.QUARTER: "/quarter"}
        day = f"{self.day}{span.get(self.span, '/year')}"
        return f"{self.pemda_id}/{self.opd_id} {day} {self.metric}[{self.label}:{self.value}]={self.n}"
