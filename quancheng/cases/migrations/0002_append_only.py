from django.db import migrations

from quancheng.ledger.sql import append_only


class Migration(migrations.Migration):
    """Records, their versions, signatures, refusals and parties are never updated or deleted
    (anhui §19): the database itself refuses it."""

    dependencies = [("cases", "0001_initial")]

    operations = [
        append_only(
            "cases_record",
            "cases_recordversion",
            "cases_signature",
            "cases_signaturerefusal",
            "cases_party",
        )
    ]
