"""The demo data: its hierarchy and people, the findings its cases claim, idempotency."""

from __future__ import annotations

from collections import Counter

import pytest

from quancheng.agencies.choices import AgencyLevel, Role
from quancheng.agencies.models import Agency, Officer, User
from quancheng.casefile.compliance import evaluate_case
from quancheng.cases.models import Case, CaseCompliance, Record, RecordVersion, Signature
from quancheng.demo.seed import seed
from quancheng.devices.models import Device
from quancheng.ledger.models import Fact
from quancheng.media.models import Recording
from quancheng.policies.choices import Severity
from quancheng.policies.registry import all_packs

AGENCY_ROLES = {Role.OFFICER, Role.LEGAL_REVIEWER, Role.HEAD, Role.ARCHIVIST, Role.DEVICE_KEEPER}


@pytest.fixture
def report(db):
    return seed()


def errors_of(case: Case) -> set[str]:
    return {f.rule_id for f in evaluate_case(case).findings if f.severity == Severity.ERROR}


def test_hierarchy_runs_province_to_work_group_with_one_agency_per_pack(report):
    agencies = Agency.objects.filter(level=AgencyLevel.AGENCY)
    assert sorted(a.pack_id for a in agencies) == sorted(all_packs())
    for agency in agencies:
        chain = [agency.parent, agency.parent.parent, agency.parent.parent.parent]
        levels = [a.level for a in chain]
        assert levels == [AgencyLevel.DISTRICT, AgencyLevel.CITY, AgencyLevel.PROVINCE]
        group = agency.children.get()
        assert group.level == AgencyLevel.WORK_GROUP
        assert group.path.startswith(agency.path)


def test_every_role_has_an_account(report):
    for staff in report.staff:
        members = User.objects.filter(agency__path__startswith=staff.agency.path)
        roles = Counter(role for user in members for role in user.roles)
        assert set(roles) == AGENCY_ROLES
        assert roles[Role.OFFICER] == 2
        officers = Officer.objects.filter(user__in=members)
        assert len({o.cert_no for o in officers}) == 2
        assert Device.objects.filter(agency=staff.agency).count() >= 2
    supervisor = User.objects.get(username="supervisor")
    assert supervisor.agency.level == AgencyLevel.CITY
    assert Case.objects.visible_to(supervisor).count() == Case.objects.count()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and Role.ADMINISTRATOR in admin.roles


def test_each_case_shows_exactly_the_findings_it_claims(report):
    for staff in report.staff:
        built = {spec.key: case for case, spec in report.built if case.agency == staff.agency}
        assert {"compliant", "archived", "fresh"} <= built.keys()
    for case, spec in report.built:
        assert errors_of(case) == spec.expect_errors, (case.pack_id, spec.key)
        assert CaseCompliance.objects.get(case=case).errors == len(spec.expect_errors)


def test_anhui_shows_every_state(report):
    anhui = {spec.key: (case, spec) for case, spec in report.built if case.pack_id == "anhui"}
    assert set(anhui) == {
        "compliant",
        "missing_record",
        "unsigned",
        "major",
        "overdue",
        "gap",
        "archived",
        "fresh",
    }
    assert errors_of(anhui["missing_record"][0]) == {"record.required/investigation.credentials"}
    assert errors_of(anhui["major"][0]) == {"record.required/decision.legal_review"}
    assert errors_of(anhui["overdue"][0]) == {"av.upload.late", "archive.overdue"}
    compliant = evaluate_case(anhui["compliant"][0])
    assert compliant.findings == []
    archived = anhui["archived"][0]
    assert archived.archived_at and archived.closed_at and evaluate_case(archived).findings == []
    fresh = evaluate_case(anhui["fresh"][0])
    assert fresh.errors == 0 and fresh.warnings >= 1


def test_cases_are_made_through_the_actions(report):
    cases = Case.objects.all()
    opened = Fact.objects.filter(kind="case.opened").values_list("subject_id", flat=True)
    assert {str(c.pk) for c in cases} == set(opened)
    assert Fact.objects.filter(kind="record.added").count() == Record.objects.count()
    assert Fact.objects.filter(kind="recording.described").count() == Recording.objects.count()
    # the officer of the agency opened them, from the command line
    fact = Fact.objects.filter(kind="case.opened").first()
    assert fact.actor.has_role(Role.OFFICER) and fact.channel == "cli"
    # a corrected record shows its history, and documents carry the party's signature
    assert RecordVersion.objects.filter(corrects__isnull=False).exists()
    assert Signature.objects.filter(role="party").exists()


def _counts() -> dict[str, int]:
    models = (Agency, User, Officer, Device, Case, Record, RecordVersion, Recording, Fact)
    return {m.__name__: m.objects.count() for m in models}


def test_seeding_twice_creates_nothing_twice(report):
    before = _counts()
    again = seed()
    assert _counts() == before
    assert again.built == []
    assert again.existing == len(report.built)
    assert [(x.username, x.agency) for x in again.logins] == [
        (x.username, x.agency) for x in report.logins
    ]
