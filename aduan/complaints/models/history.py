"""What happened to a complaint: the append-only timeline (ComplaintEvent), which OPD held it
when (ComplaintHop) and the staff's internal notes (ComplaintNote)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aduan.agencies.models import Opd

from .complaint import ActorRole, Complaint, Status


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are append-only.")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are append-only.")


class AppendOnlyModel(models.Model):
    """Rows that are written once and never changed or removed (timelines, notes): neither an
    instance nor a queryset can update or delete them."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are append-only.")


class ComplaintEvent(AppendOnlyModel):
    """One accepted move on a complaint's timeline (append-only): who, in which role, what, from
    which status to which, with which note, when. ``complaint_transition()`` writes exactly one per
    move in the same transaction; ``complaint_submit()`` writes the first."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="events", verbose_name=_("aduan")
    )
    action = models.CharField(_("tindakan"), max_length=30)
    from_status = models.CharField(_("dari status"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("ke status"), max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaint_events",
        verbose_name=_("pelaku"),
    )
    actor_role = models.CharField(_("peran pelaku"), max_length=20, choices=ActorRole.choices)
    opd = models.ForeignKey(
        Opd, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("OPD tujuan")
    )
    note = models.TextField(_("catatan"), blank=True)
    # Append-only, so rows arrive in time order: PostgreSQL gets a BRIN index on this column
    # (migration 0008, a few pages for 100 M rows) instead of a B-tree (gigabytes).
    created_at = models.DateTimeField(_("waktu"), default=timezone.now)
    # Tamper evidence: events of one complaint form a hash chain (seq 1, 2, ...; each hash covers
    # the previous one). ``manage.py verify_audit`` recomputes every chain.
    seq = models.PositiveIntegerField(_("urutan"), editable=False)
    prev_hash = models.CharField(_("hash sebelumnya"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("riwayat aduan")
        verbose_name_plural = _("riwayat aduan")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "seq"], name="event_complaint_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.action} {self.from_status or '∅'} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is None and not self.hash:  # written without audit.event_append(): chain it here
            from ..audit import event_seal

            event_seal(self)
        super().save(*args, **kwargs)


class ComplaintHop(models.Model):
    """A period during which one OPD held the complaint. Dispatch opens one; re-dispatch closes it
    and opens the next; closing the complaint closes it. Breaches are attributed per hop."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="hops", verbose_name=_("aduan")
    )
    opd = models.ForeignKey(Opd, on_delete=models.PROTECT, related_name="hops", verbose_name=_("OPD"))
    started_at = models.DateTimeField(_("mulai"))
    ended_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    started_by = models.ForeignKey(ComplaintEvent, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(
        ComplaintEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # When this OPD last reported the complaint "selesai ditangani" (the follow_up move), and the
    # working days from the start of the hop to then (for the metric "time to selesai ditangani").
    handled_at = models.DateTimeField(_("selesai ditangani"), null=True, blank=True)
    handled_working_days = models.PositiveIntegerField(
        _("hari kerja sampai selesai ditangani"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("perpindahan OPD")
        verbose_name_plural = _("perpindahan OPD")
        ordering = ["started_at", "pk"]
        indexes = [
            models.Index(fields=["opd", "complaint"], name="hop_opd_complaint"),
            # Metrics read the hops a resolution ended in a period.
            models.Index(fields=["ended_at"], condition=Q(ended_at__isnull=False), name="hop_ended"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(ended_at__isnull=True), name="hop_one_open_per_complaint"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} @ {self.opd_id} {self.started_at:%Y-%m-%d} – {self.ended_at or '…'}"


class ComplaintNote(AppendOnlyModel):
    """An internal note staff write on a complaint (append-only). The reporter never sees it: the
    tracking page, notifications and public lists do not read this table."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="notes", verbose_name=_("aduan")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("penulis")
    )
    author_role = models.CharField(_("peran penulis"), max_length=20, choices=ActorRole.choices)
    body = models.TextField(_("catatan internal"), max_length=5000)
    created_at = models.DateTimeField(_("waktu"), default=timezone.now)

    class Meta:
        verbose_name = _("catatan internal")
        verbose_name_plural = _("catatan internal")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.body[:40]}"
