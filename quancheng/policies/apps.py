from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class PoliciesConfig(AppConfig):
    name = "quancheng.policies"
    verbose_name = "Policy packs"

    def ready(self) -> None:
        from quancheng.policies.registry import PackError, all_packs

        # A broken pack stops start-up: running on a half-read regulation is worse than not running.
        try:
            all_packs()
        except PackError as exc:
            raise ImproperlyConfigured(f"Policy pack failed validation:\n{exc}") from exc
        from quancheng.policies import reconcile

        reconcile.register()
