"""Properties of the keys matching relies on: a name's key ignores case, order, accents and punctuation; a postcode
is normalised to one spelling; similarity is symmetric and 1 for the same name."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from safer.cases.models import POSTCODE_RE, name_key, normalise_postcode
from safer.cases.selectors import name_similarity

words = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéöÁ'-", min_size=1, max_size=12), min_size=1, max_size=4)


@given(words)
def test_name_key_ignores_order_and_case(parts: list[str]) -> None:
    key = name_key(*parts)
    assert key == name_key(*reversed(parts))
    assert key == name_key(*(p.upper() for p in parts))
    assert name_key(key) == key  # a key is its own key
    assert key == key.strip() and "  " not in key


@given(st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", fullmatch=True), st.sampled_from(["", " ", "  "]))
def test_postcodes_normalise_to_one_spelling(postcode: str, padding: str) -> None:
    spelled = padding + postcode.lower().replace(" ", padding or "") + padding
    normal = normalise_postcode(spelled)
    assert POSTCODE_RE.match(normal)
    assert normal == normalise_postcode(postcode) == normalise_postcode(normal)


@given(st.text(max_size=30), st.text(max_size=30))
def test_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    ka, kb = name_key(a), name_key(b)
    assert 0.0 <= name_similarity(ka, kb) <= 1.0
    assert name_similarity(ka, kb) == name_similarity(kb, ka)
    if ka:
        assert name_similarity(ka, ka) == 1.0
