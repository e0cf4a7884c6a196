"""nn.utils.prune against torch.nn.utils.prune: the same seed prunes the same entries, the
module ends up with the same parameters, buffers, hooks and state_dict, and bad input
raises PyTorch's errors."""

import copy
import io
import math
import re

import numpy as np
import pytest
import torch
import torch.nn.utils.prune as tprune

import numtorch
import numtorch.nn.utils.prune as prune
from numtorch import nn

LIBS = {"nt": (numtorch, prune), "torch": (torch, tprune)}


def _model(lib):
    """The same small conv + linear model in either library (seeded init)."""
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Conv2d(2, 4, 3), lib.nn.Flatten(), lib.nn.Linear(4, 3))


def _snapshot(module):
    """Everything pruning changes, as plain Python/NumPy values."""
    hooks = [(type(h).__name__, getattr(h, "_tensor_name", None),
              [type(m).__name__ for m in h] if type(h).__name__ == "PruningContainer" else None)
             for h in module._forward_pre_hooks.values()]
    return {
        "params": [(n, p.detach().numpy().copy()) for n, p in module.named_parameters()],
        "buffers": [(n, b.numpy().copy()) for n, b in module.named_buffers()],
        "state_dict": list(module.state_dict().keys()),
        "weight": None if not hasattr(module, "weight") else
        (type(module.weight).__name__, module.weight.detach().numpy().copy()),
        "hooks": hooks,
    }


def _assert_same_snapshot(a, b):
    assert a["state_dict"] == b["state_dict"]
    assert a["hooks"] == b["hooks"]
    for key in ("params", "buffers"):
        assert [n for n, _ in a[key]] == [n for n, _ in b[key]]
        for (_, x), (_, y) in zip(a[key], b[key]):
            np.testing.assert_array_equal(x, y)
    if a["weight"] is not None:
        assert a["weight"][0] == b["weight"][0]
        np.testing.assert_array_equal(a["weight"][1], b["weight"][1])


def _both(scenario):
    """Run ``scenario(lib, prune_module, model)`` in both libraries; compare what it left."""
    out = {}
    for key, (lib, pr) in LIBS.items():
        model = _model(lib)
        result = scenario(lib, pr, model)
        out[key] = ([_snapshot(m) for m in model], result)
    for a, b in zip(out["nt"][0], out["torch"][0]):
        _assert_same_snapshot(a, b)
    return out["nt"][1], out["torch"][1]


@pytest.mark.parametrize("amount", [0.0, 0.3, 0.5, 1.0, 0, 5, 36])
def test_random_unstructured_prunes_the_entries_torch_prunes(amount):
    def scenario(lib, pr, model):
        lib.manual_seed(7)
        pr.random_unstructured(model[0], "weight", amount=amount)
        return int(model[0].weight_mask.sum().item())
    ours, theirs = _both(scenario)
    assert ours == theirs == 72 - (round(amount * 72) if isinstance(amount, float) else amount)


@pytest.mark.parametrize("amount", [0.25, 2, 0.0])
def test_l1_unstructured_prunes_the_smallest_magnitudes(amount):
    def scenario(lib, pr, model):
        pr.l1_unstructured(model[2], "weight", amount=amount)
        pr.l1_unstructured(model[2], name="bias", amount=1)
    _both(scenario)


def test_l1_unstructured_with_importance_scores():
    scores = np.random.default_rng(3).standard_normal((3, 4)).astype(np.float32)

    def scenario(lib, pr, model):
        pr.l1_unstructured(model[2], "weight", amount=5,
                           importance_scores=lib.tensor(scores))
    _both(scenario)


@pytest.mark.parametrize("n", [1, 2, math.inf, -math.inf, "fro"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_ln_structured_prunes_whole_slices(n, dim):
    def scenario(lib, pr, model):
        pr.ln_structured(model[2], "weight", amount=0.5, n=n, dim=dim)
        if n != "fro":  # 'fro' over three dims is a matrix norm: an error (see below)
            pr.ln_structured(model[0], "weight", amount=0.5, n=n, dim=dim)
    _both(scenario)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_random_structured_draws_like_torch(dim):
    def scenario(lib, pr, model):
        lib.manual_seed(11)
        pr.random_structured(model[0], "weight", amount=0.5, dim=dim)
        return lib.rand(1).item()  # the generator advanced by the same draws
    ours, theirs = _both(scenario)
    assert ours == theirs


def test_identity_and_custom_from_mask():
    mask = (np.arange(12).reshape(3, 4) % 3 != 0).astype(np.float32)

    def scenario(lib, pr, model):
        pr.identity(model[0], "bias")
        pr.custom_from_mask(model[2], "weight", mask=lib.tensor(mask))
    _both(scenario)


def test_iterative_pruning_combines_masks_in_a_container():
    def scenario(lib, pr, model):
        lib.manual_seed(3)
        conv = model[0]
        pr.random_unstructured(conv, "weight", amount=0.2)
        pr.ln_structured(conv, "weight", amount=1, n=2, dim=0)
        pr.l1_unstructured(conv, "weight", amount=0.25)
        pr.random_structured(conv, "weight", amount=1, dim=1)
        container = next(iter(conv._forward_pre_hooks.values()))
        return len(container), [type(m).__name__ for m in container]
    ours, theirs = _both(scenario)
    assert ours == theirs


def test_global_unstructured_counts_across_parameters():
    def scenario(lib, pr, model):
        params = [(model[0], "weight"), (model[2], "weight"), (model[2], "bias")]
        pr.global_unstructured(params, pruning_method=pr.L1Unstructured, amount=0.4)
        pr.global_unstructured(params[:2], pruning_method=pr.L1Unstructured, amount=10)
        return sum(int((getattr(m, n) == 0).sum()) for m, n in params)
    ours, theirs = _both(scenario)
    assert ours == theirs


def test_global_unstructured_with_importance_scores_and_random_method():
    scores = np.random.default_rng(5).standard_normal((3, 4)).astype(np.float32)

    def scenario(lib, pr, model):
        lib.manual_seed(2)
        params = [(model[0], "bias"), (model[2], "weight")]
        pr.global_unstructured(params, pr.L1Unstructured,
                               importance_scores={(model[2], "weight"): lib.tensor(scores)},
                               amount=6)
        pr.global_unstructured(params, pr.RandomUnstructured, amount=0.3)
    _both(scenario)


def test_pruned_forward_and_backward_match():
    x = np.random.default_rng(0).standard_normal((2, 2, 3, 3)).astype(np.float32)
    grads = {}
    for key, (lib, pr) in LIBS.items():
        model = _model(lib)
        lib.manual_seed(1)
        pr.random_unstructured(model[0], "weight", amount=0.5)
        pr.l1_unstructured(model[2], "weight", amount=4)
        out = model(lib.tensor(x))
        out.sum().backward()
        grads[key] = [out.detach().numpy()] + [p.grad.numpy().copy()
                                               for p in model.parameters()]
    for a, b in zip(grads["nt"], grads["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # the gradient reaches only the kept entries of weight_orig
    model = _model(numtorch)
    prune.l1_unstructured(model[2], "weight", amount=6)
    model(numtorch.tensor(x)).sum().backward()
    assert (model[2].weight_orig.grad.numpy()[model[2].weight_mask.numpy() == 0] == 0).all()


def test_hook_recomputes_weight_after_the_optimiser_step():
    model = _model(numtorch)
    prune.l1_unstructured(model[2], "weight", amount=6)
    opt = numtorch.optim.SGD(model.parameters(), lr=0.5)
    x = numtorch.randn(2, 2, 3, 3)
    model(x).sum().backward()
    opt.step()
    before = model[2].weight.detach().clone()
    model(x)
    after = model[2].weight
    assert not numtorch.equal(before, after)
    assert numtorch.equal(after, model[2].weight_orig * model[2].weight_mask)


def test_remove_makes_pruning_permanent():
    def scenario(lib, pr, model):
        lib.manual_seed(4)
        pr.random_unstructured(model[2], "weight", amount=0.5)
        pr.l1_unstructured(model[2], "bias", amount=1)
        pr.remove(model[2], "weight")
        return pr.is_pruned(model), type(model[2].weight).__name__
    ours, theirs = _both(scenario)
    assert ours == theirs == (True, "Parameter")


def test_is_pruned_looks_at_every_submodule():
    model = _model(numtorch)
    assert not prune.is_pruned(model)
    prune.identity(model[2], "bias")
    assert prune.is_pruned(model)
    prune.remove(model[2], "bias")
    assert not prune.is_pruned(model)


def test_prune_method_on_a_plain_tensor():
    t = np.random.default_rng(1).standard_normal((4, 5)).astype(np.float32)
    s = np.abs(t[::-1]).copy()
    d = (np.arange(20).reshape(4, 5) % 4 != 0).astype(np.float32)
    results = {}
    for key, (lib, pr) in LIBS.items():
        results[key] = [
            pr.L1Unstructured(amount=0.5).prune(lib.tensor(t)),
            pr.L1Unstructured(amount=3).prune(lib.tensor(t), importance_scores=lib.tensor(s)),
            pr.LnStructured(amount=1, n=1, dim=1).prune(lib.tensor(t),
                                                        default_mask=lib.tensor(d)),
        ]
    for a, b in zip(results["nt"], results["torch"]):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_repr_of_the_hook_names_numtorch():
    model = _model(numtorch)
    prune.random_unstructured(model[2], "weight", amount=0.1)
    text = repr(model[2]._forward_pre_hooks)
    assert text.startswith("OrderedDict([(") and \
        "<numtorch.nn.utils.prune.RandomUnstructured object at 0x" in text


def test_pruned_state_dict_moves_both_ways():
    ours = _model(numtorch)
    numtorch.manual_seed(9)
    prune.random_unstructured(ours[0], "weight", amount=0.5)
    buf = io.BytesIO()
    numtorch.save(ours.state_dict(), buf)
    theirs = _model(torch)
    tprune.identity(theirs[0], "weight")
    theirs.load_state_dict(torch.load(io.BytesIO(buf.getvalue())))
    theirs(torch.zeros(1, 2, 3, 3))  # the hook recomputes weight from the loaded mask
    np.testing.assert_array_equal(theirs[0].weight.detach().numpy(),
                                  ours[0].weight.detach().numpy())
    back = io.BytesIO()
    torch.save(theirs.state_dict(), back)
    again = _model(numtorch)
    prune.identity(again[0], "weight")
    again.load_state_dict(numtorch.load(io.BytesIO(back.getvalue())))
    again(numtorch.zeros(1, 2, 3, 3))  # the hook recomputes weight from the loaded mask
    np.testing.assert_array_equal(again[0].weight.detach().numpy(),
                                  ours[0].weight.detach().numpy())


def test_deepcopy_of_a_pruned_module_as_in_torch():
    """Pruned with grad on, ``weight`` is a non-leaf and deepcopy refuses it, with PyTorch's
    error; pruned under no_grad it copies, pruning and all."""
    model = _model(numtorch)
    prune.l1_unstructured(model[2], "weight", amount=6)
    with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
        copy.deepcopy(model)
    model = _model(numtorch)
    with numtorch.no_grad():
        prune.l1_unstructured(model[2], "weight", amount=6)
    clone = copy.deepcopy(model)
    assert prune.is_pruned(clone)
    np.testing.assert_array_equal(clone[2].weight_mask.numpy(), model[2].weight_mask.numpy())
    clone(numtorch.zeros(1, 2, 3, 3))
    np.testing.assert_array_equal(clone[2].weight.detach().numpy(),
                                  model[2].weight.detach().numpy())


# --- errors: PyTorch's type and message, module left as it was ---------------------------

def _normalised(text):
    """An error message with object addresses blanked and torch's module name as ours."""
    text = re.sub(r"0x[0-9a-f]+", "0x", text)
    return re.sub(r"\btorch\.", "numtorch.", text)


def _raises_like_torch(call):
    """``call(lib, pr, model)`` raises the same exception type and message in both
    libraries; returns numtorch's (type name, message, model)."""
    caught = {}
    for key, (lib, pr) in LIBS.items():
        model = _model(lib)
        with pytest.raises(Exception) as info:
            call(lib, pr, model)
        caught[key] = (type(info.value).__name__, str(info.value), model)
    assert caught["nt"][0] == caught["torch"][0]
    assert _normalised(caught["nt"][1]) == _normalised(caught["torch"][1])
    return caught["nt"][1], caught["nt"][2], caught["torch"][2]


@pytest.mark.parametrize("call, match", [
    (lambda lib, pr, m: pr.random_unstructured(m[2], "weight", amount="a lot"),
     "Invalid type for amount: a lot. Must be int or float."),
    (lambda lib, pr, m: pr.l1_unstructured(m[2], "weight", amount=-1),
     r"amount=-1 should either be a float in the range \[0, 1\] or a non-negative integer"),
    (lambda lib, pr, m: pr.l1_unstructured(m[2], "weight", amount=1.5),
     r"amount=1.5 should either be a float in the range \[0, 1\]"),
    (lambda lib, pr, m: pr.l1_unstructured(m[2], "weight", amount=13),
     "amount=13 should be smaller than the number of parameters to prune=12"),
    (lambda lib, pr, m: pr.ln_structured(m[2], "bias", amount=1, n=2, dim=0),
     r"Structured pruning can only be applied to multidimensional tensors. Found tensor "
     r"of shape .*Size\(\[3\]\) with 1 dims"),
    (lambda lib, pr, m: pr.random_structured(m[2], "weight", amount=1, dim=2),
     r"Invalid index 2 for tensor of size .*Size\(\[3, 4\]\)"),
    (lambda lib, pr, m: pr.ln_structured(m[0], "weight", amount=1, n="fro", dim=0),
     "linalg.matrix_norm: dim must be a 2-tuple. Got 1 2 3"),
    (lambda lib, pr, m: pr.remove(m[2], "weight"),
     "Parameter 'weight' of module Linear.* has to be pruned before pruning can be removed"),
    (lambda lib, pr, m: pr.l1_unstructured(m[2], "weight", amount=1,
                                           importance_scores=lib.ones(4)),
     "importance_scores should have the same shape as parameter weight of Linear"),
    (lambda lib, pr, m: pr.global_unstructured(m[2], pr.L1Unstructured, amount=1),
     "global_unstructured\\(\\): parameters is not an Iterable"),
    (lambda lib, pr, m: pr.global_unstructured([(m[2], "weight")], pr.L1Unstructured,
                                               importance_scores=[1], amount=1),
     "global_unstructured\\(\\): importance_scores must be of type dict"),
    (lambda lib, pr, m: pr.global_unstructured([(m[2], "weight")], pr.RandomStructured,
                                               amount=1),
     'Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. Found method '
     ".*RandomStructured'> of type structured"),
    (lambda lib, pr, m: pr.custom_from_mask(m[2], "weight", mask=lib.ones(4)),
     r"default_mask shape .*Size\(\[3, 4\]\) must match self.mask shape"),
    (lambda lib, pr, m: pr.L1Unstructured(amount=1).prune(lib.ones(3), lib.ones(3),
                                                          importance_scores=lib.ones(2)),
     "importance_scores should have the same shape as tensor t"),
])
def test_errors_match_torch(call, match):
    text, model, tmodel = _raises_like_torch(call)
    assert re.search(match, text), text
    # nothing is left pruned: the parameter is back (last, as in PyTorch), no _orig, no _mask
    for ours, theirs in zip(model, tmodel):
        assert [n for n, _ in ours.named_parameters()] == \
            [n for n, _ in theirs.named_parameters()]
        assert list(ours.named_buffers()) == []
    assert not prune.is_pruned(model)


def test_container_refuses_other_tensors_and_non_methods():
    first = prune.L1Unstructured(amount=1)
    first._tensor_name = "weight"
    container = prune.PruningContainer(first)
    other = prune.L1Unstructured(amount=1)
    other._tensor_name = "bias"
    with pytest.raises(ValueError, match="Can only add pruning methods acting on the parameter "
                                         "named 'weight' to PruningContainer .* Found 'bias'"):
        container.add_pruning_method(other)
    with pytest.raises(TypeError, match="<class 'int'> is not a BasePruningMethod subclass"):
        container.add_pruning_method(3)
    assert len(container) == 1 and container[0] is first and list(container) == [first]


def test_structured_method_without_dim_is_refused_in_a_container():
    class NoDim(prune.BasePruningMethod):
        PRUNING_TYPE = "structured"

        def compute_mask(self, t, default_mask):
            return default_mask

    linear = nn.Linear(4, 3)
    prune.identity(linear, "weight")
    with pytest.raises(AttributeError, match='PRUNING_TYPE "structured" need to have the '
                                             "attribute `dim` defined"):
        NoDim.apply(linear, "weight")


def test_custom_method_subclass_works_like_torch():
    """The tutorial's pattern: a BasePruningMethod subclass with its own compute_mask."""
    def make(base):
        class EveryOther(base):
            PRUNING_TYPE = "unstructured"

            def compute_mask(self, t, default_mask):
                mask = default_mask.clone()
                mask.view(-1)[::2] = 0
                return mask
        return EveryOther

    def scenario(lib, pr, model):
        cls = make(pr.BasePruningMethod)
        cls.apply(model[2], "bias")
        cls.apply(model[2], "bias")
        return model[2].bias.detach().numpy().tolist()
    ours, theirs = _both(scenario)
    assert ours == theirs
