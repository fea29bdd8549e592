from django.db import migrations

from quancheng.ledger.sql import log_append_function


class Migration(migrations.Migration):
    """PostgreSQL: a fact is appended in one round trip (lock, head, leaf and insert)."""

    dependencies = [("ledger", "0007_witnesses")]

    operations = [log_append_function()]
