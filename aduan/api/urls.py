"""The REST API (/api/v1/), its OpenAPI schema (/api/schema/) and documentation pages
(/api/docs/ Swagger UI, /api/redoc/ ReDoc), served from local static files (sidecar)."""

from csp.decorators import csp_replace
from django.http import JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from aduan.core.exceptions import NotFound

from .views import (
    auth,
    canned,
    citizen,
    citizen_filing,
    compliance,
    gateway,
    ombudsman,
    privacy,
    reference,
    staff,
    webhooks,
)


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any other address under /api/: the API's JSON 404, never an HTML page."""
    return JsonResponse({"code": NotFound.code, "message": str(NotFound.default_message)}, status=404)


app_name = "api"

# ReDoc writes its styles into <style> elements while it runs (styled-components) and searches in a
# blob: worker: that page alone allows inline styles; its scripts still need the nonce.
REDOC_CSP = {"style-src": ["'self'", "'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}

v1 = [
    # Access
    path("auth/token/", auth.TokenApi.as_view(), name="token"),
    path("me/", auth.MeApi.as_view(), name="me"),
    # Reference data
    path("pemdas/", reference.PemdaListApi.as_view(), name="pemda-list"),
    path("pemdas/<str:code>/", reference.PemdaDetailApi.as_view(), name="pemda-detail"),
    path("pemdas/<str:code>/opds/", reference.OpdListApi.as_view(), name="opd-list"),
    path("pemdas/<str:code>/areas/", reference.KelurahanListApi.as_view(), name="area-list"),
    path("pemdas/<str:code>/categories/", reference.CategoryListApi.as_view(), name="category-list"),
    path("pemdas/<str:code>/holidays/", reference.HolidayListApi.as_view(), name="holiday-list"),
    path("sla-policies/", reference.SlaPolicyListApi.as_view(), name="sla-policy-list"),
    # Compliance (read-only, scoped by role)
    path("metrics/", compliance.MetricsApi.as_view(), name="metrics"),
    path("pemdas/<str:code>/scores/", compliance.ScoreListApi.as_view(), name="score-list"),
    path("pemdas/<str:code>/scores/<int:year>/", compliance.ScoreYearListApi.as_view(), name="score-year"),
    # Citizens
    path("complaints/", citizen_filing.ComplaintFileApi.as_view(), name="complaint-file"),
    path("complaints/public/", citizen_filing.PublicComplaintListApi.as_view(), name="complaint-public-list"),
    path("complaints/<int:pk>/support/", citizen_filing.SupportApi.as_view(), name="complaint-support"),
    path("track/<str:secret>/", citizen.TrackApi.as_view(), name="track"),
    path("track/<str:secret>/attachments/", citizen.AttachmentAddApi.as_view(), name="track-attachments"),
    path("track/<str:secret>/complete/", citizen.CompleteApi.as_view(), name="track-complete"),
    path("track/<str:secret>/reply/", citizen.ReplyApi.as_view(), name="track-reply"),
    path("track/<str:secret>/reject/", citizen.RejectApi.as_view(), name="track-reject"),
    path("track/<str:secret>/accept/", citizen.AcceptApi.as_view(), name="track-accept"),
    path("track/<str:secret>/reopen/", citizen.ReopenApi.as_view(), name="track-reopen"),
    path("track/<str:secret>/rating/", citizen.RateApi.as_view(), name="track-rating"),
    path("track/<str:secret>/skm/", citizen.SkmApi.as_view(), name="track-skm"),
    path("track/<str:secret>/my-data/", privacy.MyDataApi.as_view(), name="track-my-data"),
    # Staff
    path("staff/complaints/", staff.ComplaintListApi.as_view(), name="staff-complaint-list"),
    path("staff/complaints/bulk-transitions/", staff.BulkTransitionApi.as_view(), name="staff-bulk"),
    path("staff/complaints/<int:pk>/", staff.ComplaintDetailApi.as_view(), name="staff-complaint-detail"),
    path("staff/complaints/<int:pk>/events/", staff.EventListApi.as_view(), name="staff-events"),
    path("staff/complaints/<int:pk>/transitions/", staff.TransitionApi.as_view(), name="staff-transitions"),
    path("staff/complaints/<int:pk>/follow-ups/", staff.FollowUpApi.as_view(), name="staff-follow-ups"),
    path("staff/complaints/<int:pk>/notes/", staff.NoteListApi.as_view(), name="staff-notes"),
    path("staff/complaints/<int:pk>/assignment/", staff.AssignmentApi.as_view(), name="staff-assignment"),
    path("staff/complaints/<int:pk>/flag/", staff.FlagApi.as_view(), name="staff-flag"),
    path("staff/complaints/<int:pk>/merge/", staff.MergeApi.as_view(), name="staff-merge"),
    path("staff/complaints/<int:pk>/attachments/", staff.EvidenceAddApi.as_view(), name="staff-attachments"),
    path("staff/canned-responses/", canned.CannedListApi.as_view(), name="canned-list"),
    path("staff/canned-responses/<int:pk>/", canned.CannedDetailApi.as_view(), name="canned-detail"),
    path("ombudsman/reports/", ombudsman.ReportListApi.as_view(), name="ombudsman-report-list"),
    path("ombudsman/reports/<int:pk>/", ombudsman.ReportDetailApi.as_view(), name="ombudsman-report-detail"),
    path("gateway/inbound/", gateway.GatewayInboundApi.as_view(), name="gateway-inbound"),
    path("staff/webhooks/", webhooks.WebhookListApi.as_view(), name="webhook-list"),
    path("staff/webhooks/<int:pk>/", webhooks.WebhookDetailApi.as_view(), name="webhook-detail"),
]

urlpatterns = [
    *(path(f"v1/{p.pattern}", p.callback, name=p.name) for p in v1),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", csp_replace(REDOC_CSP)(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
    re_path(r"^", not_found),
]
