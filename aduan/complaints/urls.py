from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.home, name="home"),
    path("lacak/<str:secret>/", views.track, name="track"),
    path("staf/masuk/", views.StaffLoginView.as_view(), name="staff-login"),
    path("staf/keluar/", auth_views.LogoutView.as_view(next_page="complaints:home"), name="staff-logout"),
    path("staf/", views.staff_complaint_list, name="staff-list"),
    path("staf/aduan/<int:pk>/", views.staff_complaint_detail, name="staff-detail"),
]
