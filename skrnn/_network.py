"""Cells over time: directions, stacking, flat parameters, loss and gradient.

A :class:`RecurrentNetwork` is a stack of recurrent layers (one cell per
direction per layer) followed by a dense output layer that reads, for every
sequence, the top layer's states pooled over time (the last state of each
direction, or their mean or maximum over the sequence's real steps), or with
``return_sequences`` the top layer's state at every step. It owns no parameter values:
every method takes the flat parameter vector, so that optimisers, L-BFGS,
gradient checks, copies and pickles all work on one array.

Batches are processed time-major and sorted by decreasing length, so that at
step ``t`` the sequences still running are a contiguous prefix of the batch
(see :mod:`skrnn.cells`); the result for a sequence never depends on the rest
of its batch or on its padding.

Truncated backpropagation through time runs a batch in windows of
``bptt_steps`` steps: each window starts from the states the previous one
ended with, taken as constants, so only one window's activations are held
at a time.

An optional convolutional front end (:mod:`skrnn._convolution`) runs first,
over whole sequences (before any windows); the recurrent layers read its
output sequences, and its gradient gathers every window's input gradient.
"""

import numpy as np

from skrnn._convolution import ConvFrontEnd
from skrnn._losses import LOSSES
from skrnn._workspace import FRESH
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
    """

    def __init__(self, sequences, dtype):
        lengths = sequences.lengths
        order = np.argsort(-lengths, kind="stable")
        T = int(lengths[order[0]])
        values = sequences.values[order, :T]
        X = np.ascontiguousarray(values.transpose(1, 0, 2), dtype=dtype)
        self._set(X, lengths[order], order, 0, lengths[order])

    def _set(self, X, lengths, order, start, total_lengths):
        self.X = X
        self.lengths = lengths
        self.order = order
        #: First time step of this window within the whole sequences.
        self.start = start
        #: Lengths of the whole sequences (beyond this window).
        self.total_lengths = total_lengths
        T, B = X.shape[:2]
        ended = np.cumsum(np.bincount(lengths, minlength=T + 1))
        self.steps = (B - ended[:T]).tolist()
        self.equal_lengths = self.steps[-1] == B
        self._reverse_index = None

    def replace_inputs(self, X, lengths):
        """Make time-major ``X`` with sorted ``lengths`` the whole batch's inputs.

        The convolutional front end's output becomes what the recurrent
        layers read; the order of the sequences stays the same.
        """
        self._set(X, lengths, self.order, 0, lengths)

    @classmethod
    def time_major(cls, X):
        """A batch of equal-length sequences given time-major, unsorted."""
        batch = cls.__new__(cls)
        T, B = X.shape[:2]
        lengths = np.full(B, T, dtype=np.int64)
        batch._set(X, lengths, np.arange(B), 0, lengths)
        return batch

    def windows(self, length):
        """Split the batch into consecutive windows of ``length`` steps.

        Window ``k`` holds steps ``[k length, (k + 1) length)`` of the
        sequences that reach them (a prefix of the sorted batch). With
        ``length`` None, the whole batch is one window.
        """
        T = self.X.shape[0]
        if length is None or length >= T:
            yield self
            return
        for start in range(0, T, length):
            n = self.steps[start]
            stop = min(start + length, T)
            window = type(self).__new__(type(self))
            window._set(
                self.X[start:stop, :n],
                np.minimum(self.lengths[:n] - start, stop - start),
                self.order[:n],
                start,
                self.total_lengths[:n],
            )
            yield window

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
    return_sequences : bool, default=False
        Whether the output layer reads the top layer at every step (one
        output per step) instead of each direction's last state (one output
        per sequence).
    conv_filters : int, default=0
        Filters of the convolutional front end (see :mod:`skrnn._convolution`);
        0 means none, and the first recurrent layer reads the inputs.
    conv_kernel_size : int, default=3
        Time steps each filter reads.
    conv_pool : int, default=1
        Max-pooling window and stride over time after the convolution; must
        be 1 with ``return_sequences`` (one output per input step).
    pooling : {"last", "mean", "max"}, default="last"
        How one output per sequence reads the top layer: each direction's
        last state, or the mean or maximum (per unit) of its states over the
        sequence's real steps. Unused with ``return_sequences``. ``"mean"``
        and ``"max"`` need whole sequences: they cannot run in windows
        (truncated backpropagation through time).
    input_window : int, default=0
        With one output per sequence, the output layer also reads the last
        ``input_window`` input steps of each sequence directly, through
        unpenalised weights ``V`` (steps before a shorter sequence's start
        count as zero); 0 means none. Ignored with ``return_sequences``.
    side_features : int, default=0
        The last ``side_features`` input features are constant over each
        sequence (its level and log-scale, see
        :func:`skrnn._scaling.standardize_each_sequence`): they skip the
        front end and the recurrent layers and reach the output layer only,
        through penalised weights ``S``, as they reach the readout of an
        echo state classifier.

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
        return_sequences=False,
        conv_filters=0,
        conv_kernel_size=3,
        conv_pool=1,
        pooling="last",
        input_window=0,
        side_features=0,
    ):
        if conv_filters and conv_pool > 1 and return_sequences:
            raise ValueError(
                "return_sequences=True needs one output per input step, but "
                f"conv_pool={conv_pool} pools the steps; set conv_pool=1."
            )
        self.return_sequences = return_sequences
        self.pooling = "last" if return_sequences else pooling
        # The last input_window input steps reach the output directly (one
        # output per sequence only): a linear autoregression beside the
        # recurrent layers, as an echo state readout reads its inputs.
        self.input_window = 0 if return_sequences else input_window
        # The last side_features inputs are constant over each sequence
        # (its level and scale) and reach the output layer only.
        self.side_features = side_features
        self.n_directions = 2 if bidirectional else 1
        self.cells = []
        self.layout = []
        offset = 0

        def add(key, name, shape, is_weight):
            nonlocal offset
            self.layout.append((key, name, shape, is_weight, offset))
            offset += int(np.prod(shape))

        width = n_inputs - side_features
        self.front_end = None
        if conv_filters:
            self.front_end = ConvFrontEnd(
                width, conv_filters, conv_kernel_size, conv_pool
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
        if self.input_window:
            # Not penalised, like the echo state readout's input window: the
            # network is then at least the least-squares autoregression.
            add("output", "V", (self.input_window * n_inputs, n_outputs), False)
        if side_features:
            add("output", "S", (side_features, n_outputs), True)
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

    def _sorted_batch(self, sequences, dtype):
        """The batch the front end and the recurrent layers read, and what the
        output layer reads directly.

        Returns
        -------
        batch : _SortedBatch
            Without the side features.
        direct : list of (str, ndarray of shape (B, width))
            Per output weight (``"V"``, ``"S"``), its inputs in the batch's
            sorted order: the last ``input_window`` steps of every sequence
            (all features; steps before a short sequence's start are zero),
            and the side features (constant over a sequence, so read at its
            first step).
        """
        values, lengths = sequences
        k = self.side_features
        if k:
            # A view: the batch makes the one (sorted) copy of the rest.
            sequences = sequences._replace(values=values[:, :, :-k])
        batch = _SortedBatch(sequences, dtype)
        order = batch.order
        direct = []
        if self.input_window:
            steps = (
                lengths[order, np.newaxis]
                - self.input_window
                + np.arange(self.input_window)
            )
            inside = (steps >= 0)[:, :, np.newaxis]
            window = values[order[:, np.newaxis], np.maximum(steps, 0)] * inside
            direct.append(("V", window.reshape(len(order), -1).astype(dtype)))
        if k:
            direct.append(("S", values[order, 0, -k:].astype(dtype)))
        return batch, direct

    @staticmethod
    def _logits(features, output, direct, rows):
        """The output layer's raw outputs for the read ``features`` of the
        batch's sequences ``rows``."""
        logits = features @ output["W"] + output["b"]
        for name, inputs in direct:
            logits += inputs[rows] @ output[name]
        return logits

    # -- forward and backward ------------------------------------------------
    def _front_end_forward(self, flat, batch):
        """Run the convolutional front end over a whole batch, if there is one.

        The batch's inputs and lengths become the front end's output, which
        is what the recurrent layers (and their windows) read. Returns the
        front end's parameter views and what its backward pass needs, or
        ``(None, None)``.
        """
        conv = self.unpack_conv(flat)
        if conv is None:
            return None, None
        X, lengths, cache = self.front_end.forward(conv, batch.X, batch.lengths)
        batch.replace_inputs(X, lengths)
        return conv, cache

    def _forward(self, layers, batch, initial=None, workspace=FRESH):
        """Run all layers over a batch (or a window of one).

        ``initial``, from :meth:`_final_states`, continues the sequences from
        where a previous window ended; None starts them from zero. The
        arrays come from ``workspace`` (see :mod:`skrnn._workspace`).
        Returns per-layer lists of per-direction ``(x, Z, H, cache)``.
        """
        records = []
        inputs = batch.X
        for layer, (cells, params) in enumerate(zip(self.cells, layers)):
            record = []
            for direction, (cell, p) in enumerate(zip(cells, params)):
                x = inputs if direction == 0 else batch.reverse(inputs)
                T, B, F = x.shape
                scratch = workspace.scope(layer, direction)
                Z = scratch.empty("Z", (T, B, p["W"].shape[1]), p["W"].dtype)
                np.matmul(x.reshape(T * B, F), p["W"], out=Z.reshape(T * B, -1))
                Z += p["b"]
                H = scratch.zeros("H", (T + 1, B, cell.n_hidden), Z.dtype)
                carry = None
                if initial is not None:
                    h0, carry = initial[layer][direction]
                    H[0, : len(h0)] = h0
                cache = cell.forward(Z, p, batch.steps, H, carry, scratch)
                record.append((x, Z, H, cache))
            records.append(record)
            inputs = self._layer_output(record, batch)
        return records

    def _layer_output(self, record, batch):
        """A layer's states in forward time, directions side by side."""
        outputs = [H[1:] for _, _, H, _ in record]
        if len(outputs) == 1:
            return outputs[0]
        return np.concatenate([outputs[0], batch.reverse(outputs[1])], axis=2)

    def _final_states(self, records, n):
        """Per layer and direction, the state after the last step of the
        first ``n`` sequences: what :meth:`_forward` continues from."""
        return [
            [
                (H[-1, :n].copy(), cell.final_carry(cache, n))
                for cell, (_, _, H, cache) in zip(cells, record)
            ]
            for cells, record in zip(self.cells, records)
        ]

    def _read(self, records, batch):
        """The features the output layer reads, and where they come from.

        Returns
        -------
        features : ndarray of shape (n_read, width)
        rows : ndarray of shape (n_read,)
            Row of each feature in the (sorted) batch.
        steps : ndarray of shape (n_read,) or None
            Step of each feature within the window (per-step outputs), or
            None (one output per sequence, read only from the sequences that
            end in this window).
        """
        top = records[-1]
        if self.return_sequences:
            real = np.arange(len(batch.steps))[:, np.newaxis] < batch.lengths
            steps, rows = np.nonzero(real)
            features = self._layer_output(top, batch)[steps, rows]
            return features, rows, steps
        if self.pooling != "last":
            rows = np.arange(len(batch.lengths))
            states = [self._real_states(H, batch) for _, _, H, _ in top]
            if self.pooling == "mean":
                features = [
                    S.sum(axis=0) / batch.lengths[:, np.newaxis] for S in states
                ]
            else:
                features = [S.max(axis=0) for S in states]
            return np.concatenate(features, axis=1), rows, None
        rows = np.flatnonzero(batch.total_lengths <= batch.start + len(batch.steps))
        # Both directions end at step length - 1 of their own time axis.
        ends = batch.lengths[rows]
        features = np.concatenate([H[ends, rows] for _, _, H, _ in top], axis=1)
        return features, rows, None

    def _real_states(self, H, batch):
        """A direction's states ``(T, B, width)`` at real steps; padded steps
        hold the neutral element of the pooling (0 for the mean, -inf for
        the maximum), so that they never count.

        Pooling reads whole sequences, so the batch must be one window.
        """
        if batch.start != 0 or np.any(batch.total_lengths != batch.lengths):
            raise ValueError(
                f"pooling={self.pooling!r} reads every step of a sequence, which "
                "a network run in windows (bptt_steps) does not hold at once; "
                "use pooling='last' with bptt_steps."
            )
        padded = np.arange(len(batch.steps))[:, np.newaxis] >= batch.lengths
        states = H[1:].copy()
        states[padded] = 0.0 if self.pooling == "mean" else -np.inf
        return states

    def _pooled_state_gradients(self, top, batch, d_features, width):
        """Spread the gradient of pooled features over the steps that made
        them: evenly over the real steps (mean), or to the step of each
        unit's maximum (max; the first such step on a tie)."""
        n_steps, B = len(batch.steps), len(batch.lengths)
        real = np.arange(n_steps)[:, np.newaxis] < batch.lengths
        d_states = []
        for direction, (_, _, H, _) in enumerate(top):
            d = d_features[:, direction * width : (direction + 1) * width]
            if self.pooling == "mean":
                dH = np.where(
                    real[..., np.newaxis], d / batch.lengths[:, np.newaxis], 0
                )
            else:
                dH = np.zeros((n_steps, B, width), d.dtype)
                peak = self._real_states(H, batch).argmax(axis=0)
                columns = np.arange(B)[:, np.newaxis], np.arange(width)
                dH[(peak,) + columns] = d
            d_states.append(dH.astype(H.dtype, copy=False))
        return d_states

    def _split_directions(self, d_output, batch, width):
        """Gradient of a layer's output (forward time) per direction, each on
        its own time axis."""
        d_states = [np.ascontiguousarray(d_output[:, :, :width])]
        if self.n_directions == 2:
            d_states.append(batch.reverse(d_output[:, :, width:]))
        return d_states

    def _backward(
        self,
        layers,
        grads,
        batch,
        records,
        d_features,
        rows,
        steps,
        d_inputs_out=None,
        workspace=FRESH,
    ):
        """Backpropagate the features' gradient through all layers, adding
        the parameters' gradient into ``grads``.

        With ``d_inputs_out`` (time-major, shaped like the whole batch's
        inputs), also add the gradient of this window's layer-0 inputs there:
        the convolutional front end's backward starts from it.
        """
        top = records[-1]
        n_steps, B = len(batch.steps), len(batch.lengths)
        width = self.cells[-1][0].n_hidden
        if steps is None and self.pooling != "last":
            d_states = self._pooled_state_gradients(top, batch, d_features, width)
        elif steps is None:
            d_states = []
            ends = batch.lengths[rows]
            for direction, (_, _, H, _) in enumerate(top):
                dH = workspace.zeros(("dH", direction), (n_steps, B, width), H.dtype)
                columns = slice(direction * width, (direction + 1) * width)
                dH[ends - 1, rows] = d_features[:, columns]
                d_states.append(dH)
        else:
            d_output = np.zeros(
                (n_steps, B, width * self.n_directions), d_features.dtype
            )
            d_output[steps, rows] = d_features
            d_states = self._split_directions(d_output, batch, width)

        for layer in range(len(self.cells) - 1, -1, -1):
            cells, params, record = self.cells[layer], layers[layer], records[layer]
            d_inputs = None
            for direction, (cell, p, g, (x, Z, H, cache), dH) in enumerate(
                zip(cells, params, grads[layer], record, d_states)
            ):
                scratch = workspace.scope(layer, direction)
                dZ, dZ_rec = cell.backward(Z, p, batch.steps, H, cache, dH, g, scratch)
                T, B, F = x.shape
                dZ2 = dZ.reshape(T * B, -1)
                g["W"] += x.reshape(T * B, F).T @ dZ2
                g["b"] += dZ2.sum(axis=0)
                g["U"] += H[:-1].reshape(T * B, -1).T @ dZ_rec.reshape(T * B, -1)
                cell.finalize_gradients(g)
                if layer == 0 and d_inputs_out is None:
                    continue
                dx = scratch.empty("dx", (T, B, F), dZ.dtype)
                np.matmul(dZ2, p["W"].T, out=dx.reshape(T * B, F))
                if direction == 1:
                    dx = batch.reverse(dx)
                d_inputs = dx if d_inputs is None else d_inputs + dx
            if layer == 0:
                break
            width = self.cells[layer - 1][0].n_hidden
            d_states = self._split_directions(d_inputs, batch, width)
        if d_inputs_out is not None:
            T, B = d_inputs.shape[:2]
            d_inputs_out[batch.start : batch.start + T, :B] += d_inputs

    def _windows(self, layers, batch, bptt_steps, workspace=FRESH):
        """Run ``batch`` window by window, each continuing the last.

        Yields ``(window, records, features, rows, steps)``; ``bptt_steps``
        None runs the whole batch as one window. A window's arrays (from
        ``workspace``) are valid until the next window is asked for.
        """
        if bptt_steps is not None and self.n_directions == 2:
            raise ValueError(
                "Truncated backpropagation through time (bptt_steps) needs a "
                "network that reads forward in time; it is bidirectional."
            )
        windows = list(batch.windows(bptt_steps))
        initial = None
        for k, window in enumerate(windows):
            records = self._forward(layers, window, initial, workspace)
            features, rows, steps = self._read(records, window)
            yield window, records, features, rows, steps
            if k + 1 < len(windows):
                initial = self._final_states(records, len(windows[k + 1].lengths))

    @np.errstate(over="ignore")
    def decision(self, flat, sequences, chunk_size=1024, bptt_steps=None):
        """Raw outputs (before the output activation) for every sequence.

        Parameters
        ----------
        flat : ndarray of shape (n_parameters,)
        sequences : Sequences
        chunk_size : int, default=1024
            Sequences run together; bounds the memory of a large prediction.
        bptt_steps : int or None, default=None
            Run long sequences in windows of this many steps (one-way
            networks), which bounds the memory of the activations.

        Returns
        -------
        ndarray of shape (n_samples, n_outputs), or with ``return_sequences``
        of shape (n_samples, max_length, n_outputs), zero after each
        sequence's end
        """
        layers, output = self.unpack(flat)
        n = len(sequences.lengths)
        n_outputs = output["b"].shape[0]
        if self.return_sequences:
            shape = (n, sequences.values.shape[1], n_outputs)
        else:
            shape = (n, n_outputs)
        result = np.zeros(shape, dtype=flat.dtype)
        for start in range(0, n, chunk_size):
            index = np.arange(start, min(start + chunk_size, n))
            batch, direct = self._sorted_batch(sequences.take(index), flat.dtype)
            self._front_end_forward(flat, batch)
            windows = self._windows(layers, batch, bptt_steps)
            for window, _, features, rows, steps in windows:
                raw = self._logits(features, output, direct, rows)
                samples = index[batch.order[rows]]
                if steps is None:
                    result[samples] = raw
                else:
                    result[samples, window.start + steps] = raw
        return result

    # A diverging fit overflows to inf and then NaN; the estimator turns the
    # non-finite loss into an error that says what to do, so numpy's
    # warnings would only be noise before it.
    @np.errstate(over="ignore", invalid="ignore")
    def loss_and_gradient(
        self, flat, sequences, Y, weights, loss, l2, bptt_steps=None, workspace=FRESH
    ):
        """Loss on a batch and its gradient with respect to ``flat``.

        Parameters
        ----------
        flat : ndarray of shape (n_parameters,)
        sequences : Sequences
            The batch.
        Y : ndarray of shape (n_samples, n_outputs) or, with
            ``return_sequences``, (n_samples, n_timesteps, n_outputs)
            Targets (one-hot or indicator for the classification losses);
            steps after a sequence's end are ignored.
        weights : ndarray of shape (n_samples,)
            Weight of each sequence's loss, or of each of its steps' losses
            with ``return_sequences``; the caller normalises them (to sum to
            one over sequences, or over steps).
        loss : {"softmax", "logistic", "squared"}
            See :mod:`skrnn._losses`.
        l2 : float
            Coefficient of ``½ ‖weights‖²`` added to the loss (biases are not
            penalised).
        bptt_steps : int or None, default=None
            Truncated backpropagation through time: the gradient of each
            window of this many steps stops at the state it starts from.
            None (or at least the longest length) gives the exact gradient.
        workspace : Workspace, default=FRESH
            Where the large intermediate arrays come from: a fit passes one
            :class:`~skrnn._workspace.Workspace` for all its minibatches.

        Returns
        -------
        loss : float
        gradient : ndarray of shape (n_parameters,)
        """
        layers, output = self.unpack(flat)
        grad = np.zeros_like(flat)
        grad_layers, grad_output = self.unpack(grad)
        batch, direct = self._sorted_batch(sequences, flat.dtype)
        conv, conv_cache = self._front_end_forward(flat, batch)
        d_conv_output = None if conv is None else np.zeros_like(batch.X)
        Y = Y[batch.order]
        weights = weights[batch.order].astype(flat.dtype)
        value = 0.0
        windows = self._windows(layers, batch, bptt_steps, workspace)
        for window, records, features, rows, steps in windows:
            if len(rows) == 0:
                continue  # no output read here: the truncated gradient is zero
            logits = self._logits(features, output, direct, rows)
            targets = Y[rows] if steps is None else Y[rows, window.start + steps]
            window_value, d_logits = LOSSES[loss](logits, targets, weights[rows])
            value += window_value
            grad_output["W"] += features.T @ d_logits
            grad_output["b"] += d_logits.sum(axis=0)
            for name, inputs in direct:
                grad_output[name] += inputs[rows].T @ d_logits
            d_features = d_logits @ output["W"].T
            self._backward(
                layers,
                grad_layers,
                window,
                records,
                d_features,
                rows,
                steps,
                d_conv_output,
                workspace,
            )
        if conv is not None:
            self.front_end.backward(
                conv, self.unpack_conv(grad), conv_cache, d_conv_output
            )
        if l2:
            penalised = flat * self._weight_mask
            value += 0.5 * l2 * float(penalised @ penalised)
            grad += l2 * penalised
        return float(value), grad

    @np.errstate(over="ignore")
    def forecast(self, flat, sequences, n_steps, feedback=None, covariates=None):
        """Run over contexts, then feed each output back as the next input.

        Needs ``return_sequences``, one direction and as many outputs as
        input features, or as many as the input features that precede the
        ``covariates``. Contexts of equal length run together (the clocks of
        a clockwork cell then agree across the batch). With the
        convolutional front end, each fed-back step is convolved with the
        ``conv_kernel_size - 1`` raw inputs before it.

        ``feedback``, when given, maps an output to the next input (an
        estimator that scales inputs and targets differently passes the map
        between the two scales). ``covariates``, of shape ``(n_samples,
        n_steps, C)`` on the inputs' scale, holds the last ``C`` features of
        each fed-back step (its step ``s`` follows the ``s``-th output).

        Returns
        -------
        ndarray of shape (n_samples, n_steps, n_outputs)
            The output after the last context step, then after each fed-back
            step.
        """
        layers, output = self.unpack(flat)
        lengths = sequences.lengths
        result = np.empty((len(lengths), n_steps, output["b"].shape[0]), flat.dtype)
        for length in np.unique(lengths):
            index = np.flatnonzero(lengths == length)
            batch = _SortedBatch(sequences.take(index), flat.dtype)
            # Rows keep this sorted order through the closed loop.
            rows = index[batch.order]
            if self.front_end is not None:
                # The raw inputs the next step's filters read besides it.
                k = self.front_end.kernel_size
                history = np.zeros((k - 1 + length,) + batch.X.shape[1:], flat.dtype)
                history[k - 1 :] = batch.X
                history = history[len(history) - (k - 1) :]
            conv, _ = self._front_end_forward(flat, batch)
            records = self._forward(layers, batch)
            for step in range(n_steps):
                last = self._layer_output(records[-1], batch)[-1]
                y = last @ output["W"] + output["b"]
                result[rows, step] = y
                if step == n_steps - 1:
                    break
                initial = self._final_states(records, len(index))
                inputs = y if feedback is None else feedback(y)
                if covariates is not None:
                    inputs = np.concatenate([inputs, covariates[rows, step]], axis=1)
                inputs = inputs[np.newaxis]
                if conv is not None:
                    window = np.concatenate([history, inputs])
                    history = window[1:]
                    inputs = self.front_end.last_step(conv, window)[np.newaxis]
                batch = _SortedBatch.time_major(inputs)
                records = self._forward(layers, batch, initial)
        return result
