"""``manage.py compliance_report --pemda BPN --year 2022 [--compute]``: a Pemda's complaint-handling
metrics and compliance score for a year, in the terminal."""

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from aduan.agencies.models import Pemda
from aduan.compliance.metrics import Period, metrics_for
from aduan.compliance.models import ComplianceScore
from aduan.compliance.ombudsman_followup import ombudsman_followup
from aduan.compliance.scoring import METRIC_LABELS
from aduan.compliance.services import score_compute, score_reproduce


def _fmt(value, suffix="") -> str:
    return "—" if value is None else f"{value}{suffix}"


def _mean(values: list[int]):
    return round(Decimal(sum(values)) / len(values), 1) if values else None


class Command(BaseCommand):
    help = "Cetak metrik penanganan aduan dan nilai kepatuhan satu pemda untuk satu tahun."

    def add_arguments(self, parser):
        parser.add_argument("--pemda", required=True, help="Kode pemda, mis. BPN.")
        parser.add_argument("--year", type=int, help="Tahun penilaian (bawaan: tahun ini).")
        parser.add_argument("--compute", action="store_true", help="Hitung ulang nilai sebelum dicetak.")

    def handle(self, *args, pemda, year=None, compute=False, **options):
        try:
            obj = Pemda.objects.get(code=pemda.upper())
        except Pemda.DoesNotExist:
            raise CommandError(_("Pemda dengan kode %(code)s tidak ada.") % {"code": pemda}) from None
        now = timezone.now()
        year = year or timezone.localtime(now, obj.zoneinfo).year
        m = metrics_for(pemdas=[obj], period=Period.year(year), now=now)
        f = m.by_pemda[obj.pk]
        out = self.stdout.write
        out(self.style.MIGRATE_HEADING(f"{obj.name} — {year}"))
        rows = [
            (_("Aduan diterima"), f.received),
            (_("Verifikasi ≤ 3 hari kerja"), _fmt(f.verified_on_time_pct, " %")),
            (_("Didisposisikan"), f.dispatched),
            (_("Ditindaklanjuti"), f.followed_up),
            (_("Tindak lanjut ≤ 5 hari kerja"), _fmt(f.followed_up_on_time_pct, " %")),
            (_("Selesai"), f.resolved),
            (_("Selesai dalam target"), _fmt(f.resolved_on_time_pct, " %")),
            (
                _("Median / p90 hari kerja ke tindak lanjut"),
                f"{_fmt(f.median_follow_up_days)} / {_fmt(f.p90_follow_up_days)}",
            ),
            (
                _("Median / p90 hari kerja ke selesai"),
                f"{_fmt(f.median_resolve_days)} / {_fmt(f.p90_resolve_days)}",
            ),
            # The field-work cycle (issue 17): what the 2027 method's Pengaduan indicators read.
            (METRIC_LABELS["first_response_on_time_pct"], _fmt(f.first_response_on_time_pct, " %")),
            (
                METRIC_LABELS["promises_kept_pct"],
                f"{_fmt(f.promises_kept_pct, ' %')} ({f.promise_kept}/{f.promise_total})",
            ),
            (
                _("Median / rata-rata hari kerja sampai selesai ditangani"),
                f"{_fmt(f.median_handled_days)} / {_fmt(_mean(f.handled_days))} (n={len(f.handled_days)})",
            ),
            (
                METRIC_LABELS["ombudsman_actions_on_time_pct"],
                _fmt(ombudsman_followup(pemda=obj, year=year, now=now).on_time_pct, " %"),
            ),
            (_("Tunggakan"), f.backlog_total),
            (_("Dibuka kembali"), _fmt(f.reopen_rate_pct, " %")),
            (_("Tenggat terlampaui"), f.breaches_total),
            (_("Dukungan warga"), f.supporters),
            (_("Rata-rata penilaian"), _fmt(f.mean_rating)),
            (_("SKM"), f"{f.skm_result.value} ({f.skm_result.mutu})" if f.skm_result else "—"),
        ]
        for label, value in rows:
            out(f"  {label!s:<45} {value}")
        heads = (_("diterima"), _("TL≤5HK"), _("selesai"), _("terlampaui"))
        per_opd = _("Per OPD")
        out(f"  {per_opd:<45} {heads[0]:>9} {heads[1]:>8} {heads[2]:>8} {heads[3]:>10}")
        for opd in m.opds:
            g = m.by_opd[opd.pk]
            on_time = _fmt(g.followed_up_on_time_pct)
            out(
                f"    {str(opd)[:43]:<43} {g.received:>9} {on_time:>8} {g.resolved:>8} {g.breaches_total:>10}"
            )
        if compute:
            snapshot, _created = score_compute(pemda_id=obj.pk, year=year, now=now)
        else:
            snapshot = (
                ComplianceScore.objects.filter(pemda=obj, year=year).order_by("-computed_at", "-pk").first()
            )
        if snapshot is None:
            out(_("Belum ada nilai kepatuhan untuk tahun ini (pakai --compute)."))
            return
        result = score_reproduce(snapshot)
        status = _("resmi") if snapshot.is_published else _("perkiraan")
        label = result.category or result.zone_name
        out(self.style.MIGRATE_HEADING(_("Nilai kepatuhan (%(status)s)") % {"status": status}))
        out(f"  {result.total}  {label}  {result.zone_name}  {result.opinion}")
        if result.next_band_gap is not None:
            out(
                "  "
                + _("%(gap)s poin di bawah %(label)s")
                % {"gap": result.next_band_gap, "label": result.next_band_label}
            )
        for d in result.dimensions:
            out(f"  {d.name:<30} {d.score_display:>7}  × {d.weight}% = {d.contribution_display}")
