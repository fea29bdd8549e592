"""Issued documents: each PDF revision (sealed, then each further signature) is a row that
is never changed, pointing at its file by SHA-256."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    SEALED = "sealed", _("Sealed by the agency")
    OFFICER = "officer", _("Signed by an officer")
    PARTY = "party", _("Signed by the party (witnessed)")
    REFUSAL = "refusal", _("Party refused to sign (witnessed)")


class Document(models.Model):
    """One PDF of a document record version. ``previous`` is the PDF it was signed onto."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="documents")
    version = models.ForeignKey(
        "cases.RecordVersion", on_delete=models.PROTECT, related_name="documents"
    )
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next"
    )
    step = models.CharField(_("step"), max_length=16, choices=Step.choices)
    signer = models.CharField(_("signer"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveIntegerField(_("size"))
    timestamped = models.BooleanField(_("timestamped"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("document PDF")
        verbose_name_plural = _("document PDFs")
        ordering = ["id"]
        constraints = [
            # One sealed original per record version; later PDFs chain from it.
            models.UniqueConstraint(
                fields=["version"],
                condition=models.Q(previous__isnull=True),
                name="one_sealed_pdf_per_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.sha256[:12]}"

    @property
    def filename(self) -> str:
        number = self.version.doc_number or self.case.number
        return f"{number}-{self.pk}.pdf"
