"""The theorem views of the report: order, citations, corroborations, numbers, and expressions as a person writes them."""

from fractions import Fraction

import sympy as sp

from symgeom.certify.certificates import Check, Derivation, Scope, Step
from symgeom.numbers.printing import readable_latex
from symgeom.reports.claims_view import PAPER_ORDER, claim_views, quantity, status_sentence


def _proved(method="algebra", detail=""):
    return Check("proved", method, detail, scope=Scope.all_q())


def test_claims_follow_the_paper_and_shared_steps_are_cited_not_repeated():
    shared = Step(r"u = W(z - p)", "Cone coordinates: shared.", _proved())
    t2 = Derivation("T2", "geometry", "s", (shared, Step("a = b", "Own step.", _proved("other"), key=True)), scope=Scope.all_q())
    t3 = Derivation("T3", "idempotence", "s", (shared, Step("c = d", "Another.", _proved("third"), key=True)), scope=Scope.all_q())
    d21 = Derivation("D2.1", "definition", "s", (Step("e = f", "Scaling.", Check("certified", "exact", scope=Scope.these_data())),))
    views, rows = claim_views([t3, t2, d21])
    assert [v.id for v in views] == ["D2.1", "T2", "T3"]  # the paper's order, whatever the input order
    assert PAPER_ORDER.index("D2.1") < PAPER_ORDER.index("T2") < PAPER_ORDER.index("T3")
    t3_view = views[2]
    assert t3_view.proof[0].earlier == "T2" and t3_view.proof[0].statement is None
    assert t3_view.proof[0].cites == ["C.2"]  # the number T2's proof gave the shared step
    assert [r.number for r in rows] == [1, 2, 3, 4] and len(rows) == 4  # the shared check counted once
    assert str(t3_view.status) == r"Proved for every $Q$; certificate C.4."


def test_same_check_on_different_statements_gets_two_numbers():
    check = _proved("coordinatewise lemma", "every Q")
    d = Derivation("T4", "t", "s", (Step("a = b", "One.", check), Step("c = d", "Two.", check, key=True)), scope=Scope.all_q())
    _, rows = claim_views([d])
    assert len(rows) == 2


def test_corroborations_leave_the_proof_and_stay_in_the_table():
    steps = (Step("a = b", "The identity.", _proved(), key=True),
             Step("a = b", "Random samples.", Check("checked", "float64 samples", tolerance=1e-9, residual=1e-15,
                                                     scope=Scope.up_to(8, float_samples=True))),
             Step("a = b", "On the data.", Check("certified", "exact", scope=Scope.these_data())))
    (view,), rows = claim_views([Derivation("T1", "t", "s", steps, scope=Scope.all_q())])
    assert len(view.proof) == 1 and view.corroborations == ["C.2", "C.3"] and len(rows) == 3


def test_negative_margin_of_a_float_check_is_marked_as_explained():
    check = Check("checked", "float64 samples", margin=-1.5e-15, tolerance=8e-8, scope=Scope.up_to(8, float_samples=True))
    _, (row,) = claim_views([Derivation("T4", "t", "s", (Step("a", "x.", check),), scope=Scope.all_q())])
    assert row.explained and "-1.5" in row.numbers


def test_quantities_exact_when_short_else_three_digits():
    assert quantity(Fraction(83, 30)) == r"\frac{83}{30}"
    assert quantity(Fraction(4366792, 12118499783)) == f"{4366792 / 12118499783:.3g}" == "0.00036"  # 0.000360341...
    assert quantity(0.000118293) == "0.000118" and quantity(1.7874e-14) == r"1.79 \times 10^{-14}"
    assert quantity(0) == "0"


def test_status_sentence_names_scope_and_certificate():
    d = Derivation("G1", "t", "s", (Step("a", "x.", Check("certified", "exact", scope=Scope.these_data()), key=True),))
    assert status_sentence(d, 4) == "Certified on these data; certificate C.4."


def test_readable_latex_turns_leading_minus_signs_round():
    g, k, Q = sp.symbols("gamma kappa Q", positive=True)
    assert readable_latex(-(g - 1) / (Q * (g + 1))) == r"\frac{1 - \gamma}{Q \left(1 + \gamma\right)}"
    both = (g - 1) * (g * k - 1) / (2 * (g + 1) ** 2)  # two factors turned round: the sign stays +
    assert readable_latex(both) == r"\frac{\left(1 - \gamma\right) \left(1 - \gamma \kappa\right)}{2 \left(1 + \gamma\right)^{2}}"
    assert readable_latex((g - 1) / Q) == r"-\frac{1 - \gamma}{Q}"


def test_a_margin_beside_its_tolerance_shows_the_digits_that_tell_them_apart():
    from symgeom.reports.claims_view import _numbers

    check = Check("checked", "slopes", margin=0.500088, tolerance=0.5, scope=Scope.these_data(float=True))
    assert _numbers(check) == "$m = 0.5001$"  # 0.500088 to three digits would read as the tolerance 0.5
