"""Deadlines: storing each recording (anhui §17) and archiving the case file (anhui §18)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from quancheng.policies.choices import Severity
from quancheng.policies.deadlines import due_at
from quancheng.policies.engine import DUE_SOON_SHARE, Context
from quancheng.policies.schema import Deadline
from quancheng.policies.workdays import CalendarGap


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _check(
    ctx: Context,
    rule_id: str,
    start: dt.datetime,
    deadline: Deadline,
    done_at: dt.datetime | None,
    subject: str,
    what: str,
) -> None:
    """One deadline: late if done after it, overdue if not done and passed, due soon if
    less than a quarter of its period is left."""
    try:
        due = due_at(start, deadline, ctx.calendar)
    except CalendarGap as gap:
        _calendar_missing(ctx, deadline, gap, subject, what)
        return
    if done_at is not None:
        _check_done(ctx, rule_id, deadline, due, done_at, subject, what)
        return
    ctx.open_deadlines.append(due)
    _check_open(ctx, rule_id, start, deadline, due, subject, what)


def _calendar_missing(
    ctx: Context, deadline: Deadline, gap: CalendarGap, subject: str, what: str
) -> None:
    """A warning that the deadline cannot be computed for want of the year's calendar."""
    ctx.add(
        "deadline.calendar_missing",
        deadline.citation,
        Severity.WARNING,
        _(
            "The deadline for %(what)s cannot be computed: the working-day calendar has no "
            "data for %(year)d. An administrator must load that year."
        )
        % {"what": what, "year": gap.year},
        subject,
    )


def _check_done(
    ctx: Context,
    rule_id: str,
    deadline: Deadline,
    due: dt.datetime,
    done_at: dt.datetime,
    subject: str,
    what: str,
) -> None:
    """A finding ``<rule_id>.late`` when the work was done after ``due``."""
    if done_at > due:
        ctx.add(
            f"{rule_id}.late",
            deadline.citation,
            Severity.ERROR,
            _("%(what)s was done at %(done)s, after the deadline of %(due)s.")
            % {"what": what, "done": _when(done_at), "due": _when(due)},
            subject,
            due,
        )


def _check_open(
    ctx: Context,
    rule_id: str,
    start: dt.datetime,
    deadline: Deadline,
    due: dt.datetime,
    subject: str,
    what: str,
) -> None:
    """Work not done yet: ``<rule_id>.overdue`` once ``due`` has passed, ``.due_soon`` when
    less than the due-soon share of the period from ``start`` is left."""
    if ctx.at > due:
        ctx.add(
            f"{rule_id}.overdue",
            deadline.citation,
            Severity.ERROR,
            _("%(what)s is overdue: the deadline was %(due)s.") % {"what": what, "due": _when(due)},
            subject,
            due,
        )
    elif due - ctx.at < (due - start) * DUE_SOON_SHARE:
        ctx.add(
            f"{rule_id}.due_soon",
            deadline.citation,
            Severity.WARNING,
            _("%(what)s is due by %(due)s.") % {"what": what, "due": _when(due)},
            subject,
            due,
        )


def upload_deadlines(ctx: Context) -> None:
    """Each recording stored within the pack's period of its end, or of the officer's return
    after remote, continuous or water work (anhui §17, culture-tourism §15)."""
    av = ctx.pack.audio_visual
    if av.upload_deadline is None:
        return
    for recording in ctx.case.recordings:
        start, deadline = recording.ended_at, av.upload_deadline
        extension = av.upload_extension
        if extension and recording.delay_reason in extension.reasons and recording.returned_at:
            start, deadline = recording.returned_at, extension.deadline
        _check(
            ctx,
            "av.upload",
            start,
            deadline,
            recording.uploaded_at,
            f"recording:{recording.ref}",
            _("Storing the recording"),
        )


def archive_deadline(ctx: Context) -> None:
    """The case file archived within the pack's period of the end of the action (anhui §18)."""
    deadline = ctx.pack.archive.deadline
    if deadline is None or ctx.case.ended_at is None:
        return
    _check(
        ctx,
        "archive",
        ctx.case.ended_at,
        deadline,
        ctx.case.archived_at,
        "case",
        _("Archiving the case file"),
    )


RULES = (upload_deadlines, archive_deadline)
