from django.db import migrations

from quancheng.ledger.sql import append_only


class Migration(migrations.Migration):
    """A document PDF's row is never updated or deleted: the database refuses it."""

    dependencies = [("documents", "0001_initial")]

    operations = [append_only("documents_document")]
