from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "quancheng.media"
    verbose_name = _("Audio-visual records")

    def ready(self) -> None:
        from quancheng.media import reconcile

        reconcile.register()
