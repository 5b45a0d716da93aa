"""Robustness: thousands of mutated corpus files always get a verdict, quickly.

Bit flips, truncations and splices of two files. No exception may escape and
nothing may hang; a mutant may still be valid, but then it must be accepted
without a rejection reason (a consistent verdict).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kammerpost.inspection import Inspector, ParserPool, Severity, Verdict
from kammerpost.inspection.policy import Limits, Policy
from tests.corpus import misc, ooxml, pdfs

# Seeds: the accepted and near-accepted files, where mutations reach the deep parsers.
_SEED_NAMES = {
    "pdf": [name for name, (_, _, code) in pdfs.CASES.items() if code is None][:4],
    "ooxml": [name for name, (_, _, code) in ooxml.CASES.items() if code is None][:4],
    "misc": ["png", "jpeg", "truncated png"],
}
EXAMPLES = int(os.environ.get("KAMMERPOST_FUZZ_EXAMPLES", "3000"))
# Short limits: a mutant that stalls the parser must be cut off, not waited for.
FUZZ_POLICY = Policy("fuzz", ("pdf", "jpeg", "png", "docx", "xlsx"), Limits(parse_timeout_s=10.0))


@functools.cache
def _seeds() -> tuple[bytes, ...]:
    cases = {"pdf": pdfs.CASES, "ooxml": ooxml.CASES, "misc": misc.CASES}
    return tuple(
        cases[group][name][0]()
        for group, names in _SEED_NAMES.items()
        for name in names
        if name in cases[group]
    )


@st.composite
def mutants(draw: st.DrawFn) -> bytes:
    seeds = _seeds()
    data = bytearray(draw(st.sampled_from(seeds)))
    kind = draw(st.sampled_from(["flip", "truncate", "splice", "overwrite"]))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 16))):
            pos = draw(st.integers(0, len(data) - 1))
            data[pos] ^= 1 << draw(st.integers(0, 7))
    elif kind == "truncate":
        data = data[: draw(st.integers(1, len(data)))]
    elif kind == "splice":
        other = draw(st.sampled_from(seeds))
        cut_a = draw(st.integers(0, len(data)))
        cut_b = draw(st.integers(0, len(other)))
        data = data[:cut_a] + other[cut_b:]
    else:
        pos = draw(st.integers(0, len(data) - 1))
        data[pos : pos + 4] = draw(
            st.sampled_from([b"\xff\xff\xff\xff", b"\0\0\0\0", b"\x7f\xff\xff\xff", b"9999"])
        )
    return bytes(data or b"\0")


@pytest.fixture(scope="module")
def inspector(parser_pool: ParserPool) -> Inspector:
    return Inspector(FUZZ_POLICY, scan=False, pool=parser_pool)


@pytest.mark.timeout(900)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=mutants())
def test_every_mutant_gets_a_consistent_verdict(
    data: bytes, inspector: Inspector, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = Path(tmp_path_factory.getbasetemp()) / "mutant.bin"
    path.write_bytes(data)
    result = inspector.inspect(path, name="eingang.pdf")
    assert result.verdict in (Verdict.ACCEPTED, Verdict.REJECTED)
    rejecting = [r for r in result.reasons if r.severity == Severity.REJECT]
    assert (result.verdict == Verdict.REJECTED) == bool(rejecting)
