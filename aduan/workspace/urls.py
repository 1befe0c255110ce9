"""The staff workspace's URLs (/staf/). They share the ``complaints`` namespace with the citizen
portal's (config/urls.py joins the two lists), so every URL name stays ``complaints:<name>``."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .views import (
    attachments,
    ombudsman,
    staff,
    staff_canned,
    staff_detail,
    staff_exports,
    staff_intake,
    staff_mail,
    staff_map,
    staff_public,
    staff_queues,
)

# Staff pages that anyone may open (sign-in, sign-out, password reset); every other "staff-" URL
# is for signed-in staff only and is covered by tests/workspace/test_staff_matrix.py.
STAFF_PUBLIC_URL_NAMES = frozenset(
    {
        "staff-login",
        "staff-logout",
        "staff-password-reset",
        "staff-password-reset-done",
        "staff-password-reset-confirm",
        "staff-password-reset-complete",
    }
)

urlpatterns = [
    # Staff workspace: sign-in and password reset
    path("staf/masuk/", staff.StaffLoginView.as_view(), name="staff-login"),
    path("staf/keluar/", auth_views.LogoutView.as_view(next_page="complaints:home"), name="staff-logout"),
    path("staf/sandi/", staff.StaffPasswordResetView.as_view(), name="staff-password-reset"),
    path(
        "staf/sandi/terkirim/", staff.StaffPasswordResetDoneView.as_view(), name="staff-password-reset-done"
    ),
    path(
        "staf/sandi/<uidb64>/<token>/",
        staff.StaffPasswordResetConfirmView.as_view(),
        name="staff-password-reset-confirm",
    ),
    path(
        "staf/sandi/selesai/",
        staff.StaffPasswordResetCompleteView.as_view(),
        name="staff-password-reset-complete",
    ),
    # Staff workspace: start pages and lists
    path("staf/", staff.staff_complaint_list, name="staff-list"),
    path("staf/beranda/", staff.staff_home, name="staff-home"),
    path("staf/triase/", staff_queues.staff_triage, name="staff-triage"),
    path("staf/triase/massal/", staff_queues.staff_triage_bulk, name="staff-triage-bulk"),
    path("staf/kotak-masuk/", staff_queues.staff_inbox, name="staff-inbox"),
    path("staf/kepala/", staff_queues.staff_kepala, name="staff-kepala"),
    path("staf/ombudsman/", staff_queues.staff_ombudsman, name="staff-ombudsman"),
    path("staf/peta/", staff_map.staff_map, name="staff-map"),
    # Complaints taken to the Ombudsman: the Ombudsman's queue, the koordinator's list, one report
    path("staf/ombudsman/laporan/", ombudsman.staff_ombudsman_reports, name="staff-ombudsman-reports"),
    path("staf/ombudsman/laporan/<int:pk>/", ombudsman.staff_ombudsman_report, name="staff-ombudsman-report"),
    path(
        "staf/ombudsman/laporan/<int:pk>/klarifikasi/",
        ombudsman.staff_ombudsman_clarify,
        name="staff-ombudsman-clarify",
    ),
    path(
        "staf/ombudsman/laporan/<int:pk>/jawaban/",
        ombudsman.staff_ombudsman_answer,
        name="staff-ombudsman-answer",
    ),
    path(
        "staf/ombudsman/laporan/<int:pk>/tutup/",
        ombudsman.staff_ombudsman_close,
        name="staff-ombudsman-close",
    ),
    path(
        "staf/ombudsman/tindakan/<int:pk>/selesai/",
        ombudsman.staff_ombudsman_action_done,
        name="staff-ombudsman-action-done",
    ),
    path("staf/klarifikasi-ombudsman/", ombudsman.staff_ombudsman_pemda, name="staff-ombudsman-pemda"),
    path("staf/ekspor.csv", staff_exports.staff_export_csv, name="staff-export-csv"),
    path("staf/ekspor.xlsx", staff_exports.staff_export_xlsx, name="staff-export-xlsx"),
    path("staf/jawaban/", staff_canned.staff_canned, name="staff-canned"),
    path("staf/jawaban/<int:pk>/", staff_canned.staff_canned_edit, name="staff-canned-edit"),
    # Staff workspace: recording a complaint received off-line (koordinator, petugas loket)
    path("staf/aduan/baru/", staff_intake.staff_intake, name="staff-intake"),
    path("staf/aduan/<int:pk>/tanda-terima/", staff_intake.staff_intake_receipt, name="staff-intake-receipt"),
    # Staff workspace: e-mail the Pemda's mailbox could not use (koordinator)
    path("staf/surel-masuk/", staff_mail.staff_inbound_mail, name="staff-inbound-mail"),
    path(
        "staf/surel-masuk/<int:pk>/asli.eml", staff_mail.staff_inbound_mail_raw, name="staff-inbound-mail-raw"
    ),
    path(
        "staf/surel-masuk/<int:pk>/selesai/",
        staff_mail.staff_inbound_mail_handled,
        name="staff-inbound-mail-handled",
    ),
    # Staff workspace: the complaint page and its actions
    path("staf/aduan/<int:pk>/", staff_detail.staff_complaint_detail, name="staff-detail"),
    path("staf/aduan/<int:pk>/aksi/<str:action>/", staff_detail.staff_transition, name="staff-transition"),
    path("staf/aduan/<int:pk>/tunjuk/", staff_detail.staff_assign, name="staff-assign"),
    path("staf/aduan/<int:pk>/catatan/", staff_detail.staff_note_add, name="staff-note"),
    path("staf/aduan/<int:pk>/lampiran/", staff_detail.staff_attachment_add, name="staff-attachment-add"),
    path("staf/aduan/<int:pk>/gabung/", staff_detail.staff_merge, name="staff-merge"),
    path("staf/aduan/<int:pk>/pantau/", staff_detail.staff_flag, name="staff-flag"),
    path("staf/aduan/<int:pk>/pantau/cabut/", staff_detail.staff_unflag, name="staff-unflag"),
    path("staf/aduan/<int:pk>/publik/", staff_public.staff_public_edit, name="staff-public-edit"),
    path("staf/aduan/<int:pk>/publik/sembunyi/", staff_public.staff_public_hide, name="staff-public-hide"),
    path("staf/aduan/<int:pk>/lokasi/", staff_map.staff_relocate, name="staff-relocate"),
    path("staf/lampiran/<int:pk>/", attachments.staff_download, name="staff-attachment"),
]
