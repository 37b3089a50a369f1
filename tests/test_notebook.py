"""The tutorial notebook runs from top to bottom (executed with nbclient, so it never rots), ships with its outputs
(the docs site renders them as they are stored), and its conclusion agrees with the numbers it prints."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "tutorial.ipynb"


def _text(cell) -> str:
    return "".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                   for o in cell["outputs"])


def _conclusion(cells) -> str:
    return _text([c for c in cells if c["cell_type"] == "code"][-1])


def _check_conclusion(cells):
    """The closing lines are computed: their counts match the table of runs printed before them."""
    text = "\n".join(_text(c) for c in cells if c["cell_type"] == "code")
    rows = re.findall(r"runs +(\d+) +at minimum (\d+)", text)
    assert rows
    runs, at_min = sum(int(r) for r, _ in rows), sum(int(m) for _, m in rows)
    first = _conclusion(cells).splitlines()[0]
    assert first.startswith(f"{at_min} of {runs} runs end at a local minimum")
    assert "locate on the G1 minimizer" in _conclusion(cells)


def test_shipped_notebook_has_its_outputs():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code and all(c["outputs"] for c in code if "import matplotlib" not in "".join(c["source"]))
    outputs = [o for c in code for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the figure is inline
    assert not re.search(r"rank-deficient weights, which random", "".join("".join(c["source"]) for c in cells))
    _check_conclusion(cells)


@pytest.mark.slow
def test_tutorial_notebook_executes():
    nbformat = pytest.importorskip("nbformat", reason="the notebook test needs the test extra (nbformat, nbclient)")
    nbclient = pytest.importorskip("nbclient", reason="the notebook test needs the test extra (nbformat, nbclient)")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    shipped = _conclusion(json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"])
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()  # run where it lives
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "proved all Q" in text and "(39, 39)" in text  # T1's status; the nullity of G3 against L(Q^2+Q)+Q
    strata = [line for line in text.splitlines() if line.startswith("S = ")]
    assert len(strata) == 7 and all("local_minimum" in line and "certified" in line for line in strata)
    cells = json.loads(nbformat.writes(nb))["cells"]
    _check_conclusion(cells)
    assert _conclusion(cells) == shipped, "the shipped outputs are stale: re-execute examples/tutorial.ipynb"
