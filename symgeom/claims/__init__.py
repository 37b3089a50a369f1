"""Running the claims: the context and the registry (the recipes are in ``symgeom.derivations``)."""

__all__: list[str] = []
