"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict against PyTorch."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import numtorch
from numtorch import nn
from tests.utils import assert_same, torch


def both(build):
    """The same container built with each library: ``build(lib)``."""
    return build(numtorch), build(torch)


def same_repr(n, t) -> None:
    assert repr(n) == repr(t).replace("torch.", "numtorch.")


def keys(m):
    return list(m.state_dict())


def mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.ReLU(), lib.nn.Linear(3, 2))


# --- Sequential ------------------------------------------------------------------------------


def test_sequential_forward_matches_torch():
    n, t = both(mlp)
    n.load_state_dict({k: numtorch.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    xn, xt = numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = n(xn), t(xt)
    assert_same(out, ref)
    out.sum().backward()
    ref.sum().backward()
    assert_same(xn.grad, xt.grad)
    assert_same(n[0].weight.grad, t[0].weight.grad)
    same_repr(n, t)
    assert keys(n) == keys(t) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_sequential_from_ordered_dict():
    n, t = both(lambda lib: lib.nn.Sequential(OrderedDict(
        [("fc", lib.nn.Linear(2, 2)), ("act", lib.nn.Tanh())])))
    same_repr(n, t)
    assert keys(n) == keys(t) == ["fc.weight", "fc.bias"]
    assert n.fc is n[0]


def test_sequential_indexing_and_slicing():
    n, t = both(mlp)
    assert isinstance(n[-1], nn.Linear) and n[-1] is n[2]
    same_repr(n[1:], t[1:])
    same_repr(n[::2], t[::2])
    assert type(n[1:]) is nn.Sequential and n[1:][0] is n[1]
    for s in (n, t):
        with pytest.raises(IndexError, match="index 3 is out of range"):
            s[3]
        with pytest.raises(IndexError, match="index -4 is out of range"):
            s[-4]


def test_sequential_mutation_matches_torch():
    n, t = both(mlp)
    for s, lib in ((n, numtorch), (t, torch)):
        s[1] = lib.nn.Sigmoid()
        del s[0]
        s.append(lib.nn.Tanh())
        s.insert(0, lib.nn.Identity())
        s.insert(-1, lib.nn.ReLU())
        s.extend([lib.nn.Identity()])
        s.pop(2)
    same_repr(n, t)
    assert len(n) == len(t)
    del n[1:3]
    del t[1:3]
    same_repr(n, t)
    with pytest.raises(IndexError, match="Index out of range: 9"):
        n.insert(9, nn.Identity())
    with pytest.raises(AssertionError, match="module should be of type"):
        n.insert(0, 3)


def test_sequential_arithmetic_matches_torch():
    n, t = both(lambda lib: lib.nn.Sequential(lib.nn.Linear(1, 1), lib.nn.ReLU()))
    same_repr(n + n, t + t)
    same_repr(n * 2, t * 2)
    same_repr(2 * n, 2 * t)
    assert (n * 2)[0] is (n * 2)[2]  # repeated, not copied
    n2, t2 = both(lambda lib: lib.nn.Sequential(lib.nn.ReLU()))
    n2 += n
    t2 += t
    same_repr(n2, t2)
    n2 *= 2
    t2 *= 2
    same_repr(n2, t2)
    with pytest.raises(ValueError, match="add operator supports only objects of Sequential "
                                         "class"):
        n + nn.ReLU()
    with pytest.raises(TypeError, match="unsupported operand type"):
        n * 1.5
    with pytest.raises(ValueError, match="Non-positive multiplication factor 0"):
        n * 0


def test_sequential_iteration_len_and_dir():
    n = mlp(numtorch)
    assert [type(m).__name__ for m in n] == ["Linear", "ReLU", "Linear"]
    assert len(n) == 3
    assert "0" not in dir(n) and "append" in dir(n)
    assert repr(nn.Sequential()) == repr(torch.nn.Sequential()) == "Sequential()"


def test_nested_containers_repr():
    def build(lib):
        return lib.nn.Sequential(lib.nn.Flatten(), lib.nn.ModuleList([lib.nn.Linear(2, 2)] * 2),
                                 lib.nn.ModuleDict({"a": lib.nn.Sequential(lib.nn.ReLU())}))

    n, t = both(build)
    same_repr(n, t)
    assert keys(n) == keys(t)


# --- ModuleList --------------------------------------------------------------------------------


def test_module_list_repr_compresses_runs_like_torch():
    def build(lib):
        return lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(3)]
                                 + [lib.nn.ReLU(), lib.nn.ReLU(), lib.nn.Linear(2, 3)])

    n, t = both(build)
    same_repr(n, t)
    same_repr(n[1:3], t[1:3])
    same_repr(nn.ModuleList(), torch.nn.ModuleList())
    assert keys(n) == keys(t)


def test_module_list_operations_match_torch():
    n, t = both(lambda lib: lib.nn.ModuleList([lib.nn.Linear(1, 1), lib.nn.ReLU()]))
    for m, lib in ((n, numtorch), (t, torch)):
        m.append(lib.nn.Tanh())
        m.extend([lib.nn.Sigmoid()])
        m.insert(1, lib.nn.Identity())
        m[0] = lib.nn.Linear(1, 2)
        m += [lib.nn.ReLU()]
        del m[-2]
        m.pop(1)
    same_repr(n, t)
    same_repr(n + n, t + t)
    assert isinstance(n + [nn.ReLU()], nn.ModuleList)
    assert n[-1] is n[len(n) - 1]
    with pytest.raises(IndexError, match="index 9 is out of range"):
        n[9]
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable, "
                                        "but got int"):
        n.extend(3)
    del n[0:2]
    del t[0:2]
    same_repr(n, t)


def test_module_list_registers_parameters():
    m = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
    assert [k for k, _ in m.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert "0" not in dir(m)


# --- ModuleDict ---------------------------------------------------------------------------------


def test_module_dict_matches_torch():
    n, t = both(lambda lib: lib.nn.ModuleDict({"x": lib.nn.ReLU(), "y": lib.nn.Linear(1, 2)}))
    same_repr(n, t)
    assert keys(n) == keys(t)
    for m, lib in ((n, numtorch), (t, torch)):
        m["z"] = lib.nn.Tanh()
        m.update([("w", lib.nn.Identity())])
        m.update(OrderedDict(v=lib.nn.ReLU()))
        del m["x"]
        assert m.pop("v").__class__.__name__ == "ReLU"
    same_repr(n, t)
    assert list(n) == list(t) == list(n.keys()) == ["y", "z", "w"]
    assert "y" in n and "q" not in n and len(n) == 3
    assert [type(v).__name__ for v in n.values()] == ["Linear", "Tanh", "Identity"]
    assert [k for k, _ in n.items()] == ["y", "z", "w"]
    n.clear()
    assert len(n) == 0


def test_module_dict_update_errors():
    m = nn.ModuleDict()
    with pytest.raises(TypeError, match="ModuleDict.update should be called with an iterable"):
        m.update(3)
    with pytest.raises(TypeError, match="element #0 should be Iterable"):
        m.update([3])
    with pytest.raises(ValueError, match="element #0 has length 3; 2 is required"):
        m.update([("a", nn.ReLU(), 1)])


# --- ParameterList / ParameterDict ------------------------------------------------------------------


def test_parameter_list_matches_torch():
    def build(lib):
        return lib.nn.ParameterList([lib.nn.Parameter(lib.ones(3)), lib.zeros(2, 2), 5])

    n, t = both(build)
    same_repr(n, t)
    assert repr(n).splitlines()[1] == "    (0): Parameter containing: [numtorch.float32 of size 3]"
    assert isinstance(n[1], nn.Parameter) and n[2] == 5
    assert keys(n) == keys(t) == ["0", "1"]
    assert len(n) == 3 and len(list(n.parameters())) == 2
    one, t_one = both(lambda lib: lib.nn.ParameterList(
        [lib.nn.Parameter(lib.ones(3, dtype=lib.float64), requires_grad=False)]))
    same_repr(one, t_one)
    same_repr(n[1:], t[1:])
    same_repr(nn.ParameterList(), torch.nn.ParameterList())


def test_parameter_list_operations():
    p = nn.ParameterList()
    p.append(numtorch.ones(1))
    p.extend([numtorch.zeros(2)])
    p += [nn.Parameter(numtorch.ones(3))]
    p[0] = numtorch.full((1,), 4.0)
    assert [tuple(x.shape) for x in p] == [(1,), (2,), (3,)]
    assert p[-3].item() == 4.0 and isinstance(p[0], nn.Parameter)
    with pytest.raises(TypeError, match="ParameterList.extend should be called with an iterable, "
                                        "but got Tensor"):
        p.extend(numtorch.ones(2))
    with pytest.raises(RuntimeError, match="ParameterList should not be called."):
        p(1)
    with pytest.raises(IndexError, match="index 3 is out of range"):
        p[3]


def test_parameter_dict_matches_torch():
    def build(lib):
        return lib.nn.ParameterDict({"b": lib.nn.Parameter(lib.ones(3)), "a": lib.zeros(2),
                                     "c": "str"})

    n, t = both(build)
    same_repr(n, t)
    assert list(n) == list(t) == ["a", "b", "c"]  # a plain dict is added in sorted order
    assert keys(n) == keys(t)
    for d, lib in ((n, numtorch), (t, torch)):
        d["z"] = lib.ones(1)
        d.update(OrderedDict(y=lib.zeros(1)))
        del d["c"]
        d.setdefault("w", lib.ones(4))
        assert d.pop("b").shape == (3,)
        assert d.popitem()[0] == "w"
    same_repr(n, t)
    assert list(n.keys()) == list(t.keys()) == ["a", "z", "y"]
    assert n.get("nope", 3) == 3 and "a" in n and len(n) == 3
    same_repr(n | nn.ParameterDict({"q": numtorch.ones(1)}),
              t | torch.nn.ParameterDict({"q": torch.ones(1)}))
    assert list(reversed(n)) == ["y", "z", "a"]
    c = n.copy()
    assert c["a"] is n["a"]
    n |= nn.ParameterDict({"r": numtorch.ones(1)})
    assert "r" in n
    assert list(n.fromkeys(["m", "n"])) == ["m", "n"]
    n.clear()
    assert len(n) == 0


def test_parameter_dict_errors():
    d = nn.ParameterDict()
    with pytest.raises(TypeError, match="Index given to ParameterDict cannot be used as a key as "
                                        "it is not a string \\(type is 'int'\\)"):
        d[1] = numtorch.ones(1)
    with pytest.raises(TypeError, match="ParametersDict.update should be called with an "
                                        "iterable"):
        d.update(3)
    with pytest.raises(RuntimeError, match="ParameterDict should not be called."):
        d(1)


def test_containers_move_with_to():
    m = nn.Sequential(nn.Linear(1, 1), nn.ModuleList([nn.Linear(1, 1)]))
    m.pd = nn.ParameterDict({"a": numtorch.ones(1)})
    params = list(m.parameters())
    m.double()
    assert all(p.dtype is numtorch.float64 for p in m.parameters())
    assert all(a is b for a, b in zip(m.parameters(), params))
