"""E-mail the Pemda's mailbox received that could not be used (complaints.mail_intake): the
koordinator's list at /staf/surel-masuk/ (their own Pemdas only), each message's original to
download (.eml), and a button to mark it handled. Never lost: a handled message stays listed under
"all"."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aduan.agencies.selectors import staff_roles
from aduan.complaints.mail_intake import inbound_mail_mark_handled
from aduan.complaints.selectors import inbound_mail_kept_for
from aduan.core.exceptions import NotFound

from .staff_common import PAGE_SIZE, forbid, staff_render, staff_required


def _koordinator_only(request) -> None:
    if not staff_roles(request.user).is_koordinator:
        forbid()


@staff_required
def staff_inbound_mail(request):
    _koordinator_only(request)
    show_all = request.GET.get("semua") == "1"
    rows = inbound_mail_kept_for(request.user).defer("raw")
    if not show_all:
        rows = rows.filter(handled_at__isnull=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    first = page.object_list[0].pemda if page.object_list else None
    return staff_render(
        request,
        "complaints/staff/inbound_mail.html",
        {"title": _("Surel yang tidak dapat diproses"), "page": page, "show_all": show_all,
         "pemda_for_zone": first},
    )  # fmt: skip


@staff_required
def staff_inbound_mail_raw(request, pk: int):
    _koordinator_only(request)
    row = inbound_mail_kept_for(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404
    response = HttpResponse(bytes(row.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="surel-{row.pk}.eml"'
    return response


@require_POST
@staff_required
def staff_inbound_mail_handled(request, pk: int):
    _koordinator_only(request)
    try:
        inbound_mail_mark_handled(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Surel ditandai sudah ditangani."))
    return redirect("complaints:staff-inbound-mail")
