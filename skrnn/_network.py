"""Cells over time: directions, stacking, flat parameters, loss and gradient.

A :class:`RecurrentNetwork` is a stack of recurrent layers (one cell per
direction per layer) followed by a dense output layer that reads, for every
sequence, the last state of each direction. It owns no parameter values:
every method takes the flat parameter vector, so that optimisers, L-BFGS,
gradient checks, copies and pickles all work on one array.

Batches are processed time-major and sorted by decreasing length, so that at
step ``t`` the sequences still running are a contiguous prefix of the batch
(see :mod:`skrnn.cells`); the result for a sequence never depends on the rest
of its batch or on its padding.
"""

import numpy as np

from skrnn._convolution import ConvFrontEnd
from skrnn._losses import LOSSES
from skrnn.cells import get_cell


class _SortedBatch:
    """A batch sorted by decreasing length, time-major.

    Attributes
    ----------
    order : ndarray of shape (B,)
        ``sorted_row = original_row[order]``.
    lengths : ndarray of shape (B,)
        Sorted lengths.
    X : ndarray of shape (T, B, n_features)
        Sorted, time-major, contiguous values (zeros at padded steps).
    steps : list of int
        ``steps[t]``: number of sequences longer than ``t``.
    conv_cache : tuple
        Set when the convolutional front end has replaced the inputs: what
        its backward pass needs.
    """

    def __init__(self, sequences, dtype):
        self.order = np.argsort(-sequences.lengths, kind="stable")
        lengths = sequences.lengths[self.order]
        values = sequences.values[self.order, : int(lengths[0])]
        X = np.ascontiguousarray(values.transpose(1, 0, 2), dtype=dtype)
        self.replace_inputs(X, lengths)

    def replace_inputs(self, X, lengths):
        """Make time-major ``X`` with sorted ``lengths`` the batch's inputs.

        Also used when the convolutional front end's output becomes what the
        recurrent layers read; the order of the sequences stays the same.
        """
        self.X = X
        self.lengths = lengths
        B = len(lengths)
        ended = np.cumsum(np.bincount(lengths, minlength=len(X) + 1))
        self.steps = (B - ended[: len(X)]).tolist()
        self.equal_lengths = self.steps[-1] == B
        self._reverse_index = None

    def reverse(self, A):
        """Reverse each sequence of time-major ``A`` within its own length.

        Padded steps stay where they are, so the operation is a permutation
        of each column that is its own inverse (and its own gradient).
        """
        if self.equal_lengths:
            return np.ascontiguousarray(A[::-1])
        if self._reverse_index is None:
            t = np.arange(len(self.steps))[:, np.newaxis]
            L = self.lengths[np.newaxis, :]
            self._reverse_index = (
                np.where(t < L, L - 1 - t, t),
                np.arange(len(self.lengths))[np.newaxis, :],
            )
        return A[self._reverse_index]


class RecurrentNetwork:
    """Stacked (optionally bidirectional) recurrent layers and a dense output.

    Parameters
    ----------
    cell : str
        Registry key of the cell, e.g. ``"lstm"``.
    n_inputs : int
        Features per time step.
    hidden_layer_sizes : sequence of int
        Hidden units per layer (per direction).
    bidirectional : bool
        Whether every layer also runs over the reversed sequences; the two
        directions' states are concatenated.
    n_outputs : int
        Width of the output layer.
    cell_options : tuple of (name, value), default=()
        Hyperparameters for the cells that declare them (see
        :func:`skrnn.cells.get_cell`).
    conv_filters : int, default=0
        Filters of the convolutional front end (see :mod:`skrnn._convolution`);
        0 means none, and the first recurrent layer reads the inputs.
    conv_kernel_size : int, default=3
        Time steps each filter reads.
    conv_pool : int, default=1
        Max-pooling window and stride over time after the convolution.

    Attributes
    ----------
    layout : list of (key, name, shape, is_weight, offset)
        Where each parameter lives in the flat vector; ``key`` is
        ``(layer, direction)``, ``"output"`` or ``"conv"`` (the front end's,
        last, so that networks without it keep their layout).
    front_end : ConvFrontEnd or None
        The convolutional front end, when ``conv_filters > 0``.
    n_parameters : int
        Length of the flat parameter vector.
    """

    def __init__(
        self,
        cell,
        n_inputs,
        hidden_layer_sizes,
        bidirectional,
        n_outputs,
        cell_options=(),
        conv_filters=0,
        conv_kernel_size=3,
        conv_pool=1,
    ):
        self.n_directions = 2 if bidirectional else 1
        self.cells = []
        self.layout = []
        offset = 0

        def add(key, name, shape, is_weight):
            nonlocal offset
            self.layout.append((key, name, shape, is_weight, offset))
            offset += int(np.prod(shape))

        width = n_inputs
        self.front_end = None
        if conv_filters:
            self.front_end = ConvFrontEnd(
                n_inputs, conv_filters, conv_kernel_size, conv_pool
            )
            width = conv_filters
        for layer, size in enumerate(hidden_layer_sizes):
            cells = [
                get_cell(cell, size, dict(cell_options))
                for _ in range(self.n_directions)
            ]
            for direction, c in enumerate(cells):
                for name, shape, is_weight in c.parameter_shapes(width):
                    add((layer, direction), name, shape, is_weight)
            self.cells.append(cells)
            width = size * self.n_directions
        add("output", "W", (width, n_outputs), True)
        add("output", "b", (n_outputs,), False)
        if self.front_end is not None:
            for name, shape, is_weight in self.front_end.parameter_shapes():
                add("conv", name, shape, is_weight)
        self.n_parameters = offset
        self._weight_mask = np.zeros(offset, dtype=bool)
        for _, _, shape, is_weight, start in self.layout:
            self._weight_mask[start : start + int(np.prod(shape))] = is_weight

    # -- the flat parameter vector -------------------------------------------
    def unpack(self, flat):
        """Views into ``flat``: per-layer lists of per-direction dicts, and the output."""
        layers = [[{} for _ in cells] for cells in self.cells]
        output = {}
        for key, name, shape, _, offset in self.layout:
            view = flat[offset : offset + int(np.prod(shape))].reshape(shape)
            if key == "output":
                output[name] = view
            elif key == "conv":
                continue
            else:
                layers[key[0]][key[1]][name] = view
        return layers, output

    def unpack_conv(self, flat):
        """Views of the front end's ``"W"`` and ``"b"`` in ``flat``, or None."""
        if self.front_end is None:
            return None
        return {
            name: flat[offset : offset + int(np.prod(shape))].reshape(shape)
            for key, name, shape, _, offset in self.layout
            if key == "conv"
        }

    def initialize(self, rng, dtype=np.float64):
        """A new flat parameter vector, initialised by each cell's rule."""
        flat = np.zeros(self.n_parameters, dtype=dtype)
        layers, output = self.unpack(flat)
        for cells, params in zip(self.cells, layers):
            for cell, p in zip(cells, params):
                cell.initialize(p, rng)
        fan_in, fan_out = output["W"].shape
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        output["W"][...] = rng.uniform(-bound, bound, output["W"].shape)
        if self.front_end is not None:
            self.front_end.initialize(self.unpack_conv(flat), rng)
        return flat

    @property
    def weight_mask(self):
        """True where the flat vector holds a weight (penalised), False for biases."""
        return self._weight_mask

    # -- forward and backward ------------------------------------------------
    def _forward(self, layers, batch, conv=None):
        """Run all layers; return per-layer records and the output features.

        With ``conv`` (the front end's parameters) the front end runs first
        and ``batch`` is changed in place to describe its output sequences.
        """
        if conv is not None:
            X, lengths, batch.conv_cache = self.front_end.forward(
                conv, batch.X, batch.lengths
            )
            batch.replace_inputs(X, lengths)
        records = []
        inputs = batch.X
        for cells, params in zip(self.cells, layers):
            record = []
            for direction, (cell, p) in enumerate(zip(cells, params)):
                x = inputs if direction == 0 else batch.reverse(inputs)
                T, B, F = x.shape
                Z = (x.reshape(T * B, F) @ p["W"]).reshape(T, B, -1)
                Z += p["b"]
                H = np.zeros((T + 1, B, cell.n_hidden), dtype=Z.dtype)
                cache = cell.forward(Z, p, batch.steps, H)
                record.append((x, Z, H, cache))
            records.append(record)
            outputs = [H[1:] for _, _, H, _ in record]
            if len(outputs) == 2:
                outputs[1] = batch.reverse(outputs[1])
                inputs = np.concatenate(outputs, axis=2)
            else:
                inputs = outputs[0]
        # Both directions end at step length - 1 of their own time axis.
        rows = np.arange(len(batch.lengths))
        features = np.concatenate(
            [H[batch.lengths, rows] for _, _, H, _ in records[-1]], axis=1
        )
        return records, features

    def _backward(
        self, layers, grads, batch, records, d_features, conv=None, grad_conv=None
    ):
        """Backpropagate ``d_features`` through all layers into ``grads``.

        With ``conv``, also into the front end's gradient views ``grad_conv``.
        """
        rows = np.arange(len(batch.lengths))
        d_states = []
        start = 0
        for _, _, H, _ in records[-1]:
            dH = np.zeros((H.shape[0] - 1,) + H.shape[1:], dtype=H.dtype)
            width = H.shape[2]
            dH[batch.lengths - 1, rows] = d_features[:, start : start + width]
            start += width
            d_states.append(dH)

        for layer in range(len(self.cells) - 1, -1, -1):
            cells, params, record = self.cells[layer], layers[layer], records[layer]
            d_inputs = None
            for direction, (cell, p, g, (x, Z, H, cache), dH) in enumerate(
                zip(cells, params, grads[layer], record, d_states)
            ):
                dZ, dZ_rec = cell.backward(Z, p, batch.steps, H, cache, dH, g)
                T, B, F = x.shape
                dZ2 = dZ.reshape(T * B, -1)
                np.dot(x.reshape(T * B, F).T, dZ2, out=g["W"])
                np.sum(dZ2, axis=0, out=g["b"])
                np.dot(
                    H[:-1].reshape(T * B, -1).T, dZ_rec.reshape(T * B, -1), out=g["U"]
                )
                cell.finalize_gradients(g)
                if layer == 0 and conv is None:
                    continue
                dx = (dZ2 @ p["W"].T).reshape(T, B, F)
                if direction == 1:
                    dx = batch.reverse(dx)
                d_inputs = dx if d_inputs is None else d_inputs + dx
            if layer == 0:
                break
            width = self.cells[layer - 1][0].n_hidden
            d_states = [np.ascontiguousarray(d_inputs[:, :, :width])]
            if self.n_directions == 2:
                d_states.append(batch.reverse(d_inputs[:, :, width:]))
        if conv is not None:
            # d_inputs is now the gradient of layer 0's inputs.
            self.front_end.backward(conv, grad_conv, batch.conv_cache, d_inputs)

    @np.errstate(over="ignore")
    def decision(self, flat, sequences, chunk_size=1024):
        """Raw outputs (before the output activation) for every sequence.

        Parameters
        ----------
        flat : ndarray of shape (n_parameters,)
        sequences : Sequences
        chunk_size : int, default=1024
            Sequences run together; bounds the memory of a large prediction.

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
        """
        layers, output = self.unpack(flat)
        n = len(sequences.lengths)
        result = np.empty((n, output["b"].shape[0]), dtype=flat.dtype)
        for start in range(0, n, chunk_size):
            index = np.arange(start, min(start + chunk_size, n))
            batch = _SortedBatch(sequences.take(index), flat.dtype)
            _, features = self._forward(layers, batch, self.unpack_conv(flat))
            result[index[batch.order]] = features @ output["W"] + output["b"]
        return result

    @np.errstate(over="ignore")
    def loss_and_gradient(self, flat, sequences, Y, weights, loss, l2):
        """Loss on a batch and its gradient with respect to ``flat``.

        Parameters
        ----------
        flat : ndarray of shape (n_parameters,)
        sequences : Sequences
            The batch.
        Y : ndarray of shape (n_samples, n_outputs)
            Targets (one-hot or indicator for the classification losses).
        weights : ndarray of shape (n_samples,)
            Sample weights normalised to sum to one.
        loss : {"softmax", "logistic", "squared"}
            See :mod:`skrnn._losses`.
        l2 : float
            Coefficient of ``½ ‖weights‖²`` added to the loss (biases are not
            penalised).

        Returns
        -------
        loss : float
        gradient : ndarray of shape (n_parameters,)
        """
        layers, output = self.unpack(flat)
        grad = np.zeros_like(flat)
        grad_layers, grad_output = self.unpack(grad)
        batch = _SortedBatch(sequences, flat.dtype)
        conv, grad_conv = self.unpack_conv(flat), self.unpack_conv(grad)
        records, features = self._forward(layers, batch, conv)
        logits = features @ output["W"] + output["b"]
        value, d_logits = LOSSES[loss](
            logits, Y[batch.order], weights[batch.order].astype(flat.dtype)
        )
        np.dot(features.T, d_logits, out=grad_output["W"])
        np.sum(d_logits, axis=0, out=grad_output["b"])
        d_features = d_logits @ output["W"].T
        self._backward(layers, grad_layers, batch, records, d_features, conv, grad_conv)
        if l2:
            penalised = flat * self._weight_mask
            value += 0.5 * l2 * float(penalised @ penalised)
            grad += l2 * penalised
        return float(value), grad
