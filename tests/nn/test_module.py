"""nn.Module and nn.Parameter: registration, walks, state_dict, conversion, hooks, repr."""

from __future__ import annotations

import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import numtorch
from numtorch import nn
from numtorch.nn.modules import module as nt_module
from numtorch.utils.hooks import RemovableHandle
from tests.utils import assert_same, to_torch, torch


def nt_of(t):
    """A numtorch copy of a torch tensor."""
    return numtorch.tensor(t.detach().numpy().copy())


def copy_weights(nt_mod, t_mod):
    """Load the torch module's state into the numtorch module."""
    nt_mod.load_state_dict(OrderedDict((k, nt_of(v)) for k, v in t_mod.state_dict().items()))


def same_text(nt_text: str, t_text: str) -> None:
    assert nt_text == t_text.replace("torch.", "numtorch.")


# --- small models built the same way in both libraries -------------------------------


def make_net(lib):
    class Block(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(4, 3)
            self.register_buffer("running", lib.zeros(3))
            self.register_buffer("scratch", lib.ones(2), persistent=False)

        def forward(self, x):
            return self.fc(x) + self.running

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.scale = lib.nn.Parameter(lib.ones(3))
            self.head = lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Linear(5, 2, bias=False))
            self.empty = None

        def forward(self, x):
            return self.head(self.block(x) * self.scale)

    return Net()


@pytest.fixture
def nets():
    t = make_net(torch)
    n = make_net(numtorch)
    copy_weights(n, t)
    return n, t


# --- Parameter ------------------------------------------------------------------------


def test_parameter_repr_matches_torch():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    same_text(repr(nn.Parameter(numtorch.tensor(a))), repr(torch.nn.Parameter(torch.tensor(a))))
    same_text(repr(nn.Parameter(numtorch.tensor(a), requires_grad=False)),
              repr(torch.nn.Parameter(torch.tensor(a), requires_grad=False)))
    same_text(repr(nn.Parameter()), repr(torch.nn.Parameter()))


def test_parameter_shares_data_and_version_with_its_tensor():
    t = numtorch.zeros(3)
    p = nn.Parameter(t)
    assert p.requires_grad and p.is_leaf and isinstance(p, numtorch.Tensor)
    t.add_(1)
    assert p.tolist() == [1.0, 1.0, 1.0]
    assert p._version == t._version == 1


def test_ops_on_a_parameter_return_plain_tensors():
    p = nn.Parameter(numtorch.ones(2, 2))
    for out in (p * 2, p[0], p.detach(), p.data, p.view(4), p.clone(), p + 0):
        assert type(out) is numtorch.Tensor


def test_parameter_deepcopy_and_pickle():
    p = nn.Parameter(numtorch.arange(3.0))
    p.grad = numtorch.ones(3)
    q = copy.deepcopy(p)
    assert type(q) is nn.Parameter and q.requires_grad and q.tolist() == p.tolist()
    assert q.grad.tolist() == [1.0, 1.0, 1.0]
    q.data.add_(1)
    assert p.tolist() == [0.0, 1.0, 2.0]
    r = pickle.loads(pickle.dumps(nn.Parameter(numtorch.ones(2), requires_grad=False)))
    assert type(r) is nn.Parameter and not r.requires_grad


def test_parameter_rejects_non_tensors():
    with pytest.raises(TypeError, match="must be Tensor"):
        nn.Parameter([1.0, 2.0])


def test_uninitialized_parameter_materialises():
    p = nn.UninitializedParameter()
    assert repr(p) == repr(torch.nn.UninitializedParameter()) == "<UninitializedParameter>"
    with pytest.raises(RuntimeError, match="uninitialized parameter"):
        _ = p.shape
    p.materialize((2, 3))
    assert type(p) is nn.Parameter and p.shape == (2, 3) and p.requires_grad


def test_buffer_assignment_registers_a_buffer():
    m = nn.Module()
    m.a = nn.Buffer(numtorch.ones(2))
    m.b = nn.Buffer(numtorch.ones(2), persistent=False)
    assert [k for k, _ in m.named_buffers()] == ["a", "b"]
    assert list(m.state_dict()) == ["a"]


# --- registration -----------------------------------------------------------------------


def test_setattr_registers_parameters_modules_and_buffers(nets):
    n, t = nets
    assert list(n._parameters) == list(t._parameters) == ["scale"]
    assert list(n._modules) == list(t._modules)
    assert n.empty is None and "empty" in n.__dict__
    assert list(n.block._buffers) == ["running", "scratch"]


def test_assigning_a_tensor_to_a_parameter_name_raises_torchs_error():
    m, tm = nn.Linear(2, 2), torch.nn.Linear(2, 2)
    with pytest.raises(TypeError) as e:
        m.weight = numtorch.ones(2, 2)
    with pytest.raises(TypeError) as te:
        tm.weight = torch.ones(2, 2)
    same_text(str(e.value), str(te.value))
    assert str(e.value) == ("cannot assign 'numtorch.FloatTensor' as parameter 'weight' "
                            "(numtorch.nn.Parameter or None expected)")
    m.weight = None
    assert m.weight is None and "weight" in m._parameters


def test_setattr_errors():
    m = nn.Sequential(nn.Linear(1, 1))
    with pytest.raises(TypeError, match=r"cannot assign 'int' as child module '0' "
                                        r"\(numtorch.nn.Module or None expected\)"):
        setattr(m, "0", 3)
    b = nn.Module()
    b.register_buffer("buf", numtorch.ones(1))
    with pytest.raises(TypeError, match="cannot assign 'str' as buffer 'buf'"):
        b.buf = "x"
    b.buf = numtorch.zeros(2)
    assert b.buf.tolist() == [0.0, 0.0] and "buf" in b._buffers

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(numtorch.ones(1))

    with pytest.raises(AttributeError, match=r"cannot assign parameters before "
                                             r"Module.__init__\(\) call"):
        Early()

    class EarlyModule(nn.Module):
        def __init__(self):
            self.m = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="cannot assign module before"):
        EarlyModule()


def test_reassigning_changes_the_kind_of_attribute():
    m = nn.Module()
    m.x = nn.Linear(1, 1)
    m.x = nn.Parameter(numtorch.ones(1))
    assert "x" in m._parameters and "x" not in m._modules
    with pytest.raises(TypeError, match="as parameter 'x'"):
        m.x = nn.Linear(1, 1)  # PyTorch refuses this too
    m.plain = 1
    m.plain = nn.Identity()
    assert "plain" in m._modules and "plain" not in m.__dict__


def test_getattr_and_delattr():
    m = nn.Linear(2, 2)
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'foo'"):
        _ = m.foo
    del m.bias
    assert "bias" not in m._parameters
    m.register_buffer("b", numtorch.ones(1), persistent=False)
    del m.b
    assert "b" not in m._buffers and "b" not in m._non_persistent_buffers_set
    m.plain = 3
    del m.plain
    assert not hasattr(m, "plain")


@pytest.mark.parametrize("call, exc, msg", [
    (lambda m: m.register_buffer(1, None), TypeError, "buffer name should be a string. Got int"),
    (lambda m: m.register_buffer("a.b", None), KeyError, "buffer name can.+t contain"),
    (lambda m: m.register_buffer("", None), KeyError, "buffer name can.+t be empty string"),
    (lambda m: m.register_buffer("weight", None), KeyError, "attribute 'weight' already exists"),
    (lambda m: m.register_buffer("x", [1]), TypeError,
     r"cannot assign 'list' object to buffer 'x' \(numtorch Tensor or None required\)"),
    (lambda m: m.register_parameter("a.b", None), KeyError, "parameter name can.+t contain"),
    (lambda m: m.register_parameter("", None), KeyError, "parameter name can.+t be empty"),
    (lambda m: m.register_parameter("training", None), KeyError,
     "attribute 'training' already exists"),
    (lambda m: m.register_parameter("x", numtorch.ones(1)), TypeError,
     r"cannot assign 'numtorch.FloatTensor' object to parameter 'x' \(numtorch.nn.Parameter "
     r"or None required\)"),
    (lambda m: m.register_parameter("x", nn.Parameter(numtorch.ones(1)) * 2), TypeError,
     "cannot assign"),
    (lambda m: m.add_module("x", 3), TypeError, "int is not a Module subclass"),
    (lambda m: m.add_module("a.b", None), KeyError, "module name can.+t contain .+, got: a.b"),
    (lambda m: m.add_module("", None), KeyError, "module name can.+t be empty string"),
    (lambda m: m.add_module("weight", None), KeyError, "attribute 'weight' already exists"),
])
def test_registration_errors(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call(nn.Linear(1, 1))


def test_register_parameter_refuses_a_non_leaf():
    p = nn.Parameter(numtorch.ones(1))
    q = nn.Parameter.__new__(nn.Parameter, numtorch.ones(1))
    q._grad_fn = (p * 2).grad_fn
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter 'x'"):
        nn.Module().register_parameter("x", q)


def test_register_module_and_submodule_access(nets):
    n, t = nets
    n.register_module("extra", nn.Identity())
    assert n.extra is n.get_submodule("extra")
    assert n.get_submodule("head.1") is n.head[1]
    assert n.get_submodule("") is n
    assert n.get_parameter("head.0.weight") is n.head[0].weight
    assert n.get_buffer("block.running") is n.block.running
    with pytest.raises(AttributeError, match="Sequential has no attribute `7`"):
        n.get_submodule("head.7")
    with pytest.raises(AttributeError, match="`scale` is not an nn.Module"):
        n.get_submodule("scale.x")
    with pytest.raises(AttributeError, match="`running` is not an nn.Parameter"):
        n.get_parameter("block.running")
    with pytest.raises(AttributeError, match="`fc` is not a buffer"):
        n.get_buffer("block.fc")
    with pytest.raises(AttributeError, match="Block has no attribute `nope`"):
        n.get_parameter("block.nope")
    n.set_submodule("head.1", nn.Identity())
    assert isinstance(n.head[1], nn.Identity)


def test_dir_lists_parameters_buffers_and_children(nets):
    n, _ = nets
    d = dir(n)
    for name in ("scale", "block", "head", "forward", "training"):
        assert name in d
    assert "running" in dir(n.block)


def test_module_init_rejects_arguments():
    with pytest.raises(TypeError, match=r"Module.__init__\(\) got an unexpected keyword "
                                        r"argument 'x'"):
        nn.Module(x=1)
    with pytest.raises(TypeError, match=r"takes 1 positional argument but 2 were given"):
        nn.Module(1)


def test_missing_forward_raises_torchs_error():
    class NoForward(nn.Module):
        pass

    with pytest.raises(NotImplementedError,
                       match=r'Module \[NoForward\] is missing the required "forward" function'):
        NoForward()(numtorch.ones(1))


# --- walks ------------------------------------------------------------------------------


def test_named_walks_match_torch(nets):
    n, t = nets
    assert [k for k, _ in n.named_parameters()] == [k for k, _ in t.named_parameters()]
    assert [k for k, _ in n.named_parameters(prefix="m", recurse=False)] == \
        [k for k, _ in t.named_parameters(prefix="m", recurse=False)]
    assert [k for k, _ in n.named_buffers()] == [k for k, _ in t.named_buffers()]
    assert [k for k, _ in n.named_modules()] == [k for k, _ in t.named_modules()]
    assert [k for k, _ in n.named_modules(prefix="root")] == \
        [k for k, _ in t.named_modules(prefix="root")]
    assert [k for k, _ in n.named_children()] == [k for k, _ in t.named_children()]
    assert len(list(n.parameters())) == len(list(t.parameters())) == 6
    assert len(list(n.modules())) == len(list(t.modules()))
    assert len(list(n.children())) == len(list(t.children()))
    assert len(list(n.buffers())) == 2 and len(list(n.buffers(recurse=False))) == 0


def test_shared_parameters_and_modules_are_listed_once():
    for lib in (numtorch, torch):
        shared = lib.nn.Linear(2, 2)
        m = lib.nn.Sequential(shared, shared)
        m.tied = shared.weight
        assert [k for k, _ in m.named_parameters()] == ["tied", "0.bias"]
        assert [k for k, _ in m.named_parameters(remove_duplicate=False)] == \
            ["tied", "0.weight", "0.bias", "1.weight", "1.bias"]
        assert [k for k, _ in m.named_modules()] == ["", "0"]
        assert [k for k, _ in m.named_modules(remove_duplicate=False)] == ["", "0", "1"]
        assert list(m.state_dict()) == ["tied", "0.weight", "0.bias", "1.weight", "1.bias"]


def test_apply_visits_children_first():
    seen = []
    m = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.Identity()))
    assert m.apply(lambda mod: seen.append(type(mod).__name__)) is m
    assert seen == ["Linear", "Identity", "Sequential", "Sequential"]


# --- state_dict -------------------------------------------------------------------------


def test_state_dict_keys_values_and_metadata(nets):
    n, t = nets
    sd, tsd = n.state_dict(), t.state_dict()
    assert type(sd) is OrderedDict
    assert list(sd) == list(tsd)
    assert "block.scratch" not in sd  # non-persistent
    for k in sd:
        assert_same(sd[k], tsd[k])
        assert type(sd[k]) is numtorch.Tensor and not sd[k].requires_grad
    assert dict(sd._metadata) == {k: dict(v) for k, v in tsd._metadata.items()}
    # detached values share memory with the parameters
    sd["scale"].fill_(7.0)
    assert n.scale.tolist() == [7.0, 7.0, 7.0]
    kv = n.state_dict(keep_vars=True)
    assert kv["scale"] is n.scale
    assert list(n.state_dict(prefix="p.")) == [f"p.{k}" for k in tsd]


def test_state_dict_positional_args_are_deprecated():
    m = nn.Linear(1, 1)
    dest = OrderedDict()
    with pytest.warns(FutureWarning, match="Positional args are being deprecated"):
        m.state_dict(dest, "x.")
    assert list(dest) == ["x.weight", "x.bias"]


def test_load_state_dict_round_trip_and_all_keys_matched(nets):
    n, t = nets
    result = n.load_state_dict(n.state_dict())
    assert repr(result) == repr(t.load_state_dict(t.state_dict())) == \
        "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    out = n(numtorch.ones(2, 4))
    assert_same(out, t(torch.ones(2, 4)))


def test_load_state_dict_non_strict_reports_keys_as_torch(nets):
    n, t = nets
    sd = OrderedDict((k, nt_of(v)) for k, v in t.state_dict().items())
    tsd = t.state_dict()
    for d in (sd, tsd):
        del d["head.0.bias"]
        d["head.9.weight"] = d["scale"]
        d["bogus"] = d["scale"]
    r = n.load_state_dict(sd, strict=False)
    tr = t.load_state_dict(tsd, strict=False)
    assert repr(r) == repr(tr)
    assert r.missing_keys == ["head.0.bias"]
    assert r.unexpected_keys == ["bogus", "head.9.weight"]  # reported even when not strict


def test_load_state_dict_strict_error_text_matches_torch():
    n, t = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    bad = {"weight": numtorch.ones(2, 4), "extra": numtorch.ones(1)}
    tbad = {"weight": torch.ones(2, 4), "extra": torch.ones(1)}
    with pytest.raises(RuntimeError) as e:
        n.load_state_dict(bad)
    with pytest.raises(RuntimeError) as te:
        t.load_state_dict(tbad)
    same_text(str(e.value), str(te.value))
    assert str(e.value).startswith("Error(s) in loading state_dict for Linear:\n\t")
    assert ("size mismatch for weight: copying a param with shape numtorch.Size([2, 4]) from "
            "checkpoint, the shape in current model is numtorch.Size([2, 3]).") in str(e.value)


def test_load_state_dict_errors():
    m = nn.Linear(2, 1)
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like, got"):
        m.load_state_dict([1, 2])
    with pytest.raises(RuntimeError, match='While copying the parameter named "bias", expected '
                                           'numtorch.Tensor'):
        m.load_state_dict({"weight": numtorch.ones(1, 2), "bias": 3.0})


def test_load_state_dict_copies_in_place_or_assigns():
    m = nn.Linear(2, 1)
    w = m.weight
    m.load_state_dict({"weight": numtorch.full((1, 2), 3.0, dtype=numtorch.float64),
                       "bias": numtorch.zeros(1)})
    assert m.weight is w and m.weight.dtype is numtorch.float32
    assert m.weight.tolist() == [[3.0, 3.0]]
    new_w = numtorch.ones(1, 2)
    m.load_state_dict({"weight": new_w, "bias": numtorch.zeros(1)}, assign=True)
    assert m.weight is not w and isinstance(m.weight, nn.Parameter) and m.weight.requires_grad
    new_w.add_(1)
    assert m.weight.tolist() == [[2.0, 2.0]]  # assign shares the given tensor's memory


def test_load_state_dict_accepts_one_element_for_a_scalar():
    m = nn.Module()
    m.s = nn.Parameter(numtorch.tensor(1.0))
    m.load_state_dict({"s": numtorch.tensor([5.0])})
    assert m.s.item() == 5.0


def test_subclass_can_override_load_and_save_hooks():
    class Renamed(nn.Linear):
        _version = 2

        def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                                  missing_keys, unexpected_keys, error_msgs):
            if local_metadata.get("version", 2) < 2 and prefix + "w" in state_dict:
                state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")
            super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                          missing_keys, unexpected_keys, error_msgs)

        def _save_to_state_dict(self, destination, prefix, keep_vars):
            super()._save_to_state_dict(destination, prefix, keep_vars)
            destination[prefix + "note"] = numtorch.tensor(1.0)

    m = Renamed(2, 1)
    sd = m.state_dict()
    assert list(sd) == ["weight", "bias", "note"] and sd._metadata[""] == {"version": 2}
    old = OrderedDict(w=numtorch.ones(1, 2), bias=numtorch.zeros(1))
    old._metadata = {"": {"version": 1}}
    assert m.load_state_dict(old).missing_keys == []
    assert m.weight.tolist() == [[1.0, 1.0]]


def test_extra_state_round_trips():
    class WithExtra(nn.Module):
        def __init__(self):
            super().__init__()
            self.value = 1

        def get_extra_state(self):
            return {"value": self.value}

        def set_extra_state(self, state):
            self.value = state["value"]

    m = WithExtra()
    m.value = 5
    sd = m.state_dict()
    assert sd["_extra_state"] == {"value": 5}
    other = WithExtra()
    other.load_state_dict(sd)
    assert other.value == 5


def test_state_dict_and_load_hooks():
    m = nn.Linear(1, 1)
    calls = []
    h1 = m.register_state_dict_pre_hook(lambda mod, prefix, keep: calls.append(("pre", prefix)))
    h2 = m.register_state_dict_post_hook(
        lambda mod, sd, prefix, meta: sd.__setitem__(prefix + "added", numtorch.ones(1)))
    sd = m.state_dict()
    assert calls == [("pre", "")] and "added" in sd
    h1.remove()
    h2.remove()
    assert "added" not in m.state_dict()

    def pre(mod, state_dict, prefix, *rest):
        state_dict.pop(prefix + "added", None)

    def post(mod, keys):
        calls.append(("post", tuple(keys.missing_keys)))

    m.register_load_state_dict_pre_hook(pre)
    m.register_load_state_dict_post_hook(post)
    m.load_state_dict(sd)
    assert calls[-1] == ("post", ())


# --- modes, gradients, conversion -------------------------------------------------------------


def test_train_eval_recurse(nets):
    n, _ = nets
    assert n.eval() is n
    assert not any(m.training for m in n.modules())
    n.train()
    assert all(m.training for m in n.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        n.train("yes")


def test_requires_grad_and_zero_grad(nets):
    n, _ = nets
    n(numtorch.ones(2, 4)).sum().backward()
    assert all(p.grad is not None for p in n.parameters())
    grads = [p.grad for p in n.parameters()]
    n.zero_grad(set_to_none=False)
    assert all(p.grad is g and not g.any() for p, g in zip(n.parameters(), grads))
    n.zero_grad()
    assert all(p.grad is None for p in n.parameters())
    assert n.requires_grad_(False) is n
    assert not any(p.requires_grad for p in n.parameters())


def test_to_double_keeps_parameter_identity_and_converts_grads(nets):
    n, t = nets
    params = list(n.parameters())
    n(numtorch.ones(2, 4)).sum().backward()
    n.register_buffer("count", numtorch.tensor(3))
    assert n.to(numtorch.float64) is n
    assert [p is q for p, q in zip(n.parameters(), params)] == [True] * len(params)
    assert all(p.dtype is numtorch.float64 and p.grad.dtype is numtorch.float64 for p in params)
    assert n.block.running.dtype is numtorch.float64
    assert n.count.dtype is numtorch.int64  # integer buffers are left alone
    t.double()
    out = n(numtorch.ones(2, 4, dtype=numtorch.float64))
    assert_same(out, t(torch.ones(2, 4, dtype=torch.float64)))
    n.float()
    assert all(p.dtype is numtorch.float32 for p in params)
    n.half()
    assert all(p.dtype is numtorch.float16 for p in params)
    n.to(numtorch.ones(1, dtype=numtorch.float64))
    assert all(p.dtype is numtorch.float64 for p in params)
    n.to("cpu", dtype=numtorch.float32)
    assert all(p.dtype is numtorch.float32 for p in params)
    assert n.cpu() is n and n.share_memory() is n
    n.type(numtorch.float64)
    assert n.count.dtype is numtorch.float64  # type() casts everything, as in PyTorch


def test_to_errors():
    m = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex "
                                        "dtypes, but got desired dtype=numtorch.int64"):
        m.to(numtorch.int64)
    with pytest.raises(RuntimeError, match="CUDA"):
        m.cuda()
    with pytest.raises(RuntimeError, match="CUDA"):
        m.to("cuda")
    assert m.weight.dtype is numtorch.float32


# --- calling and hooks ------------------------------------------------------------------------


def test_forward_pre_and_post_hooks_match_torch():
    outs = {}
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 2)
        log = []
        m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        m.register_forward_pre_hook(lambda mod, args, log=log: log.append("first"),
                                    prepend=True)
        m.register_forward_hook(lambda mod, args, out: out + 1)
        m.register_forward_hook(
            lambda mod, args, kwargs, out, log=log: log.append(sorted(kwargs)), with_kwargs=True)
        outs[lib.__name__] = m(lib.ones(1, 3))
        assert log == ["first", []]
    assert_same(outs["numtorch"], outs["torch"])


def test_forward_pre_hook_with_kwargs_can_replace_them():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    m = Scale()
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": 3.0}),
                                with_kwargs=True)
    assert m(numtorch.ones(1)).item() == 3.0
    m2 = Scale()
    m2.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
    with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple"):
        m2(numtorch.ones(1))


def test_hook_handles_remove_and_work_as_context_managers():
    m = nn.Identity()
    handle = m.register_forward_hook(lambda mod, args, out: out * 10)
    assert isinstance(handle, RemovableHandle)
    assert m(numtorch.ones(1)).item() == 10.0
    handle.remove()
    handle.remove()  # twice is harmless
    assert m(numtorch.ones(1)).item() == 1.0
    with m.register_forward_pre_hook(lambda mod, args: (args[0] + 1,)):
        assert m(numtorch.ones(1)).item() == 2.0
    assert m(numtorch.ones(1)).item() == 1.0
    assert not m._forward_pre_hooks and not m._forward_hooks


def test_always_call_forward_hook_runs_when_forward_raises():
    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    seen = []
    m = Boom()
    m.register_forward_hook(lambda mod, args, out: seen.append(out), always_call=True)
    m.register_forward_hook(lambda mod, args, out: seen.append("never"))
    with pytest.raises(ValueError, match="boom"):
        m(numtorch.ones(1))
    assert seen == [None]


def test_global_forward_hook():
    seen = []
    handle = nt_module.register_module_forward_hook(lambda mod, args, out: seen.append(
        type(mod).__name__))
    try:
        nn.Sequential(nn.Identity())(numtorch.ones(1))
    finally:
        handle.remove()
    assert seen == ["Identity", "Sequential"]


def _backward_hook_run(lib, x_np, w_np, b_np, modify):
    lin = lib.nn.Linear(3, 2)
    with lib.no_grad():
        lin.weight.copy_(lib.tensor(w_np))
        lin.bias.copy_(lib.tensor(b_np))
    record = {}

    def pre(mod, grad_output):
        record["pre"] = grad_output
        if modify:
            return (grad_output[0] * 2,)

    def hook(mod, grad_input, grad_output):
        record["grad_input"] = grad_input
        record["grad_output"] = grad_output
        if modify:
            return (grad_input[0] + 1,)

    lin.register_full_backward_pre_hook(pre)
    lin.register_full_backward_hook(hook)
    x = lib.tensor(x_np, requires_grad=True)
    y = lin(x)
    (y * lib.tensor(np.arange(8, dtype=np.float32).reshape(4, 2))).sum().backward()
    return record, x.grad, lin.weight.grad, lin.bias.grad, y.grad_fn.name()


@pytest.mark.parametrize("modify", [False, True])
def test_full_backward_hooks_match_torch(modify):
    rng = np.random.default_rng(0)
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in ((4, 3), (2, 3), (2,)))
    nt_rec, *nt_grads, nt_name = _backward_hook_run(numtorch, x, w, b, modify)
    t_rec, *t_grads, t_name = _backward_hook_run(torch, x, w, b, modify)
    assert nt_name == t_name == "BackwardHookFunctionBackward"
    for key in ("pre", "grad_input", "grad_output"):
        assert len(nt_rec[key]) == len(t_rec[key]) == 1
        assert_same(nt_rec[key][0], t_rec[key][0])
    assert_same(nt_grads, t_grads)


def test_full_backward_hook_with_non_tensor_and_no_grad_inputs():
    class Two(nn.Module):
        def forward(self, a, k, b):
            return a * k + b, b * 2

    seen = {}
    m = Two()
    m.register_full_backward_hook(lambda mod, gi, go: seen.update(gi=gi, go=go))
    a = numtorch.ones(2, requires_grad=True)
    b = numtorch.ones(2)
    y, z = m(a, 3.0, b)
    y.sum().backward()
    assert len(seen["gi"]) == 3 and seen["gi"][1] is None and seen["gi"][2] is None
    assert seen["gi"][0].tolist() == [3.0, 3.0]
    assert seen["go"][0].tolist() == [1.0, 1.0] and seen["go"][1] is None
    assert a.grad.tolist() == [3.0, 3.0]


def test_full_backward_hook_when_no_input_requires_grad_warns():
    m = nn.Linear(2, 1)
    seen = {}
    m.register_full_backward_hook(lambda mod, gi, go: seen.update(gi=gi, go=go))
    with pytest.warns(UserWarning, match="Full backward hook is firing"):
        m(numtorch.ones(3, 2)).sum().backward()
    assert seen["gi"] == (None,) and seen["go"][0].shape == (3, 1)
    assert m.weight.grad is not None


def test_backward_hook_errors():
    m = nn.Linear(2, 1)
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="Backward hook returned an invalid number of "
                                           "grad_input, got 2, but expected 1"):
        m(numtorch.ones(1, 2, requires_grad=True)).sum().backward()
    m2 = nn.Linear(2, 1)
    m2.register_backward_hook(lambda *a: None)
    with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full"):
        m2.register_full_backward_hook(lambda *a: None)


def test_hooks_do_not_change_the_common_call_path():
    m = nn.Linear(2, 2)
    x = numtorch.ones(1, 2)
    assert m(x).grad_fn.name() == "AddmmBackward0"
    with m.register_full_backward_hook(lambda *a: None):
        pass
    assert m(x).grad_fn.name() == "AddmmBackward0"


# --- repr, pickling, copying ---------------------------------------------------------------


def test_nested_repr_matches_torch(nets):
    n, t = nets
    same_text(repr(n), repr(t))

    class Multi(nn.Module):
        def extra_repr(self):
            return "a=1\nb=2"

    assert repr(Multi()) == "Multi(\n  a=1\n  b=2\n)"
    m = nn.Module()
    m.add_module("nothing", None)
    assert repr(m) == "Module(\n  (nothing): None\n)"


class _Picklable(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.scale = nn.Parameter(numtorch.ones(3))
        self.register_buffer("scratch", numtorch.ones(1), persistent=False)

    def forward(self, x):
        return self.fc(x) * self.scale


def test_module_pickles_and_deepcopies():
    n = _Picklable()
    x = numtorch.ones(2, 4)
    for clone in (pickle.loads(pickle.dumps(n)), copy.deepcopy(n)):
        assert_same(clone(x), to_torch(n(x)))
        assert list(clone.state_dict()) == list(n.state_dict())
        assert isinstance(clone.scale, nn.Parameter) and clone.scale is not n.scale
        clone.scale.data.fill_(0.0)
        assert n.scale.tolist() != [0.0, 0.0, 0.0]
        assert clone._non_persistent_buffers_set == {"scratch"}


def test_setstate_fills_fields_missing_from_old_pickles():
    m = nn.Linear(1, 1)
    state = m.__getstate__()
    del state["_forward_hooks_with_kwargs"], state["_non_persistent_buffers_set"]
    fresh = nn.Linear.__new__(nn.Linear)
    fresh.__setstate__(state)
    assert fresh(numtorch.ones(1, 1)).shape == (1, 1)
    assert fresh._non_persistent_buffers_set == set()


def test_incompatible_keys_repr():
    keys = nt_module._IncompatibleKeys(["a"], ["b"])
    assert repr(keys) == "_IncompatibleKeys(missing_keys=['a'], unexpected_keys=['b'])"
    assert repr(nt_module._IncompatibleKeys([], [])) == "<All keys matched successfully>"


# --- the seed tutorial's "Build the Neural Network" section ------------------------------------


def _tutorial_model(lib):
    class NeuralNetwork(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = lib.nn.Flatten()
            self.linear_relu_stack = lib.nn.Sequential(
                lib.nn.Linear(28 * 28, 512),
                lib.nn.ReLU(),
                lib.nn.Linear(512, 512),
                lib.nn.ReLU(),
                lib.nn.Linear(512, 10),
            )

        def forward(self, x):
            x = self.flatten(x)
            return self.linear_relu_stack(x)

    return NeuralNetwork()


def test_seed_tutorial_model_prints_as_torch():
    t = _tutorial_model(torch)
    n = _tutorial_model(numtorch).to("cpu")
    copy_weights(n, t)
    same_text(f"Model structure: {n}\n\n", f"Model structure: {t}\n\n")
    lines, t_lines = [], []
    for name, param in n.named_parameters():
        lines.append(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")
    for name, param in t.named_parameters():
        t_lines.append(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")
    assert len(lines) == 6
    for a, b in zip(lines, t_lines):
        same_text(a, b)
    assert lines[0].startswith("Layer: linear_relu_stack.0.weight | Size: "
                               "numtorch.Size([512, 784]) | Values : tensor([[")
    x = np.random.default_rng(0).random((1, 28, 28), dtype=np.float32)
    logits = n(numtorch.tensor(x))
    assert logits.grad_fn.name() == "AddmmBackward0"
    assert_same(logits, t(torch.tensor(x)), atol=1e-5)


def test_warnings_are_not_raised_by_plain_calls(nets):
    n, _ = nets
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        n(numtorch.ones(1, 4)).sum().backward()
