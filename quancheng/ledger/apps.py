from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The ledger's own facts: its keys (checked by verify's key pass), its verifications and its
# witnesses. They describe no domain row.
OWN_KINDS = (
    "ledger.key_created",
    "ledger.key_rotated",
    "ledger.verified",
    "ledger.witness_added",
    "witness.key_created",
    "witness.log_added",
    "witness.cosigned",
    "witness.inconsistent",
)


class LedgerConfig(AppConfig):
    name = "quancheng.ledger"
    verbose_name = _("Ledger")

    def ready(self) -> None:
        from quancheng.ledger import reconcile

        reconcile.register(ignored=OWN_KINDS)
