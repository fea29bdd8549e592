from django.conf import settings
from django.db import migrations

from quancheng.ledger.log import leaf


def backfill(apps, schema_editor):
    """Give facts stored before the Merkle logs their log, position and leaf, in id order."""
    Fact = apps.get_model("ledger", "Fact")
    Log = apps.get_model("ledger", "Log")
    Agency = apps.get_model("agencies", "Agency")
    base = settings.QUANCHENG_LEDGER_ORIGIN.rstrip("/")
    codes = dict(Agency.objects.values_list("pk", "code"))
    logs, sizes, last = {}, {}, {}
    for fact in Fact.objects.filter(log__isnull=True).order_by("id").iterator():
        code = codes.get(fact.agency_id)
        if fact.agency_id not in logs:
            key = "system" if code is None else f"agency:{fact.agency_id}"
            origin = f"{base}/system" if code is None else f"{base}/agency/{code}"
            logs[fact.agency_id] = Log.objects.create(
                key=key, agency_id=fact.agency_id, agency_code=code, origin=origin
            )
            sizes[fact.agency_id] = 0
        log = logs[fact.agency_id]
        prev = last.get((log.pk, fact.subject_type, fact.subject_id))
        data = leaf.entry(
            agency=code,
            seq=sizes[fact.agency_id],
            kind=fact.kind,
            subject_type=fact.subject_type,
            subject_id=fact.subject_id,
            payload=fact.payload,
            actor=fact.actor_label,
            channel=fact.channel,
            remote_addr=fact.remote_addr,
            created_at=fact.created_at,
            prev=prev,
        )
        fact.log = log
        fact.seq = sizes[fact.agency_id]
        fact.prev_leaf = prev
        fact.leaf_hash = leaf.hash_entry(data)
        fact.field_digests = leaf.field_digests(data)
        fact.save(update_fields=["log", "seq", "prev_leaf", "leaf_hash", "field_digests"])
        sizes[fact.agency_id] += 1
        last[(log.pk, fact.subject_type, fact.subject_id)] = fact.leaf_hash


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_logs_and_leaves")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
