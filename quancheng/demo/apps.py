from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data and its ``quancheng demo`` command (no models)."""

    name = "quancheng.demo"
    verbose_name = _("Demo data")
