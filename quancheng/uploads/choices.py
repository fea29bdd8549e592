from django.db import models
from django.utils.translation import gettext_lazy as _


class UploadState(models.TextChoices):
    """Where a resumable upload stands. Only ``receiving`` accepts bytes; ``failed``: every
    byte arrived but the recording was refused (the upload's ``error`` says why); an empty
    PATCH at the final offset tries again, DELETE ends it."""

    RECEIVING = "receiving", _("Receiving")
    FAILED = "failed", _("Failed")
    COMPLETED = "completed", _("Completed")
    ABORTED = "aborted", _("Aborted")
    EXPIRED = "expired", _("Expired")
