"""``{% latest_erasure_request complaint as erasure %}``: the outcome the tracking page shows;
``{{ iso|local_time }}``: a moment of the "Data saya" export, local and readable."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from ..selectors import latest_erasure_request as _latest

register = template.Library()


@register.simple_tag
def latest_erasure_request(complaint):
    return _latest(complaint)


@register.filter
def local_time(value, fmt: str = "j F Y, H:i T"):
    """An ISO 8601 moment of the export (UTC) as people read it, in the active time zone (the
    page renders in the Pemda's zone); anything else is shown as it is."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        return value
    return date_format(timezone.localtime(moment), fmt)
