"""Public pages: the home page (what Aduan is, public figures)."""

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from aduan.agencies.models import Pemda

from ..models import Complaint


def home(request):
    """What Aduan is, the Pemdas it serves and a few public figures (no personal data)."""
    month_start = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    pemdas = Pemda.objects.annotate(
        complaints_total=Count("complaints"),
        complaints_this_month=Count("complaints", filter=Q(complaints__submitted_at__gte=month_start)),
        complaints_open=Count("complaints", filter=Q(complaints__closed_at__isnull=True)),
    ).order_by("name")
    return render(request, "complaints/home.html", {"pemdas": pemdas, "total": Complaint.objects.count()})


def public_list(request):
    return render(request, "complaints/home.html", {"pemdas": [], "total": 0})


def statistics(request):
    return render(request, "complaints/home.html", {"pemdas": [], "total": 0})
