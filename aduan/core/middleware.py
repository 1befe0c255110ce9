"""RejectNulMiddleware (below) and NoStoreMiddleware (at the end).

RejectNulMiddleware: a page request whose address, query string or form fields carry the NUL
character (U+0000) is answered 400 before any view runs.

No form or page accepts NUL (PostgreSQL cannot store it, and no person types it), but some views
read raw values (a tracking secret in the path, a note from ``request.POST``, ``?pemda=``) and
would pass it to the database, where PostgreSQL fails (a 500) and SQLite stores it. File contents
are not inspected (binary files hold NUL bytes). The REST API and Open311 are left alone: their
serializers and parameters refuse or remove NUL themselves and answer in their own error format."""

from django.http import HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers

from .validators import NUL_MESSAGE, has_nul

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
SKIP_PREFIXES = ("/api/", "/open311/")


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(SKIP_PREFIXES) and self._carries_nul(request):
            return HttpResponseBadRequest(str(NUL_MESSAGE), content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if has_nul(request.path, *request.GET.lists()):
            return True
        if request.method != "POST" or not request.content_type.startswith(FORM_TYPES):
            return False
        # A body too big or with too many fields raises SuspiciousOperation here: Django's 400.
        return has_nul(*request.POST.lists())


# Pages that show a person's complaint, identity or work: never kept by a browser's or a proxy's
# cache (a shared computer, the back button after signing out, an intermediary cache).
NO_STORE_PREFIXES = ("/staf/", "/kepatuhan/", "/lacak/", "/api/v1/track/")


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (with Django's never-cache headers) on staff pages, the
    compliance dashboard and the citizen's tracking pages, whatever the view answered (a view's own
    ``no-store``, e.g. ``private, no-store`` on downloads, is kept as it is)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(NO_STORE_PREFIXES) and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
