"""The fast canonical JSON is byte for byte RFC 8785, as the rfc8785 package writes it."""

from __future__ import annotations

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from quancheng.ledger.log.canonical import CanonicalizationError, canonical_json

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(values)
def test_agrees_with_rfc8785(value):
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        with pytest.raises(CanonicalizationError):
            canonical_json(value)
        return
    assert canonical_json(value) == expected


def test_rfc8785_examples_and_utf16_key_order():
    assert canonical_json({"b": [1, "\u20ac", None], "a": {"y": True, "x": "\n\x1f"}}) == (
        b'{"a":{"x":"\\n\\u001f","y":true},"b":[1,"\xe2\x82\xac",null]}'
    )
    # RFC 8785 §3.2.3: keys sort by UTF-16 code units, so U+1F600 (D83D…) sorts before U+FFFF
    assert canonical_json({"\uffff": 1, "\U0001f600": 2}) == rfc8785.dumps(
        {"\uffff": 1, "\U0001f600": 2}
    )
    assert canonical_json({"\uffff": 1, "\U0001f600": 2}).startswith('{"\U0001f600"'.encode())


def test_a_number_is_the_same_whatever_spelling_the_database_returns():
    # PostgreSQL's jsonb hands 1e20 back as 100000000000000000000
    assert (
        canonical_json({"n": 10**20})
        == canonical_json({"n": 1e20})
        == b'{"n":1e+20}'.replace(b"1e+20", b"100000000000000000000")
    )
    assert canonical_json([5.0, 0.1, -0.0]) == b"[5,0.1,0]"


@pytest.mark.parametrize("value", [{"a": "\ud800"}, "\udfff", ["x", "\ud800"]])
def test_lone_surrogates_are_refused(value):
    with pytest.raises(CanonicalizationError):
        canonical_json(value)


@pytest.mark.parametrize("value", ["", "张三", '"\\/\n\x00\x1f\x7f\u2028', "\U0001f600", None])
def test_a_lone_string_or_null_is_written_as_rfc8785_writes_it(value):
    assert canonical_json(value) == rfc8785.dumps(value)
