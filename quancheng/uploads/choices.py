from django.db import models
from django.utils.translation import gettext_lazy as _


class UploadState(models.TextChoices):
    """Where a resumable upload stands. Only ``receiving`` accepts bytes."""

    RECEIVING = "receiving", _("Receiving")
    COMPLETED = "completed", _("Completed")
    ABORTED = "aborted", _("Aborted")
    EXPIRED = "expired", _("Expired")
