"""The citizen portal's URLs. They share the ``complaints`` namespace with the staff workspace's
(config/urls.py joins the two lists), so every URL name citizens' links and templates use stays
``complaints:<name>``."""

from django.urls import path

from .views import attachments, filing, portal, public_page, tracking, tracking_ombudsman

urlpatterns = [
    path("", portal.home, name="home"),
    path("publik/", portal.public_list, name="public-list"),
    path("publik/<str:ticket>/", public_page.public_detail, name="public-detail"),
    path("publik/<str:ticket>/foto/<int:pk>/", public_page.public_photo, name="public-photo"),
    path("statistik/", portal.statistics, name="statistics"),
    path("aduan/", filing.file_complaint, name="file"),
    path("aduan/terkirim/", filing.submitted, name="submitted"),
    path("aduan/serupa/", filing.similar, name="similar"),
    path("aduan/<int:pk>/dukung/", filing.support, name="support"),
    path("lacak/", tracking.track_lookup, name="track-lookup"),
    path("lacak/<str:secret>/", tracking.track, name="track"),
    path("lacak/<str:secret>/aksi/", tracking.track_action, name="track-action"),
    path("lacak/<str:secret>/ombudsman/", tracking_ombudsman.track_ombudsman, name="track-ombudsman"),
    path("lacak/<str:secret>/nilai/", tracking.rate, name="rate"),
    path("lacak/<str:secret>/survei/", tracking.skm, name="skm"),
    path("lacak/<str:secret>/lampiran/<int:pk>/", attachments.citizen_download, name="citizen-attachment"),
]
