"""The JSON Schemas (draft 2020-12) of symgeom's JSON outputs, shipped in ``symgeom/schemas/``, and a validator
for them (needs ``jsonschema``: ``pip install 'symgeom[test]'``).

Every output names its schema: ``check --json`` (``check/1``), ``locate --json`` (``locate/1``), ``train --json``
(``train/1``) and the ``.json`` files of ``construct`` (``parameters/1``); ``common/1`` holds what they share,
and ``certificate/1`` the certificate files.

>>> validate_output({"schema": schema_id("locate")})  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
jsonschema.exceptions.ValidationError: 'symgeom_version' is a required property
"""

from __future__ import annotations

from functools import lru_cache

from ..cli.json_output import SCHEMA_NAMES, load_schema, schema_id

__all__ = ["SCHEMA_NAMES", "schema_id", "load_schema", "validator", "validate_output"]


@lru_cache(maxsize=None)
def validator(name: str):
    """A draft 2020-12 validator of the schema ``name``, with every shipped schema registered (they refer to
    ``common/1`` by its ``$id``)."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in map(load_schema, SCHEMA_NAMES))
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry)


def validate_output(obj: dict) -> None:
    """Validate a JSON output against the schema its ``schema`` field names (raises
    ``jsonschema.ValidationError`` when it does not conform, ``ValueError`` when it names no shipped schema)."""
    named = obj.get("schema") if isinstance(obj, dict) else None
    by_id = {schema_id(n): n for n in SCHEMA_NAMES}
    if named not in by_id:
        raise ValueError(f"the output names the schema {named!r}; symgeom's schemas are {', '.join(sorted(by_id))}")
    validator(by_id[named]).validate(obj)
