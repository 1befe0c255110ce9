"""Abstract building blocks shared by every app."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Adds ``created_at`` and ``updated_at`` (UTC) to a model."""

    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        abstract = True


COORDINATE_LIMITS = {"latitude": 90, "longitude": 180}


def coordinate_field(axis: str, verbose_name, **kwargs) -> models.DecimalField:
    """A latitude or longitude (``axis``) in degrees, 6 decimal places (about 10 cm), optional,
    within ±90 or ±180 (a complaint's pin, a Pemda's map centre)."""
    limit = COORDINATE_LIMITS[axis]
    return models.DecimalField(
        verbose_name,
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-limit), MaxValueValidator(limit)],
        **kwargs,
    )
