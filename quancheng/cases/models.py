"""Cases, their parties, and their records with every version kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from quancheng.cases.choices import PartyKind, SignerRole, StartMode

if TYPE_CHECKING:
    from quancheng.agencies.models import User


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: User) -> CaseQuerySet:
        """Cases a user may read: their own agency's, and for a supervisor every agency below."""
        from quancheng.agencies.permissions import visible_agencies

        return self.filter(agency__in=visible_agencies(user))


class Case(models.Model):
    """An enforcement case or activity (案件 / 执法活动), evaluated under the pack its agency
    was bound to when it opened."""

    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="cases"
    )
    pack_id = models.CharField(_("policy pack"), max_length=64)
    number = models.CharField(_("case number"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    action_types = models.JSONField(_("action types"), default=list)
    start_mode = models.CharField(_("start mode"), max_length=16, choices=StartMode.choices)
    is_major = models.BooleanField(_("major decision"), default=False)
    confidential = models.BooleanField(
        _("involves secrets or privacy"),
        default=False,
        help_text=_("State secrets, trade secrets or personal privacy (anhui §20)."),
    )
    stage = models.CharField(_("stage"), max_length=64)
    opened_at = models.DateTimeField(_("opened"))
    ended_at = models.DateTimeField(_("enforcement ended"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    officers = models.ManyToManyField(
        "agencies.Officer", verbose_name=_("officers"), related_name="cases", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="case_number_per_agency")
        ]
        # The lists' order: a page of the newest cases without sorting every visible case.
        indexes = [models.Index(fields=["-opened_at", "-id"], name="case_newest_first")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Party(models.Model):
    """A party (当事人) to a case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties")
    kind = models.CharField(_("kind"), max_length=16, choices=PartyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    id_number = models.CharField(_("identity or credit code"), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Record(models.Model):
    """A record (记录) of one kind in one stage. Its content lives in its versions; the row
    itself never changes."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="records")
    kind = models.CharField(_("kind"), max_length=64)
    stage = models.CharField(_("stage"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("record")
        verbose_name_plural = _("records")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:record", args=[self.case_id, self.pk])

    def latest_version(self) -> RecordVersion:
        return self.versions.order_by("-number").first()  # type: ignore[return-value]

    def next_version_number(self) -> int:
        return (self.versions.aggregate(n=Max("number"))["n"] or 0) + 1


class RecordVersion(models.Model):
    """One version of a record's content. A correction is a new version that points at the
    one it corrects and says why (hebei §12: the party confirms corrections)."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    fields = models.JSONField(default=dict)
    occurred_at = models.DateTimeField(_("occurred"))
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    correction_reason = models.TextField(_("reason for correction"), blank=True)
    doc_number = models.CharField(_("document number"), max_length=100, blank=True)
    doc_issued_on = models.DateField(_("issue date"), null=True, blank=True)
    doc_sealed = models.BooleanField(_("sealed by the agency"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("record version")
        verbose_name_plural = _("record versions")
        ordering = ["record_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="one_number_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.record} v{self.number}"


class SignatureRefusal(models.Model):
    """A party's refusal to sign, noted on the document (hebei §12); officers attest it by
    signing with ``Signature.refusal`` pointing here."""

    version = models.ForeignKey(RecordVersion, on_delete=models.PROTECT, related_name="refusals")
    note = models.TextField(_("note"))
    noted_at = models.DateTimeField(_("noted"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refusal to sign")
        verbose_name_plural = _("refusals to sign")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.note[:40]


class Signature(models.Model):
    """A signature, print or seal on a record version."""

    version = models.ForeignKey(RecordVersion, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(_("signer role"), max_length=16, choices=SignerRole.choices)
    signer_name = models.CharField(_("signer"), max_length=200)
    officer = models.ForeignKey(
        "agencies.Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refusal = models.ForeignKey(
        SignatureRefusal,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attestations",
    )
    signed_at = models.DateTimeField(_("signed"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.signer_name}"


class CaseCompliance(models.Model):
    """The latest evaluation of a case, kept so lists can filter on it. A cache, rebuilt by
    every action that changes the case; the findings themselves are always recomputed."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="compliance")
    errors = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    next_deadline_at = models.DateTimeField(null=True, db_index=True)
    evaluated_at = models.DateTimeField()
    # One more at every refresh: the key under which the case's snapshot is kept.
    revision = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("compliance summary")
        verbose_name_plural = _("compliance summaries")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.errors} errors"
