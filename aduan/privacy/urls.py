"""URLs of personal-data protection: the reporter's "Data saya" behind the tracking secret and the
koordinator's erasure requests page."""

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("lacak/<str:secret>/data-saya/", views.my_data, name="my-data"),
    path("lacak/<str:secret>/data-saya.json", views.my_data_json, name="my-data-json"),
    path("lacak/<str:secret>/hapus-data/", views.erasure_request, name="erasure-request"),
    path("staf/penghapusan-data/", views.staff_erasure_list, name="staff-erasure-list"),
    path("staf/penghapusan-data/<int:pk>/", views.staff_erasure_decide, name="staff-erasure-decide"),
]
