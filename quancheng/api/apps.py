from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "quancheng.api"
    verbose_name = _("API")

    def ready(self) -> None:
        from quancheng.agencies import bearer
        from quancheng.api import actions, reconcile

        reconcile.register()
        bearer.register(actions.user_for_token)
