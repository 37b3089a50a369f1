"""Typed errors. The command line maps every one of them to one line on stderr and exit status 2."""


class SymgeomError(Exception):
    """Base class of every error symgeom raises on purpose.  Its message speaks of the mathematics and the
    inputs, never of command-line options: ``remedy`` names, in the library's words, the setting that would
    help (``"exact"``: exact arithmetic; ``"budget"``: a time budget of at least ``remedy_value`` seconds), and
    the command line adds the option that sets it."""

    def __init__(self, *args, remedy: str | None = None, remedy_value=None):
        super().__init__(*args)
        self.remedy, self.remedy_value = remedy, remedy_value


class DataError(SymgeomError):
    """The training data or the targets are unusable (which input, what is wrong, what is expected)."""


class ParameterError(SymgeomError):
    """Network parameters have the wrong shape, kind, or are not invertible where they must be."""


class UsageError(SymgeomError):
    """A request that cannot be carried out as asked (bad option value, output in the way)."""


class ReportError(SymgeomError):
    """A report could not be rendered or compiled."""


class ConstructionError(SymgeomError):
    """An explicit construction is impossible on these data (names the step, the cluster and the
    violated inequality with its numbers)."""


class KindError(ParameterError, TypeError):
    """Parameters and data of different number kinds (exact rationals and float64) meet in one computation.
    A :class:`TypeError` too, as Python's own arithmetic would raise."""


def mixed_kinds(params_kind: str, data_kind: str) -> KindError:
    """The error for parameters of kind ``params_kind`` evaluated on data of kind ``data_kind``: both kinds and
    the two ways to make them agree."""
    label = {"exact": "exact rationals", "float": "float64"}
    return KindError(f"the parameters are {label[params_kind]} and the data are {label[data_kind]}: symgeom computes "
                     "in one number kind at a time; convert the parameters with params.with_kind("
                     f"{data_kind!r}), or use data of the parameters' kind (default_data({params_kind!r}), "
                     f"read_csv(path, kind={params_kind!r}))")
