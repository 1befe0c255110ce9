"""The custom User: staff and (optionally) citizens sign in with their e-mail address.

Roles are not on the user: they come from StaffMembership rows (aduan.agencies), so one person can
hold several roles in several places, and a citizen needs no account at all.
"""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from aduan.core.history import config_history


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


# Admin powers only: no e-mail, name or password hash is copied into the history.
@config_history(model_name="UserEvent", fields=["is_active", "is_staff", "is_superuser"])
class User(AbstractUser):
    """A person who signs in with an e-mail address (no username)."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("alamat e-mail"), unique=True)
    full_name = models.CharField(_("nama lengkap"), max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def save(self, *args, **kwargs) -> None:
        # A new password (set_password, then save) revokes the API tokens: a stolen password may
        # have been turned into tokens, and changing it must end them too (aduan.users.tokens).
        # So does deactivating the account: its tokens are refused while it is inactive, and
        # must not work again if it is reactivated (a staff member who left and came back
        # asks for a new token).
        revoke = self.pk is not None and (self._password is not None or not self.is_active)
        super().save(*args, **kwargs)
        if revoke:
            from .tokens import api_tokens_revoke

            api_tokens_revoke(self)

    def clean(self) -> None:
        super().clean()
        self.email = type(self).objects.normalize_email(self.email).lower()
