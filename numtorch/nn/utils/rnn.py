"""PackedSequence and the functions that pack, pad and unpad batches of variable-length sequences.

A PackedSequence stores a batch of sequences time-major without padding: ``data`` holds, for
each time step ``t``, the ``batch_sizes[t]`` sequences still running at ``t`` (the longest
first), so an RNN step only touches the rows that exist. ``sorted_indices`` records how the
batch was reordered by decreasing length (None when it was already sorted) and
``unsorted_indices`` the way back.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

import numtorch
from numtorch._tensor import Tensor
from numtorch.autograd.function import ArrayFunction

from ...ops._util import xp_of

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]


class PackedSequence(namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices",
                                                    "unsorted_indices"])):
    """A batch of variable-length sequences packed time-major (see the module docstring).

    Build one with ``pack_padded_sequence`` or ``pack_sequence``, never by hand.
    """

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            if batch_sizes.device.type != "cpu":
                raise ValueError(
                    "batch_sizes should always be on CPU. Instances of PackedSequence should "
                    "never be created manually. They should be instantiated by functions like "
                    "pack_sequence and pack_padded_sequences in nn.utils.rnn. "
                    "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        data, batch_sizes = data  # the (data, batch_sizes) pair form
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        """``data.to(...)``; the indices follow its device, ``batch_sizes`` stays on the CPU."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        sorted_indices, unsorted_indices = self.sorted_indices, self.unsorted_indices
        if sorted_indices is not None:
            sorted_indices = sorted_indices.to(data.device)
            unsorted_indices = unsorted_indices.to(data.device)
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    def pin_memory(self) -> PackedSequence:
        return self

    def cuda(self, *args, **kwargs) -> PackedSequence:
        return self.to(*args, device="cuda", **kwargs)

    def cpu(self, *args, **kwargs) -> PackedSequence:
        return self.to(*args, device="cpu", **kwargs)

    def double(self) -> PackedSequence:
        return self.to(dtype=numtorch.double)

    def float(self) -> PackedSequence:
        return self.to(dtype=numtorch.float)

    def half(self) -> PackedSequence:
        return self.to(dtype=numtorch.half)

    def long(self) -> PackedSequence:
        return self.to(dtype=numtorch.long)

    def int(self) -> PackedSequence:
        return self.to(dtype=numtorch.int)

    def short(self) -> PackedSequence:
        return self.to(dtype=numtorch.short)

    def char(self) -> PackedSequence:
        return self.to(dtype=numtorch.int8)

    def byte(self) -> PackedSequence:
        return self.to(dtype=numtorch.uint8)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    perm = permutation._data
    xp = xp_of(perm)
    out = xp.empty_like(perm)
    out[perm] = xp.arange(perm.shape[0], dtype=perm.dtype)
    return Tensor._make(out)


def _packed_rows(batch_sizes, batch: int):
    """Row numbers, in a (T * batch, ...) padded layout, of each packed row in order."""
    return np.concatenate([t * batch + np.arange(b) for t, b in enumerate(batch_sizes)])


class _PackPadded(ArrayFunction):
    """Gather the rows that exist from a time-major padded batch (T, B, *)."""

    node_name = "PackPaddedSequenceBackward0"

    @staticmethod
    def forward(ctx, x, rows):
        ctx.shape = x.shape
        ctx.rows = rows
        return x.reshape((-1,) + x.shape[2:])[rows]

    @staticmethod
    def backward(ctx, grad):
        # Scatter back with zeros in the padding: the inverse op, itself differentiable, so
        # double backward goes through (as PyTorch's _pack_padded_sequence_backward).
        return _PadPacked.apply(grad, ctx.rows, ctx.shape, 0.0), None


class _PadPacked(ArrayFunction):
    """Scatter packed rows into a time-major padded batch (T, B, *) filled with ``value``."""

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, data, rows, shape, value):
        xp = xp_of(data)
        out = xp.full((shape[0] * shape[1],) + data.shape[1:], value, dtype=data.dtype)
        out[rows] = data
        ctx.rows = rows
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        g = grad.reshape((-1,) + tuple(grad.shape[2:]))
        return g[Tensor._make(ctx.rows)], None, None, None


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) of sequences of
    the given ``lengths``. With ``enforce_sorted`` the lengths must already decrease;
    otherwise the batch is sorted here and the PackedSequence remembers the permutation."""
    if isinstance(lengths, Tensor):
        lens = lengths._data.astype(np.int64)
    else:
        lens = np.asarray(lengths, dtype=np.int64).reshape(-1)
    sorted_indices = None
    if enforce_sorted:
        if lens.size > 1 and np.any(lens[:-1] < lens[1:]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
    else:
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = Tensor._make(order.astype(np.int64))
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    if lens.size != input.shape[1]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lens.size} (batch_size={input.shape[1]})")
    if lens.size and lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if lens.size and lens[0] > input.shape[0]:
        raise RuntimeError(f"Expected the longest sequence length {lens[0]} to be at most the "
                           f"padded length {input.shape[0]}")
    steps = int(lens[0]) if lens.size else 0
    batch_sizes = (lens[None, :] > np.arange(steps)[:, None]).sum(1).astype(np.int64)
    data = _PackPadded.apply(input, _packed_rows(batch_sizes, input.shape[1]))
    return PackedSequence(data, Tensor._make(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Undo ``pack_padded_sequence``: the padded batch and each sequence's length (int64)."""
    data, batch_sizes_t = sequence.data, sequence.batch_sizes
    batch_sizes = batch_sizes_t._data
    steps = batch_sizes.shape[0]
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                f"Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{steps}")
        steps = total_length
    batch = int(batch_sizes[0])
    shape = (steps, batch) + tuple(data.shape[1:])
    padded = _PadPacked.apply(data, _packed_rows(batch_sizes, batch), shape, padding_value)
    lengths = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(1).astype(np.int64)
    lengths = Tensor._make(lengths)
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices]
    return padded, lengths


class _PadSequence(ArrayFunction):
    """Stack sequences of different lengths into one padded tensor."""

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, batch_first, value, left, *seqs):
        xp = xp_of(*seqs)
        longest = max(s.shape[0] for s in seqs)
        dtype = seqs[0].dtype
        out = xp.full((len(seqs), longest) + seqs[0].shape[1:], value, dtype=dtype)
        for i, s in enumerate(seqs):
            n = s.shape[0]
            if left:
                out[i, longest - n:] = s
            else:
                out[i, :n] = s
        ctx.lengths = [s.shape[0] for s in seqs]
        ctx.layout = (batch_first, left, longest)
        return out if batch_first else out.swapaxes(0, 1).copy()

    @staticmethod
    def backward(ctx, grad):
        batch_first, left, longest = ctx.layout
        if not batch_first:
            grad = grad.transpose(0, 1)
        grads = []
        for i, n in enumerate(ctx.lengths):
            grads.append(grad[i, longest - n:] if left else grad[i, :n])
        return (None, None, None) + tuple(grads)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Pad a list of ``(L_i, *)`` tensors to ``(max L, B, *)`` (``(B, max L, *)`` with
    ``batch_first``), filling with ``padding_value`` on ``padding_side``."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    return _PadSequence.apply(batch_first, padding_value, padding_side == "left", *sequences)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor,
                   batch_first: bool = False) -> list[Tensor]:
    """Split a padded batch back into its sequences (a list of ``(L_i, *)`` tensors)."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    out = []
    for seq, length in zip(padded_sequences, lengths):
        out.append(seq[numtorch.arange(int(length))])
    return out


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of ``(L_i, *)`` tensors (longest first unless ``enforce_sorted=False``)."""
    lengths = Tensor._make(np.array([s.shape[0] for s in sequences], dtype=np.int64))
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """Undo ``pack_sequence``: the list of sequences in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
