"""Functions of the numtorch namespace given something other than a Tensor as ``input``
raise PyTorch's TypeError (numtorch/_input_check.py): same type, same first line."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import numtorch
from numtorch import _input_check
from tests.utils import torch

# Values for the required parameters after ``input``, by name: a Tensor where the
# function wants one, a plain value otherwise.
_TENSOR_PARAMS = {"other", "tensor", "tensor1", "tensor2", "mat", "mat1", "mat2", "vec", "vec1",
                  "vec2", "batch1", "batch2", "end", "weight", "mask", "source", "src",
                  "values", "exponent", "min", "max", "boundaries", "A", "input2", "LU_data",
                  "LU_pivots", "bias", "running_mean", "running_var", "hx", "w_ih", "w_hh",
                  "target"}
_INDEX_PARAMS = {"index", "indices"}
_VALUES = {"dim": 0, "dim0": 0, "dim1": 0, "k": 1, "n": 1, "shifts": 1, "size": (2,),
           "shape": (2,), "sections": 1, "indices_or_sections": 1, "chunks": 1, "repeats": 1,
           "dims": (0,), "num_samples": 1, "start": 0, "length": 1, "value": 0.0, "p": 0.5,
           "normalized_shape": (2,), "num_groups": 1, "stride": (1,), "source_dim": 0,
           "destination": 0, "high": 3, "diagonal": 0, "offset": 0, "reduce": "sum",
           "fill_value": 1.0, "lambd": 0.5, "threshold": 0.1, "sizes": (2, 1), "q": 0.5,
           "maxnorm": 1.0, "bins": 2, "split_size": 1, "split_sizes": (1,), "dimension": 0,
           "step": 1, "output_size": 2, "kernel_size": 2, "training": True,
           "use_input_stats": True, "momentum": 0.1, "eps": 1e-5, "cudnn_enabled": False,
           "train": True, "groups": 2, "upscale_factor": 2, "downscale_factor": 2,
           "log_input": True, "full": False, "reduction": 1, "pad": (1, 1), "padding": (0,),
           "dilation": (1,), "transposed": False, "output_padding": (0,)}
# PyTorch-side quirks, not numtorch's to copy: torch.norm is Python code that fails with
# an AttributeError on .layout; torch.unique names its internal _unique2; with no
# ``repeats``, torch.repeat_interleave's only matching signature calls its input
# ``repeats``.
_SKIP = {"norm", "unique", "repeat_interleave"}


def _checked_names():
    names = []
    for name in sorted(dir(numtorch)):
        fn = getattr(numtorch, name)
        if getattr(fn, "__wrapped_input_check__", False) and hasattr(torch, name):
            names.append(name)
    return names


def _rest(lib, name):
    """The required arguments after ``input`` for ``lib.name``."""
    fn = inspect.unwrap(getattr(numtorch, name))
    args = []
    for pname, p in list(inspect.signature(fn).parameters.items())[1:]:
        if p.kind is not p.POSITIONAL_OR_KEYWORD or p.default is not p.empty:
            break
        if pname == "index" and name == "select":
            args.append(0)
        elif pname in _TENSOR_PARAMS:
            args.append(lib.tensor([1.0, 2.0]))
        elif pname in _INDEX_PARAMS:
            args.append(lib.tensor([0]))
        else:
            args.append(_VALUES[pname])
    return args


def _outcome(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the outcome is what we compare
        return type(e).__name__, str(e).replace("torch.", "numtorch.").split("\n")[0]
    return ("ok",)


def test_every_function_with_an_input_parameter_is_checked():
    checked = _checked_names()
    assert len(checked) > 200
    assert {"sum", "exp", "matmul", "reshape", "softmax", "relu", "cat"} - set(checked) == {"cat"}


@pytest.mark.parametrize("name", [n for n in _checked_names() if n not in _SKIP])
def test_non_tensor_input_raises_torchs_error(name):
    for bad in ([1.0, 2.0], 3.0, np.array([1.0, 2.0]), None):
        ours = _outcome(getattr(numtorch, name), bad, *_rest(numtorch, name))
        ref = _outcome(getattr(torch, name), bad, *_rest(torch, name))
        assert ours == ref, (name, type(bad).__name__)


@pytest.mark.parametrize("name", ["sum", "exp", "relu", "flatten", "softmax"])
def test_input_as_keyword(name):
    rest = {"softmax": {"dim": 0}}.get(name, {})
    ours = _outcome(getattr(numtorch, name), input=[1.0], **rest)
    ref = _outcome(getattr(torch, name), input=[1.0], **rest)
    assert ours == ref == ("TypeError", f"{name}(): argument 'input' must be Tensor, not list")


def test_several_signatures_report_an_invalid_combination():
    with pytest.raises(TypeError) as ours:
        numtorch.clamp([1.0], min=0)
    with pytest.raises(TypeError) as ref:
        torch.clamp([1.0], min=0)
    first = str(ref.value).split("\n")[0]
    assert first == "clamp() received an invalid combination of arguments - got (list, min=int), " \
                    "but expected one of:"
    assert str(ours.value).split("\n")[0] == first
    assert "(input, min=None, max=None" in str(ours.value)  # numtorch's own signature


def test_number_inputs_pytorch_accepts_still_work():
    t = numtorch.tensor([1.0, 2.0])
    for name in ("add", "sub", "mul", "div", "pow", "remainder", "xlogy", "float_power"):
        ours = getattr(numtorch, name)(2, t)
        ref = getattr(torch, name)(2, torch.tensor([1.0, 2.0]))
        np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-6)
    i = numtorch.tensor([1, 2])
    assert numtorch.bitwise_and(3, i).tolist() == torch.bitwise_and(3, torch.tensor([1, 2])).tolist()
    with pytest.raises(TypeError, match=r"^maximum\(\): argument 'input' \(position 1\) must be "
                                        r"Tensor, not int$"):
        numtorch.maximum(2, t)


def test_type_names_as_pytorch_prints_them():
    assert _input_check.type_name([1]) == "list"
    assert _input_check.type_name(None) == "NoneType"
    assert _input_check.type_name(np.zeros(2)) == "numpy.ndarray"
    assert _input_check.type_name(np.float64(1.0)) == "numpy.float64"
    assert _input_check.type_name(numtorch.nn.Linear(1, 1)) == "Linear"
    assert _input_check.type_name(numtorch.ones(1)) == "Tensor"
    assert _input_check.type_name(numtorch.nn.Parameter(numtorch.ones(1))) == "Parameter"


def test_wrapped_functions_keep_their_name_signature_and_docs():
    assert numtorch.sum.__name__ == "sum"
    assert list(inspect.signature(numtorch.sum).parameters)[:2] == ["input", "dim"]
    assert numtorch.sum.__doc__ == inspect.unwrap(numtorch.sum).__doc__
    # methods and numtorch's own calls use the functions themselves
    assert numtorch.Tensor.sum is inspect.unwrap(numtorch.sum)


_F_EXTRA = {"threshold": lambda lib: (0.5, 0.0), "layer_norm": lambda lib: ((2,),),
            "rms_norm": lambda lib: ((2,),), "prelu": lambda lib: (lib.ones(1),),
            "embedding": lambda lib: (lib.ones(3, 2),),
            "batch_norm": lambda lib: (lib.zeros(2), lib.ones(2)),
            **{name: lambda lib: (2,) for name in (
                "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d",
                "avg_pool3d", "adaptive_avg_pool1d", "adaptive_max_pool1d")}}
_TARGET_TAKERS = {"cross_entropy", "nll_loss", "multi_margin_loss", "multilabel_margin_loss",
                  "soft_margin_loss", "hinge_embedding_loss", "multilabel_soft_margin_loss",
                  "poisson_nll_loss", "kl_div"}


@pytest.mark.parametrize("name", sorted(_input_check._FUNCTIONAL) + ["embedding"])
def test_functional_non_tensor_input_raises_torchs_error(name):
    NF, TF = numtorch.nn.functional, torch.nn.functional
    for bad in ([1.0, 2.0], 3.0, np.array([1.0, 2.0]), None):
        outcomes = []
        for lib, F in ((numtorch, NF), (torch, TF)):
            extra = _F_EXTRA.get(name, lambda lib: ())
            rest = (lib.ones(2),) if name in _TARGET_TAKERS else extra(lib)
            outcomes.append(_outcome(getattr(F, name), bad, *rest))
        assert outcomes[0] == outcomes[1], (name, type(bad).__name__)
        assert outcomes[0][0] == "TypeError"


@pytest.mark.parametrize("module", [
    "nn.ReLU()", "nn.Tanh()", "nn.Sigmoid()", "nn.GELU()", "nn.LeakyReLU()", "nn.ELU()",
    "nn.SiLU()", "nn.Dropout()", "nn.LayerNorm(2)", "nn.Embedding(3, 2)", "nn.Linear(2, 3)",
    "nn.Sequential(nn.Flatten(), nn.Linear(2, 3))", "nn.Softplus()", "nn.Hardtanh()",
])
def test_layers_given_a_list_or_a_numpy_array_raise_torchs_error(module):
    # A NumPy batch fed to a model: PyTorch refuses it at the first layer, and so does numtorch.
    for bad in ([1.0, 2.0], np.array([1.0, 2.0], np.float32)):
        ours = _outcome(eval(module, {"nn": numtorch.nn}), bad)
        ref = _outcome(eval(module, {"nn": torch.nn}), bad)
        assert ours == ref, (module, type(bad).__name__)


@pytest.mark.parametrize("loss", ["nn.CrossEntropyLoss()", "nn.NLLLoss()", "nn.KLDivLoss()",
                                  "nn.SoftMarginLoss()", "nn.PoissonNLLLoss()"])
def test_losses_given_a_list_raise_torchs_error(loss):
    ours = _outcome(eval(loss, {"nn": numtorch.nn}), [1.0, 2.0], numtorch.ones(2))
    ref = _outcome(eval(loss, {"nn": torch.nn}), [1.0, 2.0], torch.ones(2))
    assert ours == ref and ours[0] == "TypeError"
