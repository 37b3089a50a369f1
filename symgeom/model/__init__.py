"""The ReLU network: parameters, forward pass, activation, cost, cumulative parameters, truncation maps, symmetry, units, parameter files (json/npz/pt)."""

__all__: list[str] = []
