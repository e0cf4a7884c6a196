"""Activation checkpointing: trade compute for memory, as ``torch.utils.checkpoint``.

``checkpoint(fn, *args)`` returns ``fn(*args)`` but keeps none of the tensors that the
ops inside ``fn`` would save for backward; when backward needs them, ``fn`` runs again
on the same inputs (with the same random numbers) and its tensors are used instead.
Two implementations, chosen by ``use_reentrant``, as in PyTorch:

- ``use_reentrant=True`` (the default when the argument is left out, with PyTorch's
  warning): ``CheckpointFunction``, an ``autograd.Function``. Its forward runs ``fn``
  under ``no_grad``, so the output's ``grad_fn`` is ``CheckpointFunctionBackward`` and
  nothing inside ``fn`` is in the graph. Its backward re-runs ``fn`` with grad on and
  calls ``backward()`` on that fresh graph from inside the running backward (hence
  "reentrant"), which accumulates straight into ``.grad``: so ``autograd.grad`` and
  ``backward(inputs=...)`` are refused, and only tensors passed positionally count as
  inputs.
- ``use_reentrant=False``: ``fn`` runs with grad on and records its graph as usual (the
  output's ``grad_fn`` is the last op of ``fn``), but inside an
  ``autograd.graph.saved_tensors_hooks`` block whose pack hook replaces every saved
  tensor by an empty ``_Holder``. The first unpack re-runs ``fn`` once, catching each
  tensor it saves into the holder at the same position, and checks that the re-run saved
  as many tensors, of the same shapes, dtypes and devices (PyTorch's determinism check).
  It works with ``autograd.grad``, keyword arguments and tensors nested in structures.
"""

from __future__ import annotations

import contextlib
import weakref

from .. import _warnings
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.engine import _is_checkpoint_valid
from ..autograd.function import Function, _raise_modified
from ..autograd.graph import saved_tensors_hooks
from ..random import fork_rng, get_rng_state, set_rng_state

__all__ = [
    "checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction",
    "check_backward_validity", "detach_variable", "noop_context_fn",
    "set_checkpoint_early_stop", "set_checkpoint_debug_enabled",
]


def detach_variable(inputs: tuple) -> tuple:
    """Detached copies of the tensors in ``inputs`` that keep their ``requires_grad``."""
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    out = []
    for inp in inputs:
        if isinstance(inp, Tensor):
            x = inp.detach()
            x.requires_grad = inp.requires_grad
            inp = x
        out.append(inp)
    return tuple(out)


def check_backward_validity(inputs) -> None:
    """Warn when no tensor input requires grad: reentrant checkpoint then records nothing."""
    if not any(inp.requires_grad for inp in inputs if isinstance(inp, Tensor)):
        _warnings.warn("None of the inputs have requires_grad=True. Gradients will be None")


# --- use_reentrant=True -------------------------------------------------------------------


class CheckpointFunction(Function):
    """Run ``run_function(*args)`` without a graph; re-run it with one in backward."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.preserve_rng_state = preserve_rng_state
        if preserve_rng_state:
            # numtorch draws every device's random numbers from the CPU generator, so its
            # state alone replays the forward's dropout masks.
            ctx.fwd_cpu_state = get_rng_state()
        # Tensors go through save_for_backward (checked for in-place changes); the other
        # arguments are kept as they are, with a None in each tensor's place.
        ctx.inputs = []
        ctx.tensor_indices = []
        tensor_inputs = []
        for i, arg in enumerate(args):
            if isinstance(arg, Tensor):
                tensor_inputs.append(arg)
                ctx.tensor_indices.append(i)
                ctx.inputs.append(None)
            else:
                ctx.inputs.append(arg)
        ctx.save_for_backward(*tensor_inputs)
        with grad_mode.no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        if not _is_checkpoint_valid():
            raise RuntimeError(
                "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or "
                "passing an `inputs` parameter to .backward(). To resolve this error, you can "
                "either set use_reentrant=False, or call .backward() without passing the "
                "`inputs` argument.")
        inputs = list(ctx.inputs)
        for idx, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[idx] = t
        with fork_rng(enabled=ctx.preserve_rng_state):
            if ctx.preserve_rng_state:
                set_rng_state(ctx.fwd_cpu_state)
            detached = detach_variable(tuple(inputs))
            with grad_mode.enable_grad():
                outputs = ctx.run_function(*detached)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        # Backward through the recomputed graph, from the outputs that have one.
        outputs_with_grad, grads_with_output = [], []
        for out, g in zip(outputs, grads):
            if isinstance(out, Tensor) and out.requires_grad:
                outputs_with_grad.append(out)
                grads_with_output.append(g)
        if not outputs_with_grad:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is "
                               "not necessary")
        from ..autograd import backward

        backward(outputs_with_grad, grads_with_output)
        return (None, None) + tuple(inp.grad if isinstance(inp, Tensor) else None
                                    for inp in detached)


# --- use_reentrant=False ------------------------------------------------------------------


class CheckpointError(RuntimeError):
    """The recomputation saved different tensors than the original forward did."""


_DEBUG_TIP = """
Tip: To see a more detailed error message, either pass `debug=True` to
`torch.utils.checkpoint.checkpoint(...)` or wrap the code block
with `with torch.utils.checkpoint.set_checkpoint_debug_enabled(True):` to
enable checkpoint\u2011debug mode globally.

If this error occurs under torch.compile with automatic_dynamic_shapes enabled,
it may be because the recomputation selected a different compiled graph than the
forward pass (e.g., a dynamic graph instead of the original static graph).
To fix this, either:
  - Use torch._dynamo.mark_dynamic() to explicitly mark varying dimensions as
    dynamic upfront, avoiding the static-to-dynamic transition.
  - Call torch._C._dynamo.eval_frame._set_lru_cache(False) to disable LRU cache
    reordering, which can change which graph is checked first between forward
    and recompute.
See https://github.com/pytorch/pytorch/issues/166926 for more details and
workaround examples.
"""


def _default_metadata(x) -> dict:
    """What the default determinism check compares: cheap, and what a reader understands."""
    return {"shape": x.shape, "dtype": x.dtype, "device": x.device}


_METADATA_FNS = {"default": _default_metadata, "none": lambda _: None}


class _StopRecomputation(Exception):
    """Raised from the recomputation's pack hook once every needed tensor is back."""


class _Holder:
    """Stands in the graph for one saved tensor; the graph dropping it (a freed node)
    tells the frame that tensor is no longer needed."""


class _CheckpointFrame:
    """One call of non-reentrant ``checkpoint``: its inputs, and a holder per saved tensor."""

    def __init__(self, recompute_fn, early_stop: bool, metadata_fn) -> None:
        self.recompute_fn = recompute_fn
        self.early_stop = early_stop
        self.metadata_fn = metadata_fn
        self.inputs: list = []
        self.input_versions: list = []
        self.weak_holders: list = []  # weakref.ref(_Holder), in the order forward saved
        self.metadatas: list = []  # one per holder, from metadata_fn
        # holder -> the recomputed tensor, until unpacked (a weak key, so a holder the
        # graph has freed takes its tensor with it).
        self.recomputed = weakref.WeakKeyDictionary()
        self.recomp_counter = 0
        self.forward_completed = False
        self.ignore_saved_mismatch = False

    def save_inputs(self, args) -> None:
        self.inputs = list(args)
        self.input_versions = [a._vc[0] if isinstance(a, Tensor) else None for a in args]

    def get_inputs(self) -> list:
        for a, v in zip(self.inputs, self.input_versions):
            if v is not None and a._vc[0] != v:
                _raise_modified(a, v)
        return self.inputs

    # The hooks of the original forward: keep a holder, not the tensor.
    def pack(self, x):
        holder = _Holder()
        self.weak_holders.append(weakref.ref(holder))
        if self.metadata_fn is not None:
            with grad_mode.no_grad():
                self.metadatas.append(self.metadata_fn(x))
        return holder

    def unpack(self, holder):
        if holder not in self.recomputed:
            self.recompute()
        try:
            return self.recomputed.pop(holder)
        except KeyError:
            raise CheckpointError(
                "torch.utils.checkpoint: Unpack is being triggered for a tensor that was "
                "already unpacked once. If you are calling ctx.saved_tensors in backward, make "
                "sure to do so only once. Otherwise please open an issue with details on your "
                "use case.") from None

    # The recomputation: re-run the function and put each tensor it saves in its holder.
    def recompute(self) -> None:
        self.recomp_counter = 0
        inputs = self.get_inputs()
        try:
            with saved_tensors_hooks(self.repack, _identity), grad_mode.enable_grad():
                self.recompute_fn(*inputs)
        except _StopRecomputation:
            pass
        self.check_recomputed_tensors_match()

    def repack(self, x):
        x = x.detach() if x.requires_grad else x
        idx = self.recomp_counter
        self.recomp_counter += 1
        if idx >= len(self.weak_holders):
            if not self.forward_completed:
                # A backward inside the checkpointed function (early stop off): the
                # function is still running, so no count can be compared yet.
                self.ignore_saved_mismatch = True
                return x
            raise CheckpointError("torch.utils.checkpoint: trying to save more tensors during "
                                  f"recomputation than during the original forward pass.\n"
                                  f"{_DEBUG_TIP}")
        holder = self.weak_holders[idx]()
        if holder is not None:  # None: the graph already freed it, nobody needs it
            self.recomputed[holder] = x
        if self.early_stop and self.recomp_counter == len(self.weak_holders):
            raise _StopRecomputation
        return x

    def check_recomputed_tensors_match(self) -> None:
        if self.ignore_saved_mismatch:
            return
        if len(self.weak_holders) != self.recomp_counter:
            raise CheckpointError(
                "torch.utils.checkpoint: A different number of tensors was saved during the "
                "original forward and recomputation.\n"
                f"Number of tensors saved during forward: {len(self.weak_holders)}\n"
                f"Number of tensors saved during recomputation: {self.recomp_counter}.\n"
                f"{_DEBUG_TIP}")
        mismatched = ""
        for idx, ref in enumerate(self.weak_holders):
            holder = ref()
            if holder is None or holder not in self.recomputed:
                continue
            saved = self.metadatas[idx]
            recomputed = self.metadata_fn(self.recomputed[holder])
            if saved != recomputed:
                mismatched += (f"tensor at position {idx}:\nsaved metadata: {saved}\n"
                               f"recomputed metadata: {recomputed}\n")
        if mismatched:
            raise CheckpointError(
                "torch.utils.checkpoint: Recomputed values for the following tensors have "
                f"different metadata than during the forward pass.\n{mismatched}.\n"
                f"{_DEBUG_TIP}")


def _identity(x):
    return x


_early_stop_override: bool | None = None
_debug_override: bool | None = None


@contextlib.contextmanager
def set_checkpoint_early_stop(enable: bool):
    """Within this block, non-reentrant checkpoints made here stop (or not, with False)
    their recomputation as soon as every saved tensor is back, whatever ``early_stop``."""
    global _early_stop_override
    prev, _early_stop_override = _early_stop_override, enable
    try:
        yield
    finally:
        _early_stop_override = prev


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled: bool | None):
    """Override every checkpoint's ``debug`` argument within this block (None: don't)."""
    global _debug_override
    prev, _debug_override = _debug_override, enabled
    try:
        yield
    finally:
        _debug_override = prev


def noop_context_fn():
    """The default ``context_fn``: no context around the forward or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def _checkpoint_without_reentrant(function, preserve_rng_state, context_fn, determinism_check,
                                  debug, early_stop, args, kwargs):
    debug = _debug_override if _debug_override is not None else debug
    if debug and context_fn is not noop_context_fn:
        raise ValueError("debug=True is incompatible with non-default context_fn")
    if determinism_check not in _METADATA_FNS:
        raise ValueError(f"determinism_check should be one of {list(_METADATA_FNS)}, but got "
                         f"{determinism_check}")
    metadata_fn = _METADATA_FNS[determinism_check]
    forward_context, recompute_context = context_fn()
    if preserve_rng_state:
        fwd_state = get_rng_state()

    def recompute_fn(*inputs) -> None:
        with fork_rng(enabled=preserve_rng_state):
            if preserve_rng_state:
                set_rng_state(fwd_state)
            with recompute_context:
                function(*inputs, **kwargs)

    if _early_stop_override is not None:
        early_stop = _early_stop_override
    frame = _CheckpointFrame(recompute_fn, early_stop, metadata_fn)
    if not grad_mode.is_grad_enabled():  # nothing will be saved: just run it
        return function(*args, **kwargs)
    frame.save_inputs(args)
    suppressed = True
    with saved_tensors_hooks(frame.pack, frame.unpack), forward_context:
        out = function(*args, **kwargs)
        suppressed = False
    if suppressed:  # forward_context swallowed an exception: there is no output to return
        raise RuntimeError("torch.utils.checkpoint: the forward context provided by context_fn "
                           "suppressed an exception raised during the checkpointed forward. "
                           "This is not supported because checkpoint cannot return a value for "
                           "a failed forward.")
    frame.forward_completed = True
    return out


# --- the entry points ---------------------------------------------------------------------


def checkpoint(function, *args, use_reentrant: bool | None = None, context_fn=noop_context_fn,
               determinism_check: str = "default", debug: bool = False,
               early_stop: bool = True, preserve_rng_state: bool = True, **kwargs):
    """``function(*args, **kwargs)``, keeping only its inputs for backward, which re-runs it.

    Args:
        function: the part of the model to checkpoint.
        args: its inputs.
        use_reentrant: which implementation (see the module's notes). Pass it: leaving it
            out warns, as PyTorch does, and picks True.
        context_fn: (non-reentrant only) returns two context managers, entered around the
            forward and around the recomputation.
        determinism_check: (non-reentrant only) ``"default"`` compares shapes, dtypes and
            devices of the recomputed tensors with the saved ones; ``"none"`` does not.
        debug: accepted for PyTorch's API (non-reentrant only); numtorch's errors carry no
            operator log.
        early_stop: (non-reentrant only) stop recomputing once every needed tensor is back.
        preserve_rng_state: replay the forward's random numbers in the recomputation.
        kwargs: keyword arguments of ``function`` (non-reentrant only).
    """
    if use_reentrant is None:
        _warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for "
            "more details on the differences between the two variants.")
        use_reentrant = True
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve_rng_state, *args)
    return _checkpoint_without_reentrant(function, preserve_rng_state, context_fn,
                                         determinism_check, debug, early_stop, args, kwargs)


def checkpoint_sequential(functions, segments: int, input, use_reentrant: bool | None = None,
                          preserve_rng_state: bool = True, **kwargs):
    """Run ``functions`` (an ``nn.Sequential`` or a list) in order on ``input``, split into
    ``segments`` chunks; every chunk but the last is checkpointed.

    Each chunk has ``len(functions) // segments`` functions; the last one takes the rest
    and runs normally (its activations are kept, since backward starts there).
    """
    if use_reentrant is None:
        _warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
            "be passed explicitly. In version 2.9 we will raise an exception if use_reentrant "
            "is not passed. use_reentrant=False is recommended, but if you need to preserve "
            "the current default behavior, you can pass use_reentrant=True. Refer to docs for "
            "more details on the differences between the two variants.")
        use_reentrant = True
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    from ..nn import Sequential

    if isinstance(functions, Sequential):
        functions = list(functions.children())

    def run_function(start: int, end: int):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve_rng_state)
    return run_function(end + 1, len(functions) - 1)(input)
