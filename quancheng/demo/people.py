"""The demo hierarchy, its accounts and devices, each made once through the actions.

示范省司法厅 → 示范市司法局 (supervisor) → 新城区 → one enforcement agency per installed pack
(officer, legal reviewer, head, archivist, device keeper) → 执法一组 (a second officer).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from quancheng.agencies.accounts import check_new_password
from quancheng.agencies.actions import create_agency, create_user
from quancheng.agencies.choices import AgencyLevel, Role
from quancheng.agencies.models import Agency, Officer, User
from quancheng.demo.samples import AGENCY_NAMES
from quancheng.devices.actions import register_device
from quancheng.devices.choices import Capability, DeviceKind
from quancheng.devices.models import Device
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, Channel
from quancheng.policies.schema import Pack, RecordKind

DEMO_PASSWORD = "quancheng-demo"  # noqa: S105 - published on purpose: demo only
CODE_PREFIX = "demo-"

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
_GIVEN = ("建国", "晓明", "静", "志强", "丽", "涛", "芳", "伟", "敏", "磊", "婷", "军")


def person_name(n: int) -> str:
    """A distinct name for each of the first sixty people."""
    return _SURNAMES[n % len(_SURNAMES)] + _GIVEN[n % len(_GIVEN)]


@dataclass
class Login:
    username: str
    roles: list[str]
    agency: str


@dataclass
class Staff:
    """One enforcement agency of the demo, with its people and devices."""

    pack: Pack
    agency: Agency
    group: Agency
    abbr: str
    users: dict[str, User]  # officer, officer2, legal_reviewer, head, archivist, device_keeper
    devices: list[Device] = field(default_factory=list)

    @property
    def officers(self) -> list[Officer]:
        return [self.users["officer"].officer, self.users["officer2"].officer]

    def people(self) -> dict[str, str]:
        return {key: user.full_name for key, user in self.users.items()}

    def author_of(self, kind: RecordKind) -> User | None:
        """Who in the agency makes a record of ``kind`` (its pack's ``author_roles``)."""
        for key in ("officer", "legal_reviewer", "head", "archivist"):
            if self.users[key].has_role(*kind.author_roles):
                return self.users[key]
        return None

    def actor(self, user: User | None) -> Actor:
        return Actor(user, Channel.CLI) if user else Actor.system(Channel.CLI)


class Directory:
    """Finds or makes the demo's agencies, accounts and devices, and remembers the logins."""

    def __init__(self) -> None:
        self.actor = Actor.system(Channel.CLI)
        self.logins: list[Login] = []
        self._hash = ""

    def password_hash(self) -> str:
        """The demo password hashed once for every account (hashing costs a good part of a
        second each, by design)."""
        if not self._hash:
            check_new_password(DEMO_PASSWORD)  # the published password obeys the same rules
            self._hash = make_password(DEMO_PASSWORD)
        return self._hash

    def agency(
        self, code: str, name: str, level: str, pack_id: str, parent: Agency | None
    ) -> Agency:
        found = Agency.objects.filter(code=CODE_PREFIX + code).first()
        if found is not None:
            return found
        return create_agency(
            self.actor,
            code=CODE_PREFIX + code,
            name=name,
            level=level,
            pack_id=pack_id,
            parent=parent,
        )

    def user(
        self,
        agency: Agency,
        username: str,
        full_name: str,
        roles: list[str],
        cert_no: str = "",
        superuser: bool = False,
    ) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_user(
                self.actor,
                agency,
                username=username,
                password=None,
                password_hash=self.password_hash(),
                full_name=full_name,
                roles=roles,
                cert_no=cert_no,
                is_superuser=superuser,
            )
        elif user.agency_id != agency.pk:
            raise ActionError(
                _("The user name “%(u)s” is taken by an account outside the demo.")
                % {"u": username},
                "username",
            )
        self.logins.append(Login(username, user.roles, agency.name))
        return user

    def hierarchy(self, pack_id: str) -> Agency:
        """Province, city (with the supervisor) and district; returns the district."""
        province = self.agency("province", "示范省司法厅", AgencyLevel.PROVINCE, pack_id, None)
        admin = self.user(province, "admin", "系统管理员", [Role.ADMINISTRATOR], superuser=True)
        self.actor = Actor(admin, Channel.CLI)
        city = self.agency("city", "示范市司法局", AgencyLevel.CITY, pack_id, province)
        self.user(city, "supervisor", person_name(59), [Role.SUPERVISOR])
        return self.agency("district", "示范市新城区", AgencyLevel.DISTRICT, pack_id, city)

    def staff(self, district: Agency, pack: Pack, index: int) -> Staff:
        name, abbr = AGENCY_NAMES.get(pack.id, (f"{pack.short_title}示范执法机关", "示范"))
        agency = self.agency(pack.id, name, AgencyLevel.AGENCY, pack.id, district)
        group = self.agency(f"{pack.id}-g1", "执法一组", AgencyLevel.WORK_GROUP, pack.id, agency)
        base = index * 6

        def member(n: int, suffix: str, role: str, where: Agency = agency) -> User:
            cert = f"DEMO-{pack.id.upper()}-{n:04d}" if role == Role.OFFICER else ""
            return self.user(where, f"{pack.id}-{suffix}", person_name(base + n), [role], cert)

        users = {
            "officer": member(1, "officer", Role.OFFICER),
            "officer2": member(2, "officer2", Role.OFFICER, group),
            "legal_reviewer": member(3, "reviewer", Role.LEGAL_REVIEWER),
            "head": member(4, "head", Role.HEAD),
            "archivist": member(5, "archivist", Role.ARCHIVIST),
            "device_keeper": member(6, "keeper", Role.DEVICE_KEEPER),
        }
        staff = Staff(pack, agency, group, abbr, users)
        staff.devices = self.devices(staff)
        return staff

    def devices(self, staff: Staff) -> list[Device]:
        actor = Actor(staff.users["device_keeper"], Channel.CLI)
        wanted = [
            ("BC01", DeviceKind.BODY_CAMERA, "DSJ-V9", [Capability.NIGHT_VISION]),
            ("BC02", DeviceKind.BODY_CAMERA, "DSJ-X7 防爆型", [Capability.EXPLOSION_PROOF]),
            ("AR01", DeviceKind.AUDIO_RECORDER, "录音笔 R5", []),
        ]
        devices = []
        for suffix, kind, model, caps in wanted:
            serial = f"DEMO-{staff.pack.id.upper()}-{suffix}"
            device = Device.objects.filter(serial=serial).first() or register_device(
                actor,
                staff.agency,
                serial=serial,
                kind=kind,
                model=model,
                capabilities=[*caps, Capability.POSITIONING],
                keeper=staff.users["device_keeper"],
            )
            devices.append(device)
        return devices
