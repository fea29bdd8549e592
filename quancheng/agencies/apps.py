from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "quancheng.agencies"
    verbose_name = _("Agencies and people")

    def ready(self) -> None:
        from quancheng.agencies import reconcile

        reconcile.register()
