from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasefileConfig(AppConfig):
    """Everything about a case assembled once, above the apps that hold its parts: the
    engine's snapshot and the compliance summaries, the due list, the exchange format."""

    name = "quancheng.casefile"
    verbose_name = _("Case files")

    def ready(self) -> None:
        from quancheng.casefile.compliance import refresh_compliance
        from quancheng.cases import compliance

        # The domain apps' actions refresh a case's summary after each change (cases.compliance
        # schedules it); the evaluation they would need for it lives here, above them.
        compliance.register_refresher(refresh_compliance)
