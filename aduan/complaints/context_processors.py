"""Template context: the staff menu on pages of other apps that staff use (the compliance
dashboard), so a signed-in officer keeps their own navigation there."""

STAFF_APPS = frozenset({"compliance"})


def staff_navigation(request) -> dict:
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or match.app_name not in STAFF_APPS or user is None or not user.is_authenticated:
        return {}
    from .views.staff_common import staff_nav, staff_user

    nav = staff_nav(user)
    return {"staff_nav": nav, "staff_me": staff_user(user)} if nav else {}
