"""Template context: the staff menu on pages of other apps that staff use (the compliance
dashboard, the koordinator's erasure requests), so a signed-in officer keeps their own navigation
there without those apps importing the workspace."""

from aduan.agencies.selectors import staff_roles

STAFF_APPS = frozenset({"compliance"})
STAFF_PAGES = frozenset({("privacy", "staff-erasure-list"), ("privacy", "staff-erasure-decide")})


def staff_navigation(request) -> dict:
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or user is None or not user.is_authenticated:
        return {}
    if match.app_name not in STAFF_APPS and (match.app_name, match.url_name) not in STAFF_PAGES:
        return {}
    from .views.staff_common import staff_nav

    me = staff_roles(user)
    if not me.is_staff_member:  # signed in without a role (e.g. on a 403 page): the public menu
        return {}
    nav = staff_nav(user)
    return {"staff_nav": nav, "staff_me": me} if nav else {}
