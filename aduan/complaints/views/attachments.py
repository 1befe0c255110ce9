"""Serving attachments, only after an access check."""

from django.http import HttpResponse


def citizen_download(request, secret: str, pk: int):
    return HttpResponse(status=501)


def staff_download(request, pk: int):
    return HttpResponse(status=501)
