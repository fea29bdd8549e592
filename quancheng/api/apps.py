from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "quancheng.api"
    verbose_name = _("API")

    def ready(self) -> None:
        from quancheng.api import reconcile

        reconcile.register()
