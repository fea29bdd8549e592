from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "quancheng.documents"
    verbose_name = _("documents")

    def ready(self) -> None:
        from quancheng.documents import reconcile

        reconcile.register()
