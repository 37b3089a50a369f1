"""The global minimizers of §3 (G1–G4): criterion, cones, the explicit family, degeneracy."""

__all__: list[str] = []
