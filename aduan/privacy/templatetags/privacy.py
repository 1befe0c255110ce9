"""``{% latest_erasure_request complaint as erasure %}``: the outcome the tracking page shows."""

from django import template

from ..selectors import latest_erasure_request as _latest

register = template.Library()


@register.simple_tag
def latest_erasure_request(complaint):
    return _latest(complaint)
