import sys
from pathlib import Path

# The tests live in folders following the package's layout; their helpers (strategies_data, update_golden) stay
# here, and a test module that another imports by name is found whatever the order or the folder collected.
_TESTS = Path(__file__).resolve().parent
for _folder in [*sorted(p for p in _TESTS.iterdir() if p.is_dir() and any(p.glob("test_*.py"))), _TESTS]:
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

import pytest

from symgeom.data.embedded import default_data


@pytest.fixture(scope="session")
def data():
    """The embedded default data, exact (session-wide; the plugin's ``clustered_data`` is per test)."""
    return default_data()
