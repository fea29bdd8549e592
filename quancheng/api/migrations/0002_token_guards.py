from django.db import migrations

# Tokens are never deleted, and once revoked stay revoked; digest and owner never change.
# Only ``last_used_at`` and (once) ``revoked_at`` may be written after the insert.
SQLITE = [
    'CREATE TRIGGER "api_apitoken_no_delete" BEFORE DELETE ON "api_apitoken" '
    "BEGIN SELECT RAISE(ABORT, 'api_apitoken: tokens are revoked, never deleted'); END;",
    'CREATE TRIGGER "api_apitoken_fixed" BEFORE UPDATE ON "api_apitoken" '
    "WHEN OLD.digest <> NEW.digest OR OLD.user_id <> NEW.user_id "
    "OR (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS NOT OLD.revoked_at) "
    "BEGIN SELECT RAISE(ABORT, 'api_apitoken: digest, owner and revocation are fixed'); END;",
]
SQLITE_DROP = [
    'DROP TRIGGER IF EXISTS "api_apitoken_no_delete"',
    'DROP TRIGGER IF EXISTS "api_apitoken_fixed"',
]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION quancheng_api_token_guard() RETURNS trigger AS $$ BEGIN "
    "IF TG_OP = 'DELETE' THEN "
    "RAISE EXCEPTION 'api_apitoken: tokens are revoked, never deleted' "
    "USING ERRCODE = 'integrity_constraint_violation'; END IF; "
    "IF OLD.digest <> NEW.digest OR OLD.user_id <> NEW.user_id "
    "OR (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at) THEN "
    "RAISE EXCEPTION 'api_apitoken: digest, owner and revocation are fixed' "
    "USING ERRCODE = 'integrity_constraint_violation'; END IF; "
    "RETURN NEW; END; $$ LANGUAGE plpgsql;",
    'CREATE TRIGGER "api_apitoken_guard" BEFORE UPDATE OR DELETE ON "api_apitoken" '
    "FOR EACH ROW EXECUTE FUNCTION quancheng_api_token_guard();",
]
POSTGRES_DROP = ['DROP TRIGGER IF EXISTS "api_apitoken_guard" ON "api_apitoken"']


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        schema_editor.execute(statement, None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(statement, None)


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
