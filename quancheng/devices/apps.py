from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "quancheng.devices"
    verbose_name = _("Recording devices")

    def ready(self) -> None:
        from quancheng.devices import reconcile

        reconcile.register()
