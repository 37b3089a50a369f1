"""The check screen: one line per claim that fits COLUMNS, its statement in words, a reason shared by several
claims printed once, a summary counting each status; ``--verbose`` prints every check."""

import os
import re
import subprocess
import sys
from collections import Counter

import pytest

from symgeom.claims.registry import recipes, run_claims
from symgeom.cli import main
from symgeom.cli import loading
from symgeom.cli.app import build_parser
from symgeom.cli.layout import fit_table, right_aligned_rows, terminal_width
from symgeom.cli.screen import check_screen, verbose_screen

ID = re.compile(r"^(?P<id>[A-Z]\d+(\.\d+)?) +(?P<status>\S+)")


def _run(argv):
    """``(ctx, derivations)`` of ``symgeom check argv``, computed once."""
    args = build_parser().parse_args(["check", "--quiet"] + argv)
    ctx = loading.make_context(args)
    return ctx, run_claims(ctx, None)


def _iris_csv(folder):
    """scikit-learn's iris projected to its first 3 principal components, rounded to 2 decimals: 3 classes in R^3
    that overlap, so the hypotheses of G1-G4 fail."""
    from sklearn.datasets import load_iris
    from sklearn.decomposition import PCA

    X, y = load_iris(return_X_y=True)
    Z = PCA(3).fit_transform(X)
    path = folder / "iris3.csv"
    path.write_text("x1,x2,x3,cluster\n" + "".join(f"{a:.2f},{b:.2f},{c:.2f},{k + 1}\n" for (a, b, c), k in zip(Z, y)))
    return path


@pytest.fixture(scope="module")
def embedded():
    return _run([])


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    return _run(["--data", str(_iris_csv(tmp_path_factory.mktemp("iris")))])


def _claim_rows(lines):
    """``{id: [its lines]}``: a claim's line starts with its id, its continuation lines with blanks."""
    rows, current = {}, None
    for line in lines:
        m = ID.match(line)
        if m and m["id"] not in rows:
            current = rows.setdefault(m["id"], [line])
        elif current is not None and line.startswith(" "):
            current.append(line)
        else:
            current = None
    return rows


def _words_in_order(words, text_words) -> bool:
    it = iter(text_words)
    return all(any(w == t for t in it) for w in words)


def _titles():
    return {cid: recipe.title for cid, recipe in recipes().items()}


def test_the_screen_on_the_embedded_data_through_main(embedded, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["check", "--quiet"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) <= 30 and max(len(line) for line in lines) <= 100
    ctx, derivations = embedded
    assert lines == check_screen(ctx, derivations, 100)  # the same bytes from the same claims
    assert lines[0] == "embedded default data: Q = 3, L = 3, N = 13, exact, cost paper"


@pytest.mark.parametrize("width", [80, 100, 200])
def test_each_claim_line_holds_status_and_statement_within_the_width(embedded, width):
    ctx, derivations = embedded
    lines = check_screen(ctx, derivations, width)
    assert max(len(line) for line in lines) <= width
    rows = _claim_rows(lines)
    titles = _titles()
    statuses = {d.id: str(d.status.value) for d in derivations}
    assert list(rows) == list(statuses)  # one row per claim, in order
    for cid, row in rows.items():
        assert ID.match(row[0])["status"] == statuses[cid]  # the status is whole, on the first line
        assert _words_in_order(titles[cid].split(), " ".join(row).split()), (cid, row)
        if width == 200:
            assert len(row) == 1 and titles[cid] in row[0]
    assert "7 local minima, 0 empty, 0 not reached" in "\n".join(rows["N2"]).replace("\n", " ")
    counts = Counter(statuses.values())
    assert lines[-len(_summary(lines)):] == _summary(lines)
    summary = " ".join(_summary(lines))
    assert summary.startswith(f"{len(statuses)} claims: {counts['proved']} proved, {counts['certified']} certified, "
                              f"{counts['refuted']} refuted")


def _summary(lines):
    start = max(i for i, line in enumerate(lines) if re.match(r"\d+ claims: ", line))
    return lines[start:]


@pytest.mark.parametrize("width", [80, 100, 200])
def test_a_reason_shared_by_g1_to_g4_is_printed_once(iris, width):
    ctx, derivations = iris
    lines = check_screen(ctx, derivations, width)
    assert max(len(line) for line in lines) <= width
    by_id = {d.id: d for d in derivations}
    assert all(by_id[g].status == "not_applicable" for g in ("G1", "G2", "G3", "G4"))
    reason = " ".join(by_id["G2"].main.detail.split())
    assert all(" ".join(by_id[g].main.detail.split()) == reason for g in ("G3", "G4"))
    g1 = " ".join(by_id["G1"].main.detail.split())
    assert g1.startswith(reason + "; ")  # G1 adds why the sequential construction fails too
    text = " ".join(" ".join(lines).split())
    assert text.count(reason) == 1 and text.count("G1–G4 not applicable: " + reason) == 1
    assert text.count("G1 also: " + g1[len(reason) + 2:]) == 1
    assert sum(line.startswith("G1–G4 not applicable") for line in lines) == 1
    n = Counter(d.status for d in derivations)
    assert re.search(rf"{len(derivations)} claims: .*{n['not_applicable']} not applicable, 0 refuted", text)
    rows = _claim_rows(lines)
    assert set(rows) == set(by_id)


@pytest.mark.parametrize("width", [80, 100, 200])
def test_verbose_prints_every_check_within_the_width(embedded, width):
    ctx, derivations = embedded
    lines = verbose_screen(ctx, derivations, width)
    assert max(len(line) for line in lines) <= width
    status_lines = [line for line in lines if re.match(r"^(\S+)?\s+(proved|certified|checked|refuted|undecided|"
                                                        r"not_applicable)\s", line)]
    assert len(status_lines) == sum(len(d.checks) for d in derivations)  # one row per check
    assert any(line.startswith("E2.58 REFUTED (the paper's Theorem 2.3, (2.58)") for line in lines)


def test_fit_table_wraps_only_the_flexible_column():
    rows = [("id", "status", "text"), ("T1", "not_applicable", "one two three four five six seven eight nine ten")]
    lines = fit_table(rows, 40, flexible={2})
    assert max(map(len, lines)) <= 40
    assert lines[1].startswith("T1  not_applicable  one two")  # the status whole
    assert " ".join(" ".join(lines[1:]).split()[2:]) == rows[1][2]


def test_right_aligned_rows_keep_the_number_on_the_first_line():
    rows = [("A", "ok", "short text", "n 1"), ("B", "ok", "a much longer text that has to wrap here", "value 22")]
    lines = right_aligned_rows(rows, 40)
    assert max(map(len, lines)) <= 40
    assert lines[0].startswith("A  ok  short text") and lines[0].endswith("n 1")
    assert lines[1].startswith("B  ok  a much") and lines[1].endswith("value 22")
    assert len(lines[1]) == len(lines[0])  # one right edge
    assert " ".join(" ".join(lines[1:]).replace("value 22", "").split()[2:]) == rows[1][2]


@pytest.mark.parametrize("env, width", [({"COLUMNS": "80"}, 80), ({"COLUMNS": "200"}, 200), ({"COLUMNS": "x"}, 100),
                                        ({"COLUMNS": "10"}, 40)])
def test_the_width_is_columns_else_100_when_not_a_terminal(monkeypatch, env, width):
    monkeypatch.delenv("COLUMNS", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(os, "get_terminal_size", lambda *a: (_ for _ in ()).throw(OSError("not a terminal")))
    assert terminal_width() == width


@pytest.mark.slow
def test_the_screen_is_the_same_bytes_across_hash_seeds():
    outs = []
    for seed in ("0", "1"):
        env = dict(os.environ, PYTHONHASHSEED=seed, COLUMNS="100")
        outs.append(subprocess.run([sys.executable, "-m", "symgeom", "check", "--quiet"], env=env,
                                   capture_output=True, timeout=600).stdout)
    assert outs[0] == outs[1] and outs[0].count(b"\n") <= 30


def test_tables_fit_every_width_and_never_cut_a_status():
    """Seeded random rows at widths 40..200: no line wider than the width, each status whole on the line of its
    row, every word of every cell kept."""
    import random

    rng = random.Random(7)
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()
    for _ in range(500):
        width = rng.randint(40, 200)
        rows = [(rng.choice(["T1", "E2.85", "N2"]), rng.choice(["not_applicable", "proved", "certified"]),
                 rng.choice(["", "all Q", "Q <= 8, float samples"]),
                 " ".join(rng.choices(words, k=rng.randint(0, 14))), " ".join(rng.choices(words, k=rng.randint(0, 6))))
                for _ in range(6)]
        for lines in (right_aligned_rows(rows, width), fit_table(rows, width, flexible={3, 4})):
            assert max(map(len, lines)) <= width
            assert sum(any(line.split()[:2] == [r[0], r[1]] for line in lines) for r in rows) == len(rows)
            kept = " ".join(lines).split()
            assert Counter(kept) == Counter(w for r in rows for c in r for w in c.split())
