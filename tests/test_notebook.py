"""The tutorial notebook runs from top to bottom (executed with nbclient, so it never rots)."""

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "tutorial.ipynb"


@pytest.mark.slow
def test_tutorial_notebook_executes():
    nbformat = pytest.importorskip("nbformat", reason="the notebook test needs the test extra (nbformat, nbclient)")
    nbclient = pytest.importorskip("nbclient", reason="the notebook test needs the test extra (nbformat, nbclient)")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()  # run where it lives
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "proved all Q" in text and "(39, 39)" in text  # T1's status; the nullity of G3 against L(Q^2+Q)+Q
    strata = [line for line in text.splitlines() if line.startswith("S = ")]
    assert len(strata) == 7 and all("local_minimum" in line and "certified" in line for line in strata)
