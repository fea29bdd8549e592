from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UploadsConfig(AppConfig):
    name = "quancheng.uploads"
    verbose_name = _("Resumable uploads")

    def ready(self) -> None:
        from quancheng.uploads import reconcile

        reconcile.register()
