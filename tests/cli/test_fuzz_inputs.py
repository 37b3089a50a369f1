"""Fuzzing the readers with hypothesis: random bytes, random huge numbers and random mixes of line ends, as
data CSV and as JSON parameters.  Every run ends in exit 0 or 2, a usage error is one line on stderr with no
traceback, nothing is written, and no run takes long (the size bounds act before any big number is built)."""

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symgeom.cli.exit_codes import EXIT_USAGE
from symgeom.cli import main

INPUTS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SECONDS = 20

huge_numbers = st.one_of(
    st.integers(-10**60, 10**60).map(str),
    st.integers(-10**9, 10**9).map(lambda e: f"1e{e}"),
    st.integers(1, 6000).map(lambda d: "1." + "3" * d),
    st.integers(1, 6000).map(lambda d: "7/" + "1" * d),
    st.sampled_from(["nan", "inf", "-inf", "3_000", "\u0661", "\uff11", "\u00a01", "1e", "", "0x1", "1/0", "--1"]),
)
line_ends = st.sampled_from(["\n", "\r\n", "\r", "\n\n", " \n"])


@st.composite
def csv_texts(draw):
    """A data file with header ``x1,x2,cluster``: rows of drawn fields joined by drawn line ends."""
    rows = ["x1,x2,cluster"]
    for _ in range(draw(st.integers(0, 6))):
        fields = draw(st.lists(huge_numbers, min_size=2, max_size=4))
        rows.append(",".join(fields[:2] + [draw(st.sampled_from(["1", "2", "3", "1.0", "x"]))] + fields[3:]))
    ends = [draw(line_ends) for _ in rows]
    return "".join(r + e for r, e in zip(rows, ends))


json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                                     huge_numbers), lambda inner: st.lists(inner, max_size=4) |
                           st.dictionaries(st.sampled_from(["weights", "biases", "kind", "L"]), inner, max_size=4),
                           max_leaves=30)


@st.composite
def params_texts(draw):
    """JSON parameters: arbitrary JSON, or the right shape for Q = 3, L = 1 with drawn entries."""
    if draw(st.booleans()):
        return json.dumps(draw(json_values))
    entry = huge_numbers
    W = [[[draw(entry) for _ in range(3)] for _ in range(3)] for _ in range(2)]
    b = [[draw(entry) for _ in range(3)] for _ in range(2)]
    return json.dumps({"kind": draw(st.sampled_from(["exact", "float", "other"])), "weights": W, "biases": b})


def _assert_clean(tmp_path, capsys, argv, written):
    start = time.monotonic()
    code = main(argv)
    seconds = time.monotonic() - start
    _, err = capsys.readouterr()
    assert code in (0, EXIT_USAGE), (code, err)
    assert "Traceback" not in err and "internal error" not in err
    if code == EXIT_USAGE:
        errors = [line for line in err.splitlines() if ": error: " in line]
        assert len(errors) == 1 and err.splitlines()[-1] == errors[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == [written]  # nothing but the input
    assert seconds < SECONDS


@pytest.mark.slow
@INPUTS
@given(content=st.one_of(st.binary(max_size=400), csv_texts().map(lambda t: t.encode("utf-8"))))
def test_any_bytes_as_data_end_cleanly(tmp_path, capsys, content):
    path = tmp_path / "d.csv"
    path.write_bytes(content)
    for kind in ("--exact", "--float"):
        _assert_clean(tmp_path, capsys, ["check", kind, "--quiet", "--data", str(path), "--only", "T1"], "d.csv")


@pytest.mark.slow
@INPUTS
@given(content=params_texts())
def test_any_json_as_parameters_end_cleanly(tmp_path, capsys, content):
    path = tmp_path / "theta.json"
    path.write_text(content)
    _assert_clean(tmp_path, capsys, ["locate", "--params", str(path)], "theta.json")
