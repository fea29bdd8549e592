from django.db import migrations

from quancheng.ledger.sql import append_only


class Migration(migrations.Migration):
    """Ledger facts are never updated or deleted: the database itself refuses it."""

    dependencies = [("ledger", "0001_initial")]

    operations = [append_only("ledger_fact")]
