"""Recurrent cells, one module per cell, registered by their ``cell`` string."""

from skrnn.cells import clockwork, gru, lstm, peephole, rnn  # noqa: F401  (importing registers them)
from skrnn.cells._base import CELLS, Cell, get_cell, register_cell

__all__ = ["CELLS", "Cell", "get_cell", "register_cell"]
