from django.urls import path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="ops-healthz"),
    path("readyz", views.ReadyView.as_view(), name="ops-readyz"),
    path("metrics", views.metrics, name="ops-metrics"),
]
