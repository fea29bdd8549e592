"""The building blocks of every app's API schemas: inputs refuse unknown keys and NUL
characters; times must carry a zone and lie in the accepted range; text is bounded by its
column (``quancheng.bounds``). Errors are ``ErrorOut``: a message and the path of the
offending value."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from quancheng import bounds
from quancheng.errors import ActionError

# The pydantic error type of this module's own validators (the message is ours).
QUANCHENG_ERROR = "quancheng"
# Every body parameter of this API is called ``payload``; it is not part of the path.
BODY_PARAM = "payload"


class ErrorOut(Schema):
    detail: str
    path: str | None = None


def error_responses(*codes: int, body: bool = False) -> dict[int, type[ErrorOut]]:
    """The OpenAPI ``responses`` entries for these error codes, plus the ones every endpoint
    can give (401 not signed in, 422 invalid input) and, for one that reads a JSON ``body``,
    413 (over ``DATA_UPLOAD_MAX_MEMORY_SIZE``)."""
    return dict.fromkeys(sorted({401, 422, *codes, *((413,) if body else ())}), ErrorOut)


_LOST_PLUS = re.compile(r"^(\d{4}-\d{2}-\d{2}T[\d:.]+) (\d{2}(:?\d{2})?)$")


def _restore_plus(value: Any) -> Any:
    """``+08:00`` in an unencoded query string arrives as `` 08:00``; put the sign back. A
    number is refused: pydantic would read it as seconds since 1970, which no one writing
    a time in RFC 3339 means."""
    if isinstance(value, str):
        return _LOST_PLUS.sub(r"\1+\2", value)
    if isinstance(value, int | float):
        raise PydanticCustomError(QUANCHENG_ERROR, bounds.not_a_time_message())
    return value


def _not_a_number(value: Any) -> Any:
    """A day is written ``2026-03-02``; pydantic would read a number as seconds since 1970."""
    if isinstance(value, int | float):
        raise PydanticCustomError(QUANCHENG_ERROR, bounds.not_a_day_message())
    return value


def _in_range(value: dt.datetime) -> dt.datetime:
    problem = bounds.moment_problem(value)
    if problem:
        raise PydanticCustomError(QUANCHENG_ERROR, problem)
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError(QUANCHENG_ERROR, bounds.nul_message())
    return value


def _within_max_text(value: str) -> str:
    problem = bounds.text_problem(value)
    if problem:
        raise PydanticCustomError(QUANCHENG_ERROR, problem)
    return value


MOMENT_DOC = (
    "RFC 3339 time with its offset (whole minutes, within ±14:00), "
    f"in the years {bounds.FIRST_YEAR}–{bounds.LAST_YEAR} (UTC)."
)
LONG_TEXT_DOC = f"At most QUANCHENG_MAX_TEXT characters (default {bounds.DEFAULT_MAX_TEXT:,})."


# Text that must say something; checked here so the error names the list item it is in.
# Bound its length with ``Field(max_length=…)`` where it is used.
NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# Text of a TextField: bounded at run time by QUANCHENG_MAX_TEXT.
LongText = Annotated[str, AfterValidator(_within_max_text), Field(description=LONG_TEXT_DOC)]
NonBlankLongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1),
    AfterValidator(_within_max_text),
    Field(description=LONG_TEXT_DOC),
]

# An aware datetime in RFC 3339 (``2026-03-02T09:00:00+08:00``) in the accepted range; a naive
# one is refused.
Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_restore_plus),
    AfterValidator(_in_range),
    Field(description=MOMENT_DOC),
]

# A day in the accepted years.
Day = Annotated[
    dt.date,
    Field(
        ge=dt.date(bounds.FIRST_YEAR, 1, 1),
        le=dt.date(bounds.LAST_YEAR, 12, 31),
        description=f"A day in the years {bounds.FIRST_YEAR}–{bounds.LAST_YEAR}.",
    ),
    BeforeValidator(_not_a_number),
]

# Text in a path or a query parameter (outside an ``In`` model): no NUL.
Word = Annotated[str, AfterValidator(_no_nul)]

# A database id (BigAutoField) in a query.
Id = Annotated[int, Field(ge=1, le=bounds.BIGINT_MAX)]

CERT = 64  # Officer.cert_no


class In(Schema):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        """No NUL character anywhere (PostgreSQL cannot store one); the error names where."""
        where = bounds.nul_path(data)
        if where is not None:
            raise ActionError(bounds.nul_message(), where)
        return data


Cert = Annotated[str, Field(max_length=CERT, description="Certificate number (执法证号).")]


class Out(BaseModel):
    """An output validated by pydantic itself, from the plain dicts of an app's renderer
    (``cases/api/render.py``): a ninja ``Schema`` wraps every object it validates in a
    resolver for ORM attributes, which costs more than the rest of a case list (the OpenAPI
    document is the same)."""

    model_config = ConfigDict(from_attributes=True)


def local(moment: dt.datetime | None) -> dt.datetime | None:
    """Times are given in the deployment's zone (Asia/Shanghai), with their offset."""
    return timezone.localtime(moment) if moment is not None else None
