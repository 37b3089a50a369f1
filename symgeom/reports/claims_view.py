"""What the report prints of each claim: a theorem, its proof, one sentence of status, and the certificate rows.

The proof of a claim is the chain of its derivation's steps that carry the argument (a symbolic identity, an exact
computation, or a step without a check); corroborations (explicit sizes, float samples, finite differences) and the
per-stratum certificates are not repeated in the proof: they are rows of the certificate table, cited by number
(``C.4``).  A step a previous claim has already shown is cited, not repeated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..certify.certificates import CHECKED, Derivation, Scope, Step
from ..numbers import sizes
from ..numbers.printing import Latex, decimal_latex, latex, prose_latex, scope_latex

__all__ = ["PAPER_ORDER", "STATUS_WORDS", "STRATA_TABLE", "ClaimView", "ProofStep", "CertificateRow", "claim_views",
           "ordered", "quantity", "status_sentence"]

PAPER_ORDER = ("D2.1", "T1", "P2.2", "T2", "T3", "T4", "T5", "H2.14", "H2.52", "P2.3", "E2.58", "G1", "G2", "G3", "G4",
               "P2.4", "E2.71", "N1", "P2.5", "E2.85", "N2", "N3", "N4", "N5")
"""The claims in the order of the paper's Section 2: each of symgeom's own claims beside the statement it
reconstructs (the truncation maps after Definition 2.1 and Proposition 2.2, the global minimizers after Theorem 2.3,
the local minima after Theorems 2.4 and 2.5)."""

STATUS_WORDS = {"proved": "Proved", "certified": "Certified", "checked": "Checked in floating point",
                "refuted": "Refuted", "undecided": "Undecided", "not_applicable": "Not applicable"}

_STRATUM_METHOD = "every strict sign condition of the stratum"
_CORROBORATION = re.compile(r"^(Corroboration|Random |Independent|The induction step again|All three identities)")


@dataclass(frozen=True)
class CertificateRow:
    """One row of the appendix table: a check of one step, numbered ``C.k``."""

    number: int
    claim: str
    check: Latex
    status: str
    scope: Latex
    numbers: Latex
    tolerance: Latex
    explained: bool = False
    """A negative margin within the check's tolerance (the table's note explains it)."""


@dataclass
class ClaimView:
    """A claim as the report prints it."""

    derivation: Derivation
    proof: list = field(default_factory=list)
    """``(justification, statement, cited)`` triples: LaTeX, LaTeX or ``None``, the text citing the certificate."""
    corroborations: list = field(default_factory=list)
    """Certificate numbers of the checks that corroborate the proof without being part of it."""
    status: Latex = Latex("")

    @property
    def id(self) -> str:
        return self.derivation.id


def ordered(derivations: list[Derivation]) -> list[Derivation]:
    """The derivations in :data:`PAPER_ORDER` (any claim not listed keeps its place after them)."""
    rank = {cid: i for i, cid in enumerate(PAPER_ORDER)}
    return sorted(derivations, key=lambda d: rank.get(d.id, len(rank)))


def claim_views(derivations: list[Derivation]) -> tuple[list[ClaimView], list[CertificateRow]]:
    """Every claim's theorem view, and the certificate table they cite (identical checks share one number)."""
    rows: list[CertificateRow] = []
    numbered: dict = {}
    shown: dict = {}
    views = []
    for d in ordered(derivations):
        view = ClaimView(d)
        for step in d.steps:
            if _stratum_certificate(step) and not step.key:  # a row of the strata table, not of the certificates
                if STRATA_TABLE not in view.corroborations:
                    view.corroborations.append(STRATA_TABLE)
                continue
            number = _number(step, d.id, rows, numbered) if step.check is not None else None
            cite = f"C.{number}" if number else None
            if _corroboration(step, d.scope):
                view.corroborations.append(cite)
                continue
            key = str(step.justification)
            if key in shown and shown[key] != d.id:
                _cite_earlier(view, shown[key], _first_sentence(key), cite)
                continue
            shown.setdefault(key, d.id)
            view.proof.append(ProofStep(latex(step.justification), _statement(step), [cite] if cite else []))
        view.status = status_sentence(d, numbered.get(id(d.main)))
        views.append(view)
    return views, rows


@dataclass
class ProofStep:
    """One step of a printed proof: why (LaTeX), what (LaTeX, or ``None``), and the certificates cited."""

    justification: Latex
    statement: Latex | None
    cites: list
    earlier: str | None = None
    """The claim whose proof already showed this step (the step is then cited, not repeated)."""

    @property
    def inline(self) -> bool:
        """Whether the statement is short enough to follow its justification in the text."""
        s = self.statement or ""
        if s.lstrip().startswith(r"\text") or re.search(r"\\begin|\\frac|\\sum|\\\\|\\tfrac|\\bigl|\\big|\\substack", s):
            return False
        return len(s) <= (60 if r"\left" in s else 100)  # TeX cannot break inside \left ... \right


def _cite_earlier(view: ClaimView, claim: str, sentence: str, cite: str | None) -> None:
    """Cite a step an earlier claim's proof showed, merged with the citation just before it when it is of the
    same claim."""
    last = view.proof[-1] if view.proof else None
    if last is not None and last.earlier == claim:
        lower = sentence[:1].isalpha() and sentence[1:2].islower()
        last.justification = Latex(last.justification[:-1] + "; " + (sentence[0].lower() if lower else sentence[0])
                                   + sentence[1:])
        if cite and cite not in last.cites:
            last.cites.append(cite)
        return
    view.proof.append(ProofStep(Latex(f"As in the proof of {claim}: {sentence}"), None, [cite] if cite else [], claim))


STRATA_TABLE = Latex(r"Table~\ref{tab:strata}")
"""How a proof cites the strata table, which holds the certificate of every single stratum."""


def _stratum_certificate(step: Step) -> bool:
    """Whether a step certifies one stratum's point (``C(θ_S) = B_U`` and the strict sign conditions of ``R_S``)."""
    check = step.check
    return check is not None and _STRATUM_METHOD in check.method and check.method.startswith("exact cost equal")


def _corroboration(step: Step, claim_scope: Scope) -> bool:
    """Whether a step corroborates rather than proves: explicit sizes, float samples, or the data when the claim
    is about every ``Q``."""
    check = step.check
    if check is None:
        return False
    if check.status == CHECKED or str(check.scope or "").startswith("Q <="):
        return True
    if claim_scope == Scope.all_q() and check.scope != Scope.all_q():
        return True
    return bool(_CORROBORATION.match(str(step.justification)))


def _identity(step: Step) -> tuple:
    """What makes two checks the same certificate: the same statement checked the same way with the same numbers
    (the cone coordinates of T2, T3 and T4)."""
    check = step.check
    return (str(latex(step.statement)), check.status, check.method, check.scope, str(check.residual), str(check.margin),
            str(check.tolerance), check.detail)


def _number(step: Step, claim: str, rows: list, numbered: dict) -> int:
    """The certificate number of ``step``'s check, a new row unless the same check is already in the table."""
    check = step.check
    ident = _identity(step)
    if ident in numbered:
        numbered[id(check)] = numbered[ident]
        return numbered[ident]
    number = len(rows) + 1
    numbered[ident] = numbered[id(check)] = number
    margin = check.margin
    explained = check.is_float and margin is not None and _negative(margin)
    rows.append(CertificateRow(number, claim, prose_latex(check.method), str(check.status), scope_latex(check.scope),
                               _numbers(check), Latex(f"${quantity(check.tolerance)}$") if check.tolerance is not None else Latex("--"),
                               explained))
    return number


def _negative(x) -> bool:
    try:
        return float(x) < 0
    except (TypeError, ValueError):
        return False


def _numbers(check) -> Latex:
    parts = []
    if check.residual is not None:
        parts.append(r"$r = " + quantity(check.residual) + "$")
    if check.margin is not None:
        digits = 3
        while (check.tolerance is not None and digits < 9
               and quantity(check.margin, digits) == quantity(check.tolerance, digits) and check.margin != check.tolerance):
            digits += 1  # the margin beside its tolerance: as many digits as tell them apart
        parts.append(r"$m = " + quantity(check.margin, digits) + "$")
    return Latex(", ".join(parts) if parts else "--")


def quantity(x, digits: int = 3) -> Latex:
    """A number for the table: an exact value exactly when it is short (at most 9 characters), else to ``digits``
    significant digits (exact values rounded exactly)."""
    if not isinstance(x, float):
        text = sizes.exact_text(x)
        if len(text) <= 9 and re.fullmatch(r"-?\d+(/\d+)?", text):
            return latex(_sympy(x))
    return decimal_latex(x, digits)


def _sympy(x):
    import sympy as sp

    from ..numbers.arith import to_sympy

    return sp.nsimplify(to_sympy(x)) if not isinstance(x, sp.Basic) else x


def _statement(step: Step) -> Latex | None:
    text = latex(step.statement)
    return text if text.strip() else None


def _first_sentence(text: str) -> str:
    """The first sentence of a justification (to name the step cited)."""
    m = re.match(r"(.+?[.:])(\s|$)", text)
    return (m.group(1) if m else text).rstrip(":.") + "."


def status_sentence(d: Derivation, number: int | None) -> Latex:
    """``Certified on these data; certificate C.4.`` — the claim's status, its scope and its deciding check."""
    main = d.main
    word = STATUS_WORDS.get(str(main.status), str(main.status))
    scope = main.scope or d.scope
    where = {"all Q": "for every $Q$", "these data": "on these data",
             "these data, float": "on these data, in floating point"}.get(str(scope))
    if where is None:
        where = "for " + scope_latex(scope)
    cite = f"; certificate C.{number}" if number else ""
    return Latex(f"{word} {where}{cite}.")
