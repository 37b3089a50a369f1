"""Running from a source checkout: ``symgeom.derivations`` and ``symgeom.templates`` are the repository's top-level
folders ``derivations/`` and ``templates/``, as ``pyproject.toml``'s package-dir mapping installs them.

An installed symgeom has both inside the package and needs nothing of this.  In a checkout (``python -m symgeom``
run from the repository, where the source package comes first on ``sys.path``) a finder maps exactly those two
names to their folders; nothing else of the repository becomes importable as ``symgeom.*``.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from pathlib import Path

MAPPED = ("derivations", "templates")
"""The subpackages that live outside the package folder in a checkout."""


class SourceTreeFinder(importlib.abc.MetaPathFinder):
    """Finds ``symgeom.derivations`` and ``symgeom.templates`` in the folders beside the source package."""

    def __init__(self, root: Path):
        self.root = root

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.partition(".")
        if package != "symgeom" or name not in MAPPED:
            return None
        folder = self.root / name
        return importlib.util.spec_from_file_location(fullname, folder / "__init__.py",
                                                      submodule_search_locations=[str(folder)])


def install() -> None:
    """Add the finder when the package runs from a checkout (the mapped folders beside it, not inside it)."""
    here = Path(__file__).resolve().parent
    root = here.parent
    if all((here / name).exists() or not (root / name / "__init__.py").is_file() for name in MAPPED):
        return
    if not any(isinstance(f, SourceTreeFinder) for f in sys.meta_path):
        sys.meta_path.append(SourceTreeFinder(root))
