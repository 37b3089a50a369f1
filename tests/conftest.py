import pytest

from symgeom.data import default_data


@pytest.fixture(scope="session")
def data():
    """The embedded default data, exact (session-wide; the plugin's ``clustered_data`` is per test)."""
    return default_data()
