from django.db import models
from django.utils.translation import gettext_lazy as _

from quancheng.policies.choices import ActionType, SignerRole, StartMode

__all__ = ["ActionType", "PartyKind", "SignerRole", "StartMode"]


class PartyKind(models.TextChoices):
    PERSON = "person", _("Natural person")
    ORGANISATION = "organisation", _("Legal person or other organisation")
