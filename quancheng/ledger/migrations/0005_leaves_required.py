import django.db.models.deletion
from django.db import migrations, models

from quancheng.ledger.sql import append_only, log_head_function


class Migration(migrations.Migration):
    """Every fact has its place in a log and its leaf; the ledger tables are append-only."""

    dependencies = [("ledger", "0004_backfill_leaves")]

    operations = [
        migrations.AlterField(
            model_name="fact",
            name="log",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="facts", to="ledger.log"),
        ),
        migrations.AlterField(model_name="fact", name="seq", field=models.BigIntegerField()),
        migrations.AlterField(model_name="fact", name="leaf_hash", field=models.BinaryField()),
        migrations.AlterField(model_name="fact", name="field_digests", field=models.BinaryField()),
        migrations.AddConstraint(
            model_name="fact",
            constraint=models.UniqueConstraint(fields=("log", "seq"), name="ledger_fact_log_seq"),
        ),
        append_only(
            "ledger_fact", "ledger_log", "ledger_treenode", "ledger_signingkey", "ledger_checkpoint"
        ),
        log_head_function(),
    ]
