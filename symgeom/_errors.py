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
