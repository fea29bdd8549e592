"""``quancheng documents``: signing keys, sealing a document, and verifying a PDF.

quancheng documents init-ca [--name NAME] [--force]
quancheng documents issue-cert AGENCY [--officers]
quancheng documents import-cert AGENCY CERT KEY [--chain PEM] [--key-passphrase-env VAR]
quancheng documents seal VERSION_ID
quancheng documents verify FILE.pdf
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quancheng.agencies.models import Agency, Officer
from quancheng.cases.models import RecordVersion
from quancheng.documents import keys
from quancheng.documents.verify import NotAPdf, verify_pdf
from quancheng.errors import ActionError
from quancheng.ledger.public import Actor, Channel


class Command(BaseCommand):
    help = "Signing keys for documents (文书), sealing, and verifying PDFs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        ca = sub.add_parser("init-ca", help="Make the self-managed demo CA.")
        ca.add_argument("--name", default="Quancheng demo CA")
        ca.add_argument("--force", action="store_true", help="Replace an existing CA.")
        issue = sub.add_parser("issue-cert", help="Issue an agency's seal certificate.")
        issue.add_argument("agency", help="agency code")
        issue.add_argument(
            "--officers", action="store_true", help="Also issue every officer's certificate."
        )
        imp = sub.add_parser("import-cert", help="Load an agency's CA-issued certificate.")
        imp.add_argument("agency")
        imp.add_argument("cert", type=Path)
        imp.add_argument("key", type=Path)
        imp.add_argument("--chain", type=Path, help="PEM with the issuing CA chain")
        imp.add_argument("--key-passphrase-env", help="variable holding the key's passphrase")
        seal = sub.add_parser("seal", help="Render and seal a document record version.")
        seal.add_argument("version", type=int, help="record version id")
        verify = sub.add_parser("verify", help="Verify a PDF's signatures.")
        verify.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["command"].replace("-", "_"))(options)
        except keys.SigningKeyError as exc:
            raise CommandError(str(exc)) from exc
        except ActionError as exc:
            raise CommandError(exc.message) from exc

    def _init_ca(self, options: dict[str, Any]) -> None:
        pair = keys.init_ca(options["name"], force=options["force"])
        self.stdout.write(f"CA certificate: {pair.cert}")

    def _agency(self, code: str) -> Agency:
        try:
            return Agency.objects.get(code=code)
        except Agency.DoesNotExist:
            raise CommandError(f"No agency with code {code!r}.") from None

    def _issue_cert(self, options: dict[str, Any]) -> None:
        agency = self._agency(options["agency"])
        pair = keys.issue_agency_cert(agency.code, agency.name)
        self.stdout.write(f"{agency.name}: {pair.cert}")
        if options["officers"]:
            for officer in Officer.objects.filter(agency__path__startswith=agency.path):
                pair = keys.issue_officer_cert(
                    agency.code, agency.name, officer.name, officer.cert_no
                )
                self.stdout.write(f"{officer}: {pair.cert}")

    def _import_cert(self, options: dict[str, Any]) -> None:
        agency = self._agency(options["agency"])
        env = options["key_passphrase_env"]
        secret = os.environ.get(env, "").encode() if env else None
        pair = keys.import_cert(
            agency.code, options["cert"], options["key"], secret, options["chain"]
        )
        self.stdout.write(f"{agency.name}: {pair.cert}")

    def _seal(self, options: dict[str, Any]) -> None:
        from quancheng.documents.actions import seal_document

        try:
            version = RecordVersion.objects.select_related("record__case").get(
                pk=options["version"]
            )
        except RecordVersion.DoesNotExist:
            raise CommandError(f"No record version {options['version']}.") from None
        document = seal_document(Actor.system(Channel.CLI), version)
        self.stdout.write(f"{document.sha256}")

    def _verify(self, options: dict[str, Any]) -> None:
        try:
            report = verify_pdf(options["file"].read_bytes())
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except NotAPdf as exc:
            raise CommandError(f"{options['file']}: {exc}") from exc
        for sig in report.signatures:
            stamp = f" timestamp {sig.timestamp:%Y-%m-%d %H:%M:%S%z}" if sig.timestamp else ""
            flags = (
                ", ".join(
                    name
                    for name, on in (
                        ("intact", sig.intact),
                        ("valid", sig.valid),
                        ("trusted", sig.trusted),
                    )
                    if on
                )
                or "BROKEN"
            )
            self.stdout.write(
                f"{sig.field}: {sig.signer} [{flags}]{stamp} "
                f"coverage={sig.coverage} modification={sig.modification}"
            )
            for problem in sig.problems:
                self.stdout.write(f"  ! {problem}")
        for problem in report.problems:
            self.stdout.write(f"! {problem}")
        if not report.ok:
            raise CommandError("verification failed")
        self.stdout.write("OK")
