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


@pytest.fixture(autouse=True)
def _json_outputs_follow_their_schemas(monkeypatch):
    """Every JSON object a command writes in the test suite (check, locate, train --json; construct's .json files)
    is validated against the schema it names (symgeom/schemas); a test that made one that does not conform fails."""
    import jsonschema

    from symgeom.cli import check_command, construct_command, json_output, locate_command, train_command
    from symgeom.testing.json_schemas import validate_output

    failures = []

    def validated_text(obj, **options):
        if isinstance(obj, dict) and "schema" in obj:
            try:
                validate_output(obj)
            except jsonschema.ValidationError as e:
                failures.append(f"{obj['schema']}: {list(e.absolute_path)}: {e.message[:300]}")
        return json_output.json_text(obj, **options)

    for module in (check_command, construct_command, locate_command, train_command):
        monkeypatch.setattr(module, "json_text", validated_text)
    yield
    assert not failures, "JSON output that does not follow its schema: " + "; ".join(failures)
