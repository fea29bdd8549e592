import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from quancheng.ledger.sql import drop_append_only


class Migration(migrations.Migration):
    """Merkle logs, checkpoints and keys; facts get their log position and leaf hash.

    The new fact columns start nullable: 0004 fills them for facts already stored (with the
    append-only guard lifted for that), 0005 makes them required and restores the guards.
    """

    dependencies = [
        ("agencies", "0001_initial"),
        ("ledger", "0002_append_only"),
    ]

    operations = [
        drop_append_only("ledger_fact"),
        migrations.CreateModel(
            name="Log",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=80, unique=True)),
                ("agency_code", models.CharField(max_length=64, null=True)),
                ("origin", models.CharField(max_length=255, unique=True, verbose_name="origin")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("agency", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="agencies.agency")),
            ],
            options={
                "verbose_name": "ledger log",
                "verbose_name_plural": "ledger logs",
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="SigningKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=255)),
                ("key_id", models.BinaryField()),
                ("algorithm", models.CharField(default="ed25519", max_length=16)),
                ("public_key", models.BinaryField()),
                ("verifier_key", models.CharField(max_length=400)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name": "signing key",
                "verbose_name_plural": "signing keys",
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="Checkpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("size", models.BigIntegerField()),
                ("root_hash", models.BinaryField()),
                ("note", models.TextField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("log", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="checkpoints", to="ledger.log")),
            ],
            options={
                "verbose_name": "checkpoint",
                "verbose_name_plural": "checkpoints",
                "ordering": ["id"],
                "indexes": [models.Index(fields=["log", "size"], name="ledger_chec_log_id_bc9590_idx")],
            },
        ),
        migrations.CreateModel(
            name="TreeNode",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("level", models.PositiveSmallIntegerField()),
                ("index", models.BigIntegerField()),
                ("hash", models.BinaryField()),
                ("log", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.log")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("log", "level", "index"), name="ledger_node_position")],
            },
        ),
        migrations.AddField(
            model_name="fact",
            name="log",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="facts", to="ledger.log"),
        ),
        migrations.AddField(model_name="fact", name="seq", field=models.BigIntegerField(null=True)),
        migrations.AddField(model_name="fact", name="prev_leaf", field=models.BinaryField(null=True)),
        migrations.AddField(model_name="fact", name="leaf_hash", field=models.BinaryField(null=True)),
        migrations.AddField(model_name="fact", name="field_digests", field=models.BinaryField(null=True)),
        migrations.RemoveIndex(model_name="fact", name="ledger_fact_subject_a049ea_idx"),
        migrations.AddIndex(
            model_name="fact",
            index=models.Index(fields=["subject_type", "subject_id", "seq"], name="ledger_fact_subject_seq"),
        ),
    ]
