"""Whether a Pemda requires two-factor sign-in of a staff member: its koordinator, and the
Ombudsman staff of its province, once the Pemda turns on ``two_factor_required``. aduan.users asks
this through the check registered in ``AgenciesConfig.ready()`` (users sits below agencies)."""

from .selectors import staff_roles


def required_by_pemda(user) -> bool:
    """Whether a Pemda that turned on two-factor counts this user among its koordinator or the
    Ombudsman staff of its province (active memberships only). Read with the user's roles, in
    the same query (``staff_roles``), once per request."""
    if not user.is_authenticated:
        return False
    return staff_roles(user).two_factor_required
