from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def pct_width(value):
    """A 0–100 value as a CSS width."""
    try:
        return f"{max(0.0, min(100.0, float(value))):.1f}%"
    except (TypeError, ValueError):
        return "0%"
