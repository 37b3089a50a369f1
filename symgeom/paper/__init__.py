"""The paper's own statements, as it states them: the hypotheses of its theorems, its construction of Theorem 2.3, the values it states for its local minima."""

__all__: list[str] = []
