"""The ceiling to compare against: a bare DRF create (one ModelSerializer, one INSERT, no domain
work) served by the same gunicorn on the same database, beside the project's own URLs."""

from django.urls import include, path
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from aduan.agencies.models import Province


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["id", "name", "code"]


class BareCreate(generics.CreateAPIView):
    serializer_class = ProvinceSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []


urlpatterns = [
    path("bench/bare-create/", BareCreate.as_view()),
    path("", include("config.urls")),
]
