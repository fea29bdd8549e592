"""Agencies in their hierarchy, user accounts, and enforcement officers."""

from __future__ import annotations

from typing import ClassVar, Self

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from quancheng.agencies.choices import LEVEL_ORDER, AgencyLevel, Role


class AgencyQuerySet(models.QuerySet["Agency"]):
    def below(self, agency: Agency) -> AgencyQuerySet:
        """The agency and every unit under it."""
        return self.filter(path__startswith=agency.path)


class Agency(models.Model):
    """A unit of the hierarchy: province → city → district → agency (行政执法机关) → work group.

    ``path`` holds the codes from the top down (``/anhui/hefei/…/``), so "every unit below"
    is a prefix query. The parent never changes once set.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=AgencyLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=1000, editable=False, db_index=True)
    pack_id = models.CharField(_("policy pack"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.path = (self.parent.path if self.parent else "/") + f"{self.code}/"
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        from quancheng.policies.registry import all_packs

        if self.pack_id not in all_packs():
            raise ValidationError({"pack_id": _("Unknown policy pack.")})
        if self.parent is not None:
            if LEVEL_ORDER.index(self.parent.level) >= LEVEL_ORDER.index(self.level):
                raise ValidationError({"parent": _("A parent must be at a higher level.")})
        elif self.level == AgencyLevel.WORK_GROUP:
            raise ValidationError({"parent": _("A work group belongs to an agency.")})

    @property
    def enforcement_agency(self) -> Agency:
        """The agency a work group belongs to (itself for any other level)."""
        agency = self
        while agency.level == AgencyLevel.WORK_GROUP and agency.parent is not None:
            agency = agency.parent
        return agency


class User(AbstractUser):
    """An account in one agency, holding one or more roles."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    roles = models.JSONField(_("roles"), default=list, blank=True)

    objects: ClassVar[UserManager[Self]] = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        unknown = [r for r in self.roles if r not in Role.values]
        if unknown:
            raise ValidationError({"roles": _("Unknown role: %(r)s") % {"r": ", ".join(unknown)}})
        if self.roles and self.agency_id is None:
            raise ValidationError({"agency": _("A user with a role belongs to an agency.")})

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


class Officer(models.Model):
    """An enforcement officer (行政执法人员) with an enforcement certificate (执法证号).

    Separate from ``User``: a case names the officers who acted, and an imported case may
    name officers who hold no account here.
    """

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="officers"
    )
    name = models.CharField(_("name"), max_length=100)
    cert_no = models.CharField(_("enforcement certificate number"), max_length=64, unique=True)
    user = models.OneToOneField(
        User,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officer",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.cert_no}）"

    def clean(self) -> None:
        if not self.cert_no.strip():
            raise ValidationError({"cert_no": _("An officer needs a certificate number.")})
