"""Open311 GeoReport v2 (mounted at /open311/): /open311/v2/<resource>.<xml|json>."""

from django.urls import re_path

from . import views

app_name = "open311"
FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    re_path(r"^v2/discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^v2/services" + FMT, views.services, name="services"),
    re_path(r"^v2/services/(?P<service_code>[^/]{1,64})" + FMT, views.service_definition, name="service"),
    re_path(r"^v2/requests" + FMT, views.requests, name="requests"),
    re_path(r"^v2/requests/(?P<request_id>[^/]{1,64})" + FMT, views.request_detail, name="request"),
    re_path(r"^v2/tokens/(?P<token>[^/]{1,200})" + FMT, views.token, name="token"),
]
