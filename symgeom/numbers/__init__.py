"""Number kinds (exact rationals and floats), exact linear algebra, sizes of numbers, decimal text, the certified float filter and the LaTeX of numbers."""

__all__: list[str] = []
