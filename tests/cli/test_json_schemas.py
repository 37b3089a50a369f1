"""Every JSON output validates against the schema it names (symgeom/schemas, draft 2020-12): check --json, locate
--json, train --json and the .json files of construct, in exact and float mode, for Q = 1 and on real data where
G1–G4 do not apply; a missing field or a changed type fails validation."""

import copy
import json

import jsonschema
import numpy as np
import pytest

import symgeom
import symgeom.testing
from symgeom.cli import main
from symgeom.testing.json_schemas import SCHEMA_NAMES, load_schema, validate_output, validator

SCHEMA_BASE = "https://symgeom.invalid/schemas/"


def run_json(capsys, argv):
    """The JSON object a command prints (strict: no NaN or Infinity)."""
    status = main(argv)
    assert status in (0, 1), argv
    return json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"))


def validated(obj, name):
    assert obj["schema"] == f"{SCHEMA_BASE}{name}/1"
    assert obj["symgeom_version"] == symgeom.__version__
    validate_output(obj)
    return obj


def numeric_fields(obj, path=""):
    """``{path: (exact value, approx value)}`` for every field that has an ``approx`` sibling."""
    out = {}
    if isinstance(obj, dict):
        for k, v in obj.get("approx", {}).items():
            out[f"{path}.{k}"] = (obj[k], v)
        for k, v in obj.items():
            if k != "approx":
                out.update(numeric_fields(v, f"{path}.{k}"))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.update(numeric_fields(v, f"{path}[{i}]"))
    return out


@pytest.fixture(scope="module")
def embedded_checks():
    """``check --json`` on the embedded data, exact and float."""
    import contextlib
    import io

    outs = {}
    for mode in ("--exact", "--float"):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert main(["check", mode, "--json", "--quiet"]) == 0
        outs[mode] = json.loads(buf.getvalue())
    return outs


def test_every_schema_is_a_valid_draft_2020_12_schema_and_ships():
    for name in SCHEMA_NAMES:
        schema = load_schema(name)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"{SCHEMA_BASE}{name}/1"
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("mode", ["--exact", "--float"])
def test_check_json_validates(embedded_checks, mode):
    out = validated(embedded_checks[mode], "check")
    statuses = [c["status"] for c in out["claims"]]
    assert out["summary"]["claims"] == len(statuses)
    for s in ("proved", "certified", "checked", "refuted", "undecided", "not_applicable"):
        assert out["summary"][s] == statuses.count(s)
    assert out["summary"]["exit_status"] == 0


def test_numbers_have_one_type_in_both_modes(embedded_checks):
    """Exact fields are strings or null, their float64 values numbers or null, in either mode; a float run writes
    no exact value it did not compute exactly (the data's delta, h, rho are null there, numbers under approx)."""
    for mode, out in embedded_checks.items():
        fields = numeric_fields(out)
        assert len(fields) > 50
        for path, (exact, approx) in fields.items():
            values = exact if isinstance(exact, list) else [exact]
            approxes = approx if isinstance(approx, list) else [approx]
            assert all(v is None or isinstance(v, str) for v in values), (mode, path, exact)
            assert all(a is None or isinstance(a, (int, float)) and not isinstance(a, bool) for a in approxes), (mode, path)
    exact, flt = embedded_checks["--exact"], embedded_checks["--float"]
    assert exact["data"]["delta"] == "1/5" and flt["data"]["delta"] is None
    assert exact["data"]["approx"]["delta"] == flt["data"]["approx"]["delta"] == 0.2
    assert set(numeric_fields(exact["global_minimizer"])) == set(numeric_fields(flt["global_minimizer"]))


def test_units_carry_no_prose(embedded_checks):
    units = embedded_checks["--exact"]["units"]
    assert units == {"changed": False, "c": ["0", "0", "0"], "s": "1", "t": "1",
                     "approx": {"c": [0.0, 0.0, 0.0], "s": 1.0, "t": 1.0}}
    assert len(json.dumps(units)) < 200


def test_a_missing_field_or_a_changed_type_fails_validation(embedded_checks):
    good = embedded_checks["--exact"]
    validate_output(good)
    broken = []
    for path in (("summary",), ("Q",), ("claims", 0, "status"), ("data", "approx", "rho"), ("units", "changed"),
                 ("global_minimizer", "cost"), ("local_minima", 0, "bound")):
        bad = copy.deepcopy(good)
        where = bad
        for key in path[:-1]:
            where = where[key]
        del where[path[-1]]
        broken.append(bad)
    drift = copy.deepcopy(good)
    drift["claims"][4]["checks"][-1]["residual"] = 7.59e-19  # a float where an exact string (or null) belongs
    broken.append(drift)
    drift = copy.deepcopy(good)
    drift["local_minima"][0]["approx"]["bound"] = "0.1"  # a string where a float belongs
    broken.append(drift)
    drift = copy.deepcopy(good)
    drift["units"]["transfer"] = "theta' = ..."  # prose back under units
    broken.append(drift)
    drift = copy.deepcopy(good)
    drift["data"]["delta"] = "0.2"  # a decimal is not an exact value's text
    broken.append(drift)
    for bad in broken:
        with pytest.raises(jsonschema.ValidationError):
            validate_output(bad)


def test_an_output_naming_no_schema_is_refused():
    with pytest.raises(ValueError, match="names the schema None"):
        validate_output({"Q": 3})


@pytest.mark.parametrize("mode", ["--exact", "--float"])
def test_q1_outputs_validate(tmp_path, capsys, mode):
    csv, theta = tmp_path / "q1.csv", tmp_path / "theta.json"
    assert main(["example", "--Q", "1", "--out", str(csv)]) == 0
    capsys.readouterr()
    out = validated(run_json(capsys, ["check", mode, "--json", "--quiet", "--data", str(csv)]), "check")
    assert out["Q"] == 1
    assert out["data"]["h"] is None and out["data"]["approx"]["h"] is None  # h is infinite for one cluster
    assert main(["construct", mode, "--data", str(csv), "--out", str(theta)]) == 0
    capsys.readouterr()
    validated(json.loads(theta.read_text()), "parameters")
    where = validated(run_json(capsys, ["locate", mode, "--json", "--data", str(csv), "--params", str(theta)]), "locate")
    assert where["summary"] == {"verdict": where["verdict"], "truncated": where["truncated"],
                                "in_stratum": where["in_stratum"]}


@pytest.mark.parametrize("mode", ["--exact", "--float"])
@pytest.mark.parametrize("extra", [[], ["--truncate", "1"], ["--truncate", "1,2"], ["--L", "2"]])
def test_construct_files_and_locate_validate(tmp_path, capsys, mode, extra):
    theta = tmp_path / "theta.json"
    assert main(["construct", mode, *extra, "--out", str(theta)]) == 0
    capsys.readouterr()
    written = validated(json.loads(theta.read_text()), "parameters")
    assert written["kind"] == ("exact" if mode == "--exact" else "float")
    assert written["summary"]["claim"] == written["claim"]
    where = validated(run_json(capsys, ["locate", mode, "--json", "--params", str(theta)]), "locate")
    assert where["summary"]["verdict"] in ("at_stratum_minimum", "global_minimum", "outside_strata")
    if mode == "--exact":
        assert where["cost"] == written["cost"]  # the cost construct states, recomputed by locate
    else:
        assert where["cost"] is None and isinstance(where["approx"]["cost"], float)


def test_train_json_validates(capsys):
    out = validated(run_json(capsys, ["train", "--inits", "3", "--steps", "20", "--json", "--quiet"]), "train")
    assert out["summary"]["runs"] == len(out["runs"]) == 3
    assert out["summary"]["groups"] == len(out["strata"])
    assert sum(g["runs"] for g in out["strata"]) == 3
    for run in out["runs"]:
        assert [h["step"] for h in run["history"]][-1] == 20
        assert all(h["cost"] is None and isinstance(h["approx"]["cost"], float) for h in run["history"])


def principal_components_csv(path, which: str, every: int = 1):
    """scikit-learn's ``which`` data set (iris, wine) projected to its first 3 principal components, rounded to 2
    decimals, every ``every``-th point: clusters far too thick for the paper's hypotheses, and (for these) not
    sequentially separable either."""
    import sklearn.datasets

    from sklearn.decomposition import PCA

    bunch = getattr(sklearn.datasets, f"load_{which}")()
    Z = np.round(PCA(3).fit_transform(bunch.data), 2)[::every]
    rows = [",".join(f"{v:.2f}" for v in row) + f",{label}" for row, label in zip(Z, (bunch.target + 1)[::every])]
    path.write_text("x1,x2,x3,cluster\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize("mode", ["--exact", "--float"])
def test_real_data_where_g1_to_g4_do_not_apply_validates(tmp_path, capsys, mode):
    csv = principal_components_csv(tmp_path / "wine.csv", "wine", every=5)
    out = validated(run_json(capsys, ["check", mode, "--json", "--quiet", "--data", str(csv)]), "check")
    status = {c["id"]: c["status"] for c in out["claims"]}
    assert all(status[g] == "not_applicable" for g in ("G1", "G2", "G3", "G4"))
    assert out["global_minimizer"]["status"] == "not_applicable" and out["global_minimizer"]["reason"]
    assert out["summary"]["not_applicable"] >= 4


@pytest.mark.slow
def test_full_iris_validates(tmp_path, capsys):
    csv = principal_components_csv(tmp_path / "iris.csv", "iris")
    out = validated(run_json(capsys, ["check", "--json", "--quiet", "--data", str(csv)]), "check")
    assert out["N"] == 150 and out["global_minimizer"]["status"] == "not_applicable"


def test_validator_is_shared_by_name():
    assert validator("check") is validator("check")


def test_schemas_and_licence_are_package_data():
    from importlib import resources

    folder = resources.files("symgeom") / "schemas"
    assert sorted(p.name for p in folder.iterdir() if p.name.endswith(".schema.json")) == sorted(
        f"{n}.schema.json" for n in SCHEMA_NAMES)
    assert symgeom.testing.validate_output is validate_output


@pytest.mark.slow
def test_the_wheel_ships_the_schemas_and_the_licence(tmp_path):
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    import shutil

    source = tmp_path / "source"  # a copy, so that the build leaves nothing in the checkout
    shutil.copytree(Path(__file__).resolve().parents[2], source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".hypothesis", ".pytest_cache", "symgeom-report"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(source),
                    "-w", str(tmp_path / "wheel")], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = (tmp_path / "wheel").glob("symgeom-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"symgeom/schemas/{n}.schema.json" for n in SCHEMA_NAMES} <= names
    assert any(n.endswith("/LICENSE") and ".dist-info/" in n for n in names)
    assert "symgeom/py.typed" in names
