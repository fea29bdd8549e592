"""Database-level guards: tables whose rows may be inserted but never updated or deleted."""

from __future__ import annotations

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.special import RunPython

_MESSAGE = "append-only table: rows cannot be updated or deleted"


def _create_guards(schema_editor: BaseDatabaseSchemaEditor, tables: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f'CREATE TRIGGER "{table}_no_{op.lower()}" BEFORE {op} ON "{table}" '
                    f"BEGIN SELECT RAISE(ABORT, '{table}: {_MESSAGE}'); END;"
                )
        elif vendor == "postgresql":
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION quancheng_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION '%: " + _MESSAGE + "', TG_TABLE_NAME "
                "USING ERRCODE = 'integrity_constraint_violation'; END; $$ LANGUAGE plpgsql;",
                None,  # no parameters: the '%' above is PL/pgSQL's, not a placeholder
            )
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION quancheng_append_only();"
            )


def _drop_guards(schema_editor: BaseDatabaseSchemaEditor, tables: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_no_{op}"')
        elif vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"')


def append_only(*tables: str) -> RunPython:
    """A migration operation that makes ``tables`` refuse UPDATE and DELETE."""

    def forward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _create_guards(schema_editor, list(tables))

    def backward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _drop_guards(schema_editor, list(tables))

    return RunPython(forward, backward)


def drop_append_only(*tables: str) -> RunPython:
    """The reverse of ``append_only``: for a migration that must rewrite existing rows."""

    def forward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _drop_guards(schema_editor, list(tables))

    def backward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _create_guards(schema_editor, list(tables))

    return RunPython(forward, backward)


_HEAD_FUNCTION = """
CREATE OR REPLACE FUNCTION quancheng_ledger_head(
    p_key text, p_subject_type text, p_subject_id text,
    OUT log_id bigint, OUT agency_code text, OUT last_seq bigint, OUT prev_leaf bytea
) LANGUAGE plpgsql VOLATILE
AS $$
#variable_conflict use_variable
BEGIN
    -- one writer per log: the row lock is held until the transaction ends
    SELECT l.id, l.agency_code INTO log_id, agency_code
        FROM ledger_log l WHERE l.key = p_key FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- each statement below takes a fresh snapshot: it sees the previous writer's commit
    -- (plans are cached: they must not depend on the table's size when first made)
    SELECT f.seq INTO last_seq FROM ledger_fact f WHERE f.log_id = log_id
        ORDER BY f.seq DESC LIMIT 1;
    SELECT f.leaf_hash INTO prev_leaf FROM ledger_fact f
        WHERE f.subject_type = p_subject_type AND f.subject_id = p_subject_id
        AND f.log_id + 0 = log_id ORDER BY f.seq DESC LIMIT 1;
END
$$;
"""


def log_head_function() -> RunPython:
    """PostgreSQL: ``quancheng_ledger_head(key, subject_type, subject_id)`` locks a log and
    reads where the next fact goes, in one round trip (see ``quancheng.ledger.log.logs``)."""

    def forward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_HEAD_FUNCTION, None)

    def backward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute("DROP FUNCTION IF EXISTS quancheng_ledger_head(text, text, text)")

    return RunPython(forward, backward)


_APPEND_FUNCTION = """
CREATE OR REPLACE FUNCTION quancheng_ledger_append(
    p_key text, p_agency_code text,
    p_agency_id bigint, p_kind text, p_subject_type text, p_subject_id text, p_payload jsonb,
    p_actor_id bigint, p_actor_label text, p_channel text, p_remote_addr inet,
    p_head bytea, p_body bytea, p_middle bytea, p_tail bytea, p_digests bytea,
    OUT id bigint, OUT log_id bigint, OUT agency_code text, OUT seq bigint,
    OUT created_at timestamptz, OUT prev_leaf bytea, OUT leaf_hash bytea,
    OUT field_digests bytea
) LANGUAGE plpgsql VOLATILE
AS $$
#variable_conflict use_variable
DECLARE
    j_created bytea;
    j_prev bytea;
    j_seq bytea;
BEGIN
    -- one writer per log: the row lock is held until the transaction ends
    SELECT l.id, l.agency_code INTO log_id, agency_code
        FROM ledger_log l WHERE l.key = p_key FOR UPDATE;
    IF NOT FOUND OR agency_code IS DISTINCT FROM p_agency_code THEN
        -- no log yet, or the JSON names another agency code: the caller creates the log or
        -- rebuilds the JSON with the code returned, and calls again (id is null: no insert)
        RETURN;
    END IF;
    -- each statement below takes a fresh snapshot: it sees the previous writer's commit
    -- (plans are cached: they must not depend on the table's size when first made)
    SELECT f.seq INTO seq FROM ledger_fact f WHERE f.log_id = log_id
        ORDER BY f.seq DESC LIMIT 1;
    seq := coalesce(seq + 1, 0);
    IF seq > 9007199254740991 THEN  -- 2**53 - 1: beyond it RFC 8785 writes a double
        RAISE EXCEPTION 'ledger log % is full', p_key;
    END IF;
    SELECT f.leaf_hash INTO prev_leaf FROM ledger_fact f
        WHERE f.subject_type = p_subject_type AND f.subject_id = p_subject_id
        AND f.log_id + 0 = log_id ORDER BY f.seq DESC LIMIT 1;
    created_at := clock_timestamp();  -- taken under the lock: times follow seq in a log
    -- the late members as RFC 8785 writes them (quancheng.ledger.log.leaf.fill does the same)
    j_created := convert_to(
        '"' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '"',
        'UTF8');
    j_prev := CASE WHEN prev_leaf IS NULL THEN 'null'::bytea
        ELSE convert_to('"' || encode(prev_leaf, 'hex') || '"', 'UTF8') END;
    j_seq := convert_to(seq::text, 'UTF8');
    leaf_hash := sha256(decode('00', 'hex') || p_head || j_created || p_body || j_prev || p_middle
        || j_seq || p_tail);
    -- 4 bytes of each member's digest, at created_at (4th), prev (7th) and seq (9th)
    field_digests := overlay(overlay(overlay(p_digests
        PLACING substr(sha256(j_created), 1, 4) FROM 13 FOR 4)
        PLACING substr(sha256(j_prev), 1, 4) FROM 25 FOR 4)
        PLACING substr(sha256(j_seq), 1, 4) FROM 33 FOR 4);
    INSERT INTO ledger_fact AS f (
        log_id, seq, agency_id, kind, subject_type, subject_id, payload, actor_id,
        actor_label, channel, remote_addr, created_at, prev_leaf, leaf_hash, field_digests
    ) VALUES (
        log_id, seq, p_agency_id, p_kind, p_subject_type, p_subject_id, p_payload, p_actor_id,
        p_actor_label, p_channel, p_remote_addr, created_at, prev_leaf, leaf_hash,
        field_digests
    ) RETURNING f.id INTO id;
END
$$;
"""


def log_append_function() -> RunPython:
    """PostgreSQL: ``quancheng_ledger_append(…)`` locks a log, takes its head, puts the
    fact's leaf together from the JSON pieces it is given and inserts the fact, in one round
    trip (see ``quancheng.ledger.log.logs.append_at_head``)."""

    def forward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_APPEND_FUNCTION, None)

    def backward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                "DROP FUNCTION IF EXISTS quancheng_ledger_append(text, text, bigint, text,"
                " text, text, jsonb, bigint, text, text, inet, bytea, bytea, bytea, bytea, bytea)"
            )

    return RunPython(forward, backward)


_FINAL_MESSAGE = "its result is final: the row cannot be updated or deleted"


def final_once(table: str, column: str) -> RunPython:
    """``table`` refuses DELETE, and UPDATE of a row whose ``column`` is already set: rows
    that report progress while work runs and are final once it ends."""

    def forward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_final_update" BEFORE UPDATE ON "{table}" '
                f'WHEN OLD."{column}" IS NOT NULL '
                f"BEGIN SELECT RAISE(ABORT, '{table}: {_FINAL_MESSAGE}'); END;"
            )
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_no_delete" BEFORE DELETE ON "{table}" '
                f"BEGIN SELECT RAISE(ABORT, '{table}: {_FINAL_MESSAGE}'); END;"
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                f'CREATE OR REPLACE FUNCTION "{table}_final"() RETURNS trigger AS $$ '
                f"BEGIN IF TG_OP = 'DELETE' OR OLD.\"{column}\" IS NOT NULL THEN "
                f"RAISE EXCEPTION '{table}: {_FINAL_MESSAGE}' "
                "USING ERRCODE = 'integrity_constraint_violation'; END IF; "
                "RETURN NEW; END; $$ LANGUAGE plpgsql;",
                None,
            )
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_final" BEFORE UPDATE OR DELETE ON "{table}" '
                f'FOR EACH ROW EXECUTE FUNCTION "{table}_final"();'
            )

    def backward(apps: object, schema_editor: BaseDatabaseSchemaEditor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_final_update"')
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_no_delete"')
        elif vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_final" ON "{table}"')
            schema_editor.execute(f'DROP FUNCTION IF EXISTS "{table}_final"()')

    return RunPython(forward, backward)
