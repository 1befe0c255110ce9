"""Filing a complaint: the form, duplicate suggestions, "+1" support and the page after submitting."""

from django.http import HttpResponse


def file_complaint(request):
    return HttpResponse(status=501)


def submitted(request):
    return HttpResponse(status=501)


def similar(request):
    return HttpResponse(status=501)


def support(request, pk: int):
    return HttpResponse(status=501)
