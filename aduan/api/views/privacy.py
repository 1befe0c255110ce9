"""The reporter's copy of their data through the API: ``GET /api/v1/track/<secret>/my-data/``.

The same export as the "Data saya" page (``aduan.privacy.selectors.personal_data_export``),
registered in aduan/api/urls.py next to the other tracking endpoints and throttled like them.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from aduan.complaints import selectors as complaint_selectors
from aduan.privacy.selectors import personal_data_export

from ..schema import ERRORS_404
from ..throttling import TrackThrottle
from .citizen import RatingOutput


class MyDataComplaintOutput(serializers.Serializer):
    ticket_number = serializers.CharField()
    pemda = serializers.CharField()
    title = serializers.CharField()
    chronology = serializers.CharField()
    classification = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    incident_date = serializers.CharField(allow_null=True)
    location_text = serializers.CharField(allow_blank=True)
    latitude = serializers.CharField(allow_null=True)
    longitude = serializers.CharField(allow_null=True)
    channel = serializers.CharField()
    is_anonymous = serializers.BooleanField()
    is_confidential = serializers.BooleanField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    submitted_at = serializers.CharField()
    closed_at = serializers.CharField(allow_null=True)
    forwarded_to = serializers.CharField(allow_blank=True)


class MyDataIdentityOutput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    nik = serializers.CharField(allow_blank=True)
    language = serializers.CharField()
    anonymised_at = serializers.CharField(allow_null=True, help_text="Waktu identitas dihapus, bila sudah.")


class MyDataAccountOutput(serializers.Serializer):
    email = serializers.CharField()
    name = serializers.CharField(allow_blank=True)


class MyDataAttachmentOutput(serializers.Serializer):
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.CharField()
    from_reporter = serializers.BooleanField()
    purged_at = serializers.CharField(allow_null=True)


class MyDataTimelineOutput(serializers.Serializer):
    at = serializers.CharField()
    action = serializers.CharField()
    label = serializers.CharField()
    status = serializers.CharField()
    note = serializers.CharField(allow_blank=True)


class MyDataRatingOutput(RatingOutput):
    at = serializers.CharField()


class MyDataSkmAnswerOutput(serializers.Serializer):
    element = serializers.CharField()
    label = serializers.CharField()
    value = serializers.IntegerField()


class MyDataSkmOutput(serializers.Serializer):
    answers = MyDataSkmAnswerOutput(many=True)
    at = serializers.CharField()


class MyDataNotificationOutput(serializers.Serializer):
    channel = serializers.CharField()
    address = serializers.CharField(allow_blank=True, help_text="Kosong bila sudah dihapus.")
    subject = serializers.CharField(allow_blank=True)
    state = serializers.CharField()
    created_at = serializers.CharField()
    sent_at = serializers.CharField(allow_null=True)


class MyDataProcessingOutput(serializers.Serializer):
    at = serializers.CharField()
    action = serializers.CharField()
    action_label = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    opd = serializers.CharField(allow_blank=True)
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField()


class MyDataHopOutput(serializers.Serializer):
    opd = serializers.CharField()
    started_at = serializers.CharField()
    ended_at = serializers.CharField(allow_null=True)


class MyDataErasureOutput(serializers.Serializer):
    status = serializers.CharField()
    status_label = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.CharField()
    decided_at = serializers.CharField(allow_null=True)
    decision_note = serializers.CharField(allow_blank=True)


class MyDataOmbudsmanReportOutput(serializers.Serializer):
    ground = serializers.CharField()
    ground_label = serializers.CharField()
    reason = serializers.CharField()
    identity_shared = serializers.BooleanField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    submitted_at = serializers.CharField()
    finding = serializers.CharField(allow_blank=True)
    finding_label = serializers.CharField(allow_blank=True)
    finding_note = serializers.CharField(allow_blank=True)
    closed_at = serializers.CharField(allow_null=True)


class MyDataRetentionOutput(serializers.Serializer):
    data_class = serializers.CharField()
    days = serializers.IntegerField()
    until = serializers.CharField(allow_null=True)


class MyDataOutput(serializers.Serializer):
    format_version = serializers.IntegerField()
    generated_at = serializers.CharField()
    controller = serializers.CharField(help_text="Pengendali data pribadi: pemerintah daerah.")
    complaint = MyDataComplaintOutput()
    identity = MyDataIdentityOutput(allow_null=True)
    account = MyDataAccountOutput(allow_null=True)
    attachments = MyDataAttachmentOutput(many=True)
    timeline = MyDataTimelineOutput(many=True)
    rating = MyDataRatingOutput(allow_null=True)
    skm = MyDataSkmOutput(allow_null=True)
    notifications = MyDataNotificationOutput(many=True)
    processing = MyDataProcessingOutput(
        many=True, help_text="Riwayat pemrosesan: peran dan OPD, tanpa nama petugas dan catatan internal."
    )
    opd_hops = MyDataHopOutput(many=True)
    ombudsman_report = MyDataOmbudsmanReportOutput(
        allow_null=True, help_text="Laporan pelapor ke Ombudsman tentang aduan ini, bila ada."
    )
    erasure_requests = MyDataErasureOutput(many=True)
    retention = MyDataRetentionOutput(many=True)


@extend_schema(
    tags=["Pelapor"],
    summary="Salinan data pribadi saya",
    parameters=[
        OpenApiParameter("secret", str, OpenApiParameter.PATH, description="Kode pelacakan rahasia.")
    ],
    responses={200: MyDataOutput, **ERRORS_404},
)
class MyDataApi(APIView):
    """All data held about the reporter of this complaint and its processing history (UU 27/2022
    hak akses): the complaint, the reporter's identity, files, public timeline, rating and survey,
    messages sent to them, who processed it (role and OPD, never staff names), their report to the
    Ombudsman, erasure requests and the retention of each data class."""

    permission_classes = [AllowAny]
    throttle_classes = [TrackThrottle]

    def get(self, request, secret: str):
        complaint = complaint_selectors.complaint_by_secret(secret)
        body = MyDataOutput(personal_data_export(complaint=complaint, secret=secret)).data
        return Response(body, headers={"Cache-Control": "private, no-store"})
