"""The demo's complaints taken to the Ombudsman (issue 17 point 4), written through the services of
``aduan.ombudsman`` like everything in the demo, and only when the demo Pemda has none yet:

- an archived complaint whose reporter took it to the Ombudsman (consenting to share their
  identity); the Ombudsman asked the Pemda for clarification 5 days ago, so it is *under
  clarification* with 9 calendar days left on its clock;
- a forwarded complaint taken there without consent, closed a month ago with a finding of
  maladministration and two corrective actions: one carried out on time, one due in three weeks
  (the compliance figure "tindak lanjut temuan Ombudsman" is then 100 %: one settled, on time).
"""

from datetime import timedelta

from aduan.complaints.models import Status
from aduan.ombudsman import services
from aduan.ombudsman.models import Finding, OmbudsmanReport

REASONS = {
    Status.ARCHIVED: (
        "Aduan saya diarsipkan karena dianggap tidak lengkap, padahal permintaan melengkapinya "
        "tidak pernah sampai kepada saya; masalahnya sampai sekarang belum ditangani."
    ),
    Status.FORWARDED_OUT: (
        "Aduan saya diteruskan ke instansi lain padahal lokasinya jelas di wilayah kota; "
        "sampai sekarang tidak ada yang menangani."
    ),
}

ACTIONS = (
    "Tarik kembali aduan dan disposisikan ke Dinas Pekerjaan Umum.",
    "Tetapkan daftar ruas jalan kota sebagai acuan verifikasi koordinator.",
)


def _eligible(pemda, status, *, closed_before):
    return (
        pemda.complaints.filter(status=status, is_anonymous=False, closed_at__lt=closed_before)
        .order_by("-closed_at", "-pk")
        .first()
    )


def load_ombudsman_demo(pemda, staff, now) -> int:
    """Write the demo's Ombudsman reports; return how many were created (0 when they exist)."""
    if OmbudsmanReport.objects.filter(complaint__pemda=pemda).exists():
        return 0
    ombudsman, koordinator = staff["ombudsman"], staff["koordinator"]
    created = 0

    archived = _eligible(pemda, Status.ARCHIVED, closed_before=now - timedelta(days=8))
    if archived is not None:
        report = services.report_submit(
            complaint_id=archived.pk,
            secret=archived.tracking_secret,
            reason=REASONS[Status.ARCHIVED],
            consent=True,
            now=now - timedelta(days=7),
        )
        services.clarification_request(
            report_id=report.pk,
            user=ombudsman,
            question=(
                "Mohon jelaskan dasar pengarsipan aduan ini dan bagaimana permintaan melengkapi "
                "aduan disampaikan kepada pelapor."
            ),
            now=now - timedelta(days=5),
        )
        created += 1

    forwarded = _eligible(pemda, Status.FORWARDED_OUT, closed_before=now - timedelta(days=45))
    if forwarded is not None:
        closed_at = now - timedelta(days=30)
        report = services.report_submit(
            complaint_id=forwarded.pk,
            secret=forwarded.tracking_secret,
            reason=REASONS[Status.FORWARDED_OUT],
            consent=False,
            now=now - timedelta(days=40),
        )
        services.clarification_request(
            report_id=report.pk,
            user=ombudsman,
            question="Mohon jelaskan mengapa aduan ini dinyatakan bukan kewenangan Pemda.",
            now=now - timedelta(days=38),
        )
        services.clarification_answer(
            report_id=report.pk,
            user=koordinator,
            answer="Lokasi semula kami kira jalan provinsi; setelah dicek ternyata jalan kota.",
            now=now - timedelta(days=33),
        )
        today = closed_at.astimezone(pemda.zoneinfo).date()
        services.report_close(
            report_id=report.pk,
            user=ombudsman,
            finding=Finding.MALADMINISTRATION,
            note="Aduan diteruskan keluar tanpa memeriksa kewenangan atas lokasi: penyimpangan prosedur.",
            actions=[
                ("Tarik kembali aduan dan disposisikan ke Dinas Pekerjaan Umum.", today + timedelta(days=14)),
                (
                    "Tetapkan daftar ruas jalan kota sebagai acuan verifikasi koordinator.",
                    today + timedelta(days=51),
                ),
            ],
            now=closed_at,
        )
        first = report.actions.order_by("due_date", "pk").first()
        services.action_done(
            action_id=first.pk,
            user=koordinator,
            note="Aduan sudah didisposisikan ulang ke DPU dan ditangani.",
            now=closed_at + timedelta(days=10),
        )
        created += 1
    return created
