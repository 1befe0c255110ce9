"""Admin forms for the e-mail-based User."""

from django.contrib.auth.forms import UserChangeForm as BaseChangeForm
from django.contrib.auth.forms import UserCreationForm as BaseCreationForm

from .models import User


class UserCreationForm(BaseCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserChangeForm(BaseChangeForm):
    class Meta:
        model = User
        fields = ("email", "full_name")
