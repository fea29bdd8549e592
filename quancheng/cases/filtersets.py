"""One filter for case lists, shared by the web list and the API list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from quancheng.cases.models import Case


@dataclass(frozen=True)
class CaseFilter:
    """Filters a user can combine; ``None`` means "any"."""

    stage: str | None = None
    action_type: str | None = None
    has_errors: bool | None = None
    overdue: bool | None = None
    closed: bool | None = None
    agency: str | None = None
    pack: str | None = None
    q: str | None = None

    def apply(self, cases: QuerySet[Case], now: dt.datetime | None = None) -> QuerySet[Case]:
        now = now or timezone.now()
        overdue = Q(compliance__next_deadline_at__lt=now)
        if self.stage:
            cases = cases.filter(stage=self.stage)
        if self.action_type:
            # Action-type ids are no substring of one another, so the quoted id is exact.
            cases = cases.filter(action_types__icontains=f'"{self.action_type}"')
        if self.has_errors is not None:
            failing = Q(compliance__errors__gt=0) | overdue
            cases = cases.filter(failing) if self.has_errors else cases.exclude(failing)
        if self.overdue is not None:
            cases = cases.filter(overdue) if self.overdue else cases.exclude(overdue)
        if self.closed is not None:
            cases = cases.filter(closed_at__isnull=not self.closed)
        if self.agency:
            cases = cases.filter(agency__code=self.agency)
        if self.pack:
            cases = cases.filter(pack_id=self.pack)
        if self.q:
            cases = cases.filter(Q(number__icontains=self.q) | Q(title__icontains=self.q))
        return cases
