from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "quancheng.agencies"
    verbose_name = _("Agencies and people")

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from quancheng.agencies import receivers, reconcile

        reconcile.register()
        user_logged_in.connect(receivers.signed_in, dispatch_uid="quancheng.signed_in")
        user_login_failed.connect(receivers.sign_in_failed, dispatch_uid="quancheng.sign_in_failed")
        user_locked_out.connect(receivers.locked_out, dispatch_uid="quancheng.locked_out")
