"""symgeom -- a symbolic proof companion for "Geometric structure of Deep Learning networks
and construction of global L² minimizers" (T. Chen, P. Muñoz Ewald, arXiv:2309.10639).

The public API is what this module exports; submodules are one per mathematical object.
"""

from pathlib import Path as _Path

# Installed, the recipes and templates are the subpackages ``symgeom.derivations`` and
# ``symgeom.templates``; in a source checkout they are the folders ``derivations/`` and
# ``templates/`` beside this package, which this makes importable under the same names.
_root = _Path(__file__).resolve().parent.parent
if not (_Path(__file__).resolve().parent / "derivations").exists() and (_root / "derivations" / "__init__.py").is_file():
    __path__.append(str(_root))  # noqa: F821 -- the package's own __path__

from ._errors import ConstructionError as ConstructionError
from ._errors import DataError as DataError
from ._errors import ParameterError as ParameterError
from ._errors import ReportError as ReportError
from ._errors import SymgeomError as SymgeomError
from ._errors import UsageError as UsageError
from .certificates import Check as Check
from .certificates import Derivation as Derivation
from .certificates import Step as Step
from .claims import Context as Context
from .claims import run_claims as run_claims
from .cost import Cost as Cost
from .cost import cost as cost
from .cost import symbolic_cost as symbolic_cost
from .cumulative import actual_parameters as actual_parameters
from .cumulative import cumulative_parameters as cumulative_parameters
from .data import ClusterData as ClusterData
from .data import default_data as default_data
from .data import example_data as example_data
from .datafiles import read_csv as read_csv
from .interval_network import interval_network as interval_network
from .minimizer import GlobalMinimizerFamily as GlobalMinimizerFamily
from .minimizer import global_minimizer as global_minimizer
from .network import Parameters as Parameters
from .network import output as output
from .parameter_files import load_parameters as load_parameters
from .truncation import TruncationMap as TruncationMap
from .truncation import curated_points as curated_points
from .truncation import truncation_map as truncation_map

__version__ = "0.1.0"
