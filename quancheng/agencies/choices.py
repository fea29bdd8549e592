from django.db import models
from django.utils.translation import gettext_lazy as _

from quancheng.policies.choices import Role

__all__ = ["AgencyLevel", "Role"]


class AgencyLevel(models.TextChoices):
    """Levels of the hierarchy, from the top down."""

    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District or county")
    AGENCY = "agency", _("Enforcement agency")
    WORK_GROUP = "work_group", _("Work group")


LEVEL_ORDER = [level.value for level in AgencyLevel]
