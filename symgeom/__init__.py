"""symgeom -- a symbolic proof companion for "Geometric structure of Deep Learning networks
and construction of global L² minimizers" (T. Chen, P. Muñoz Ewald, arXiv:2309.10639).

The public API is what this module exports; subpackages follow the paper
(numbers, data, model, calculus, certify, global_minima, local_minima, paper, claims, reports, cli, testing),
one module per mathematical object. The recipes are ``symgeom.derivations`` and the templates ``symgeom.templates``
(the folders ``derivations/`` and ``templates/`` of the repository, mapped in by ``pyproject.toml``).
"""

__version__ = "0.1.0"

from ._source_tree import install as _install_source_tree

_install_source_tree()  # a source checkout maps derivations/ and templates/ as the installed package has them

from ._errors import ConstructionError as ConstructionError
from ._errors import DataError as DataError
from ._errors import KindError as KindError
from ._errors import ParameterError as ParameterError
from ._errors import ReportError as ReportError
from ._errors import SymgeomError as SymgeomError
from ._errors import UsageError as UsageError
from .certify.certificates import Check as Check
from .certify.certificates import Derivation as Derivation
from .certify.certificates import Step as Step
from .claims.registry import Context as Context
from .claims.registry import run_claims as run_claims
from .calculus.cost import Cost as Cost
from .calculus.cost import cost as cost
from .calculus.cost import symbolic_cost as symbolic_cost
from .model.cumulative import actual_parameters as actual_parameters
from .model.cumulative import cumulative_parameters as cumulative_parameters
from .data.clusters import ClusterData as ClusterData
from .data.embedded import default_data as default_data
from .data.clusters import example_data as example_data
from .data.files import read_csv as read_csv
from .global_minima.interval_network import interval_network as interval_network
from .global_minima.minimizer import GlobalMinimizerFamily as GlobalMinimizerFamily
from .global_minima.minimizer import global_minimizer as global_minimizer
from .model.network import Parameters as Parameters
from .model.network import output as output
from .model.parameter_files import load_parameters as load_parameters
from .model.truncation import TruncationMap as TruncationMap
from .model.truncation import curated_points as curated_points
from .model.truncation import truncation_map as truncation_map

__all__ = [
    "Check",
    "ClusterData",
    "ConstructionError",
    "Context",
    "Cost",
    "DataError",
    "Derivation",
    "GlobalMinimizerFamily",
    "KindError",
    "ParameterError",
    "Parameters",
    "ReportError",
    "Step",
    "SymgeomError",
    "TruncationMap",
    "UsageError",
    "actual_parameters",
    "cost",
    "cumulative_parameters",
    "curated_points",
    "default_data",
    "example_data",
    "global_minimizer",
    "interval_network",
    "load_parameters",
    "output",
    "read_csv",
    "run_claims",
    "symbolic_cost",
    "truncation_map",
]
