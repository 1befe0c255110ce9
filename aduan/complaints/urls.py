from django.contrib.auth import views as auth_views
from django.urls import path

from .views import attachments, filing, portal, staff, tracking

app_name = "complaints"
urlpatterns = [
    # Citizen portal
    path("", portal.home, name="home"),
    path("publik/", portal.public_list, name="public-list"),
    path("statistik/", portal.statistics, name="statistics"),
    path("aduan/", filing.file_complaint, name="file"),
    path("aduan/terkirim/", filing.submitted, name="submitted"),
    path("aduan/serupa/", filing.similar, name="similar"),
    path("aduan/<int:pk>/dukung/", filing.support, name="support"),
    path("lacak/", tracking.track_lookup, name="track-lookup"),
    path("lacak/<str:secret>/", tracking.track, name="track"),
    path("lacak/<str:secret>/aksi/", tracking.track_action, name="track-action"),
    path("lacak/<str:secret>/nilai/", tracking.rate, name="rate"),
    path("lacak/<str:secret>/survei/", tracking.skm, name="skm"),
    path("lacak/<str:secret>/lampiran/<int:pk>/", attachments.citizen_download, name="citizen-attachment"),
    # Staff workspace
    path("staf/masuk/", staff.StaffLoginView.as_view(), name="staff-login"),
    path("staf/keluar/", auth_views.LogoutView.as_view(next_page="complaints:home"), name="staff-logout"),
    path("staf/", staff.staff_complaint_list, name="staff-list"),
    path("staf/aduan/<int:pk>/", staff.staff_complaint_detail, name="staff-detail"),
    path("staf/lampiran/<int:pk>/", attachments.staff_download, name="staff-attachment"),
]
