"""Regenerate the golden .tex files deliberately (never run by the tests): python tests/update_golden.py"""

from pathlib import Path

from symgeom.claims.registry import Context, run_claims
from symgeom.data.embedded import default_data
from symgeom.reports.report import render_report

GOLDEN = Path(__file__).parent / "golden"


def golden_t1() -> str:
    ctx = Context(default_data(), 3)
    return render_report(ctx, run_claims(ctx, "T1"), "symgeom report --only T1")


if __name__ == "__main__":
    (GOLDEN / "report_T1.tex").write_text(golden_t1())
    print("wrote", GOLDEN / "report_T1.tex")
