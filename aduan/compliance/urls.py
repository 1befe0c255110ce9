from django.urls import path, re_path

from . import views

app_name = "compliance"
urlpatterns = [
    path("", views.index, name="index"),
    re_path(r"^ekspor/pemda\.(?P<fmt>csv|xlsx)$", views.export_league, name="export-league"),
    path("pemda/<int:pk>/", views.pemda_dashboard, name="pemda"),
    path("pemda/<int:pk>/opd/<int:opd_pk>/", views.opd_detail, name="opd"),
    re_path(
        r"^pemda/(?P<pk>\d+)/ekspor/(?P<table>opd|heatmap|nilai|indikator)\.(?P<fmt>csv|xlsx)$",
        views.export_pemda,
        name="export-pemda",
    ),
    path("pemda/<int:pk>/laporan/<int:year>/", views.report, name="report"),
    path("pemda/<int:pk>/penilaian/<int:year>/", views.assessment, name="assessment"),
    path("pemda/<int:pk>/bukti/", views.evidence, name="evidence"),
    path("pemda/<int:pk>/bukti/<int:item_pk>/", views.evidence_download, name="evidence-download"),
    path("pemda/<int:pk>/hitung/<int:year>/", views.recompute_now, name="recompute"),
    path("pemda/<int:pk>/tetapkan/<int:snapshot_pk>/", views.publish, name="publish"),
]
