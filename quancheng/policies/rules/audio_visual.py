"""Audio-visual records: mandatory scenarios, what each recording must show, continuity."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quancheng.policies.choices import ScenarioMode, Severity
from quancheng.policies.engine import Context
from quancheng.policies.rules import devices
from quancheng.policies.snapshot import InterruptionSnap, RecordingSnap


def recording_activities(ctx: Context, recording: RecordingSnap) -> frozenset[str]:
    """What a recording covers: its scenario's activities and those of the records it evidences."""
    found: set[str] = set()
    scenario = ctx.index.scenarios.get(recording.scenario)
    if scenario is not None:
        found.update(scenario.activities)
    for ref in recording.record_refs:
        found.update(ctx.record_activities.get(ref, ()))
    return frozenset(found)


def mandatory_scenarios(ctx: Context) -> None:
    """An activity the pack says must be recorded, with no recording of it (anhui §12)."""
    for scenario in ctx.pack.audio_visual.scenarios:
        if scenario.mode != ScenarioMode.MANDATORY:
            continue
        wanted = set(scenario.activities)
        triggers = [r.ref for r in ctx.case.records if ctx.record_activities[r.ref] & wanted]
        if not triggers:
            continue
        covered = any(
            rec.scenario == scenario.id or set(rec.record_refs) & set(triggers)
            for rec in ctx.case.recordings
        )
        if not covered:
            ctx.add(
                f"av.mandatory/{scenario.id}",
                scenario.citation,
                Severity.ERROR,
                _(
                    "“%(scenario)s” must be recorded on audio-visual media, but no recording "
                    "covers it."
                )
                % {"scenario": scenario.label},
                f"record:{triggers[0]}",
            )


def unsuitable_scenarios(ctx: Context) -> None:
    """A recording made where the pack says recording is unsuitable (dalian §15): tagged
    with that scenario, or evidencing a record whose activities fall in it."""
    unsuitable = [s for s in ctx.pack.audio_visual.scenarios if s.mode == ScenarioMode.UNSUITABLE]
    if not unsuitable:
        return
    for recording in ctx.case.recordings:
        covered = recording_activities(ctx, recording)
        for scenario in unsuitable:
            if recording.scenario != scenario.id and not covered & set(scenario.activities):
                continue
            capability = scenario.unless_capability
            if capability and capability in recording.device_capabilities:
                continue
            ctx.add(
                f"av.unsuitable/{scenario.id}",
                scenario.citation,
                Severity.ERROR if capability else Severity.WARNING,
                _("Recording in “%(scenario)s” is unsuitable.") % {"scenario": scenario.label},
                f"recording:{recording.ref}",
            )


def _yes_no_rule(
    ctx: Context,
    recording: RecordingSnap,
    value: bool | None,
    rule_id: str,
    citation: str,
    message_no: str,
    message_unknown: str,
) -> None:
    if value is True:
        return
    ctx.add(
        rule_id,
        citation,
        Severity.ERROR if value is False else Severity.WARNING,
        message_no if value is False else message_unknown,
        f"recording:{recording.ref}",
    )


def recording_conduct(ctx: Context) -> None:
    """Before and at the start of recording: device checked (culture-tourism §12; a check
    in the device register that day counts), opening statement (culture-tourism §13), party
    told (hebei §23, dalian §14(1))."""
    av = ctx.pack.audio_visual
    for recording in ctx.case.recordings:
        if av.device_check:
            _yes_no_rule(
                ctx,
                recording,
                devices.device_checked(ctx, recording),
                "av.device_check",
                av.device_check.citation,
                _("The device was not checked (battery, storage) before recording."),
                _("It is not recorded whether the device was checked before recording."),
            )
        if av.opening_statement:
            _yes_no_rule(
                ctx,
                recording,
                recording.opening_statement,
                "av.opening_statement",
                av.opening_statement.citation,
                _(
                    "The recording does not begin with the spoken statement of time, place, "
                    "officers, reason, target and stages."
                ),
                _("It is not recorded whether the recording begins with the opening statement."),
            )
        rule = av.inform_party
        if rule and (
            not rule.activities or recording_activities(ctx, recording) & set(rule.activities)
        ):
            _yes_no_rule(
                ctx,
                recording,
                recording.party_informed,
                "av.inform_party",
                rule.citation,
                _("The party was not told before recording began."),
                _("It is not recorded whether the party was told of the recording."),
            )


def recording_labels(ctx: Context) -> None:
    """A stored recording is labelled as the pack asks: case number, method, time and maker
    (dalian §16); name, device number, officers, time, party and case name (hebei §25)."""
    rule = ctx.pack.audio_visual.labels
    if rule is None:
        return
    case = ctx.case
    for recording in case.recordings:
        present = {
            "case_number": recording.case_number or case.number,
            "production_method": recording.production_method,
            "started_at": recording.started_at,
            "maker": recording.maker,
            "device": recording.device_serial,
            "officers": recording.officer_certs,
            "party": case.party_names,
            "case_title": case.title,
            "place": recording.place,
            "name": recording.file_name,
            "ended_at": recording.ended_at,
            "uploaded_at": recording.uploaded_at,
            "scenario": recording.scenario,
            "records": recording.record_refs,
        }
        missing = [name for name in rule.fields if not present[name]]
        if missing:
            ctx.add(
                "av.labels",
                rule.citation,
                Severity.ERROR,
                _("The recording lacks the labels: %(labels)s.")
                % {"labels": "、".join(str(LABELS[m]) for m in missing)},
                f"recording:{recording.ref}",
            )


LABELS = {
    "case_number": gettext_lazy("case number"),
    "production_method": gettext_lazy("production method"),
    "started_at": gettext_lazy("time made"),
    "maker": gettext_lazy("maker"),
    "device": gettext_lazy("device number"),
    "officers": gettext_lazy("officers"),
    "party": gettext_lazy("party"),
    "case_title": gettext_lazy("case name"),
    "place": gettext_lazy("place"),
    "name": gettext_lazy("name"),
    "ended_at": gettext_lazy("end time"),
    "uploaded_at": gettext_lazy("time stored"),
    "scenario": gettext_lazy("scenario"),
    "records": gettext_lazy("records evidenced"),
}


def interruptions(ctx: Context) -> None:
    """Each interruption is explained as the pack asks (anhui §16: spoken reason on resuming;
    a written statement signed by two or more officers when recording could not resume)."""
    rule = ctx.pack.audio_visual.interruption
    if rule is None:
        return
    for item in ctx.case.interruptions:
        subject = f"interruption:{item.ref}"
        if not rule.allowed:
            ctx.add(
                "av.interruption.not_allowed",
                rule.citation,
                Severity.ERROR,
                _("Recording at one site must not be interrupted."),
                subject,
            )
        if item.resumed:
            if rule.spoken_reason_on_resume and not item.spoken_explanation:
                ctx.add(
                    "av.interruption.spoken_reason",
                    rule.citation,
                    Severity.ERROR,
                    _("The reason for the interruption was not stated when recording resumed."),
                    subject,
                )
            continue
        if rule.written_statement_if_not_resumed and not item.statement.strip():
            ctx.add(
                "av.interruption.statement",
                rule.citation,
                Severity.ERROR,
                _("Recording could not resume, and there is no written statement."),
                subject,
            )
        elif len(set(item.signer_certs)) < rule.min_statement_signers:
            ctx.add(
                "av.interruption.signers",
                rule.citation,
                Severity.ERROR,
                _("The written statement must be signed by at least %(n)d officers.")
                % {"n": rule.min_statement_signers},
                subject,
            )


def unexplained_gaps(ctx: Context) -> None:
    """Consecutive segments of one session on one device with a gap and no interruption
    explaining it (anhui §16: recording is continuous from arrival to the end)."""
    rule = ctx.pack.audio_visual.interruption
    if rule is None:
        return
    sessions: dict[tuple[str, str], list[RecordingSnap]] = defaultdict(list)
    for recording in ctx.case.recordings:
        if recording.session:
            sessions[(recording.device_serial, recording.session)].append(recording)
    explained = defaultdict(list)
    for item in ctx.case.interruptions:
        explained[item.device_serial].append(item)
    for (serial, _session), segments in sessions.items():
        segments.sort(key=lambda r: r.started_at)
        for before, after in pairwise(segments):
            if after.started_at - before.ended_at <= ctx.gap_tolerance:
                continue
            if not any(_covers(i, before, after, ctx) for i in explained[serial]):
                ctx.add(
                    "av.gap",
                    rule.citation,
                    Severity.ERROR,
                    _(
                        "Recording stopped at %(stop)s and resumed at %(resume)s with no "
                        "interruption explained."
                    )
                    % {"stop": _clock(before.ended_at), "resume": _clock(after.started_at)},
                    f"recording:{after.ref}",
                )


def _covers(
    item: InterruptionSnap, before: RecordingSnap, after: RecordingSnap, ctx: Context
) -> bool:
    return before.ended_at - ctx.gap_tolerance <= item.started_at <= after.started_at


def _clock(moment: object) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[arg-type]


RULES = (
    mandatory_scenarios,
    unsuitable_scenarios,
    recording_conduct,
    recording_labels,
    interruptions,
    unexplained_gaps,
    *devices.RULES,
)
