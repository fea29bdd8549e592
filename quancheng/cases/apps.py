from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "quancheng.cases"
    verbose_name = _("Cases and records")

    def ready(self) -> None:
        from quancheng.cases import reconcile

        reconcile.register()
