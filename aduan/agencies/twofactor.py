"""Whether a Pemda requires two-factor sign-in of a staff member: its koordinator, and the
Ombudsman staff of its province, once the Pemda turns on ``two_factor_required``. aduan.users asks
this through the check registered in ``AgenciesConfig.ready()`` (users sits below agencies)."""

from django.db.models import Q

from .models import Role, StaffMembership


def required_by_pemda(user) -> bool:
    """Whether a Pemda that turned on two-factor counts this user among its koordinator or the
    Ombudsman staff of its province (active memberships only)."""
    if not user.is_authenticated:
        return False
    return (
        StaffMembership.objects.filter(user=user, is_active=True)
        .filter(
            Q(role=Role.KOORDINATOR, pemda__two_factor_required=True)
            | Q(role=Role.OMBUDSMAN, province__pemdas__two_factor_required=True)
        )
        .exists()
    )
