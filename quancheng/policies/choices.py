"""The shared vocabulary that packs, cases and the exchange format agree on."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionType(models.TextChoices):
    """Kinds of administrative enforcement action (行政执法行为)."""

    PENALTY = "penalty", _("Administrative penalty")
    COMPULSION = "compulsion", _("Administrative compulsion")
    INSPECTION = "inspection", _("Administrative inspection")
    EXPROPRIATION = "expropriation", _("Administrative levy or requisition")
    LICENSING = "licensing", _("Administrative licensing")


class StartMode(models.TextChoices):
    """How a case began: on the agency's own authority, or on an application."""

    EX_OFFICIO = "ex_officio", _("On the agency's own authority")
    ON_APPLICATION = "on_application", _("On application")


class Severity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")


class DeadlineUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")
    WORKING_DAYS = "working_days", _("working days")


class ScenarioMode(models.TextChoices):
    """Whether the pack makes audio-visual recording mandatory, optional or unsuitable."""

    MANDATORY = "mandatory", _("Mandatory")
    DISCRETIONARY = "discretionary", _("As circumstances require")
    UNSUITABLE = "unsuitable", _("Unsuitable")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONGTEXT = "longtext", _("Long text")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    BOOLEAN = "boolean", _("Yes or no")
    CHOICE = "choice", _("Choice")
    MULTICHOICE = "multichoice", _("Several choices")
    INTEGER = "integer", _("Number")
    OFFICERS = "officers", _("Officers (certificate numbers)")


class Role(models.TextChoices):
    """What a user may do; a user holds one or more roles in one agency."""

    OFFICER = "officer", _("Enforcement officer")
    LEGAL_REVIEWER = "legal_reviewer", _("Legal reviewer")
    HEAD = "head", _("Agency head")
    ARCHIVIST = "archivist", _("Archivist")
    DEVICE_KEEPER = "device_keeper", _("Device keeper")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")


class DelayReason(models.TextChoices):
    """Why a recording could not be stored on time (anhui §17, culture-tourism §15)."""

    CONTINUOUS = "continuous", _("Continuous enforcement work")
    REMOTE = "remote", _("Work away from the agency's area")
    REMOTE_AREA = "remote_area", _("Remote or hard-to-reach area")
    WATER = "water", _("Work on water")


class InterruptionReason(models.TextChoices):
    EQUIPMENT = "equipment", _("Equipment failure")
    WEATHER = "weather", _("Bad weather")
    OBSTRUCTION = "obstruction", _("Obstruction by people present")
    OTHER = "other", _("Other")


class SignerRole(models.TextChoices):
    PARTY = "party", _("Party")
    OFFICER = "officer", _("Officer")
    WITNESS = "witness", _("Witness")
    REVIEWER = "reviewer", _("Reviewer")
    APPROVER = "approver", _("Approver")
