"""The e-mail that welcomes a new staff member (made by ``manage.py pemda_onboard`` or the admin's
staff import) with a link to set their password: Django's password-reset token flow, through the
outbox like every other message.

The token is never stored: the outbox row holds the name, the Pemda and the roles, and the link is
made when the message is sent (``link_context``), so a copy of the database holds no way into an
account. Once the person has set a password the message (a retry) points to the sign-in page.
"""

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Audience, Channel
from .services import notification_queue, site_url

KIND = "staff_welcome"


def staff_welcome_queue(*, user, pemda_name: str, roles: list[str], now, resend: str = ""):
    """Queue the welcome of ``user`` once (``resend``: a new key, for a link that expired)."""
    return notification_queue(
        key=f"{KIND}:{user.pk}" + (f":{resend}" if resend else ""),
        kind=KIND,
        channel=Channel.EMAIL,
        audience=Audience.STAFF,
        address=user.email,
        now=now,
        recipient_user=user,
        context={"recipient": user.get_full_name(), "pemda": pemda_name, "roles": roles},
    )


def link_context(notification) -> dict:
    """The link of a welcome, made at sending time: a password-setting link while the account has
    no password, else the sign-in page."""
    user = notification.recipient_user
    if user is None or user.has_usable_password():
        return {"link": site_url(reverse("complaints:staff-login")), "email": notification.address}
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("complaints:staff-password-reset-confirm", kwargs={"uidb64": uid, "token": token})
    return {"link": site_url(path), "email": user.email}
