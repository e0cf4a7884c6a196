"""Creation functions take their shape as PyTorch's do: ``zeros(2, 3)``, ``zeros((2, 3))``
and the keyword ``zeros(size=(2, 3))`` (the GAT example writes ``empty(size=(...))``)."""

import numpy as np
import pytest

import numtorch
from tests.utils import assert_same, torch

SIZED = ["empty", "zeros", "ones", "rand", "randn"]


@pytest.mark.parametrize("name", SIZED)
@pytest.mark.parametrize("size", [(2, 3), [4], (), (0, 2)])
def test_size_keyword_gives_the_shape_of_the_positional_form(name, size):
    nt = getattr(numtorch, name)(size=size)
    ref = getattr(torch, name)(size=size)
    assert tuple(nt.shape) == tuple(ref.shape)
    assert nt.dtype == numtorch.float32
    assert tuple(getattr(numtorch, name)(size=numtorch.Size(size)).shape) == tuple(ref.shape)


@pytest.mark.parametrize("name", ["zeros", "ones"])
def test_size_keyword_values_and_dtype_match_torch(name):
    nt = getattr(numtorch, name)(size=(2, 3), dtype=numtorch.int32)
    ref = getattr(torch, name)(size=(2, 3), dtype=torch.int32)
    assert_same(nt, ref)


@pytest.mark.parametrize("name", ["rand", "randn"])
def test_size_keyword_draws_the_same_numbers(name):
    numtorch.manual_seed(3)
    torch.manual_seed(3)
    assert_same(getattr(numtorch, name)(size=(3, 4)), getattr(torch, name)(size=(3, 4)))
    g, tg = numtorch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    assert_same(getattr(numtorch, name)(size=(5,), generator=g),
                getattr(torch, name)(size=(5,), generator=tg))


@pytest.mark.parametrize("name", ["empty", "zeros", "ones"])
def test_size_keyword_and_positional_sizes_together_raise_as_torch(name):
    with pytest.raises(TypeError) as ref:
        getattr(torch, name)(2, size=(3,))
    with pytest.raises(TypeError) as got:
        getattr(numtorch, name)(2, size=(3,))
    assert str(got.value) == str(ref.value)


@pytest.mark.parametrize("name", SIZED)
@pytest.mark.parametrize("bad", [2, None, (2.0,)])
def test_size_keyword_that_is_not_a_tuple_of_ints_raises_as_torch(name, bad):
    with pytest.raises(TypeError) as ref:
        getattr(torch, name)(size=bad)
    with pytest.raises(TypeError) as got:
        getattr(numtorch, name)(size=bad)
    assert str(got.value) == str(ref.value)


NEW = ["new_empty", "new_zeros", "new_ones"]


@pytest.mark.parametrize("name", NEW)
def test_tensor_new_methods_take_the_size_keyword(name):
    x, tx = numtorch.ones(2, dtype=numtorch.float64), torch.ones(2, dtype=torch.float64)
    nt, ref = getattr(x, name)(size=(2, 3)), getattr(tx, name)(size=(2, 3))
    assert tuple(nt.shape) == tuple(ref.shape) == (2, 3)
    assert nt.dtype == numtorch.float64
    if name != "new_empty":
        assert_same(nt, ref)


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("call", [lambda f: f(2, size=(3,)), lambda f: f(size=2),
                                  lambda f: f(size=None)], ids=["both", "int", "none"])
def test_tensor_new_methods_size_errors_match_torch(name, call):
    with pytest.raises(TypeError) as ref:
        call(getattr(torch.ones(2), name))
    with pytest.raises(TypeError) as got:
        call(getattr(numtorch.ones(2), name))
    assert str(got.value) == str(ref.value)


@pytest.mark.parametrize("make", [
    lambda lib: lib.tensor([None], dtype=lib.float),
    lambda lib: lib.tensor(None, dtype=lib.float64),
    lambda lib: lib.tensor([[1.5, None]], dtype=lib.float64),
    lambda lib: lib.tensor([[1, 2], [None, 3]], dtype=lib.int64),
    lambda lib: lib.tensor(None, dtype=lib.long),
    lambda lib: lib.tensor([1, {}], dtype=lib.int32),
    lambda lib: lib.tensor([None]),
    lambda lib: lib.tensor(None),
])
def test_none_in_tensor_data_is_refused_as_in_torch(make):
    caught = []
    for lib in (numtorch, torch):
        with pytest.raises((TypeError, RuntimeError)) as info:
            make(lib)
        caught.append((type(info.value), str(info.value)))
    assert caught[0] == caught[1]


def test_nan_in_float_data_is_still_a_value():
    assert numtorch.tensor([float("nan"), 1.0]).isnan().tolist() == [True, False]


@pytest.mark.parametrize("call", [
    lambda M: M.zeros((2.0, 3)), lambda M: M.ones([1.5]), lambda M: M.empty((2.0, 3)),
    lambda M: M.full((2.0, 3), 1.0), lambda M: M.full((2, 3.0), 1.0),
    lambda M: M.rand((2.0, 3)), lambda M: M.zeros(2).new_zeros((2.0, 3))])
def test_size_list_whose_element_is_no_int_raises_torchs_message(call):
    # the first element: the list is rejected whole; a later one: "failed to unpack"
    messages = []
    for lib in (torch, numtorch):
        with pytest.raises(TypeError) as info:
            call(lib)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("name", SIZED)
def test_size_keyword_takes_numpy_integers_and_one_element_integer_tensors(name):
    for lib in (torch, numtorch):
        for first in (np.int64(2), lib.tensor(2), lib.tensor([2])):
            assert tuple(getattr(lib, name)(size=(first, 3)).shape) == (2, 3)
    with pytest.raises(TypeError, match="must be tuple of ints, not tuple"):
        getattr(numtorch, name)(size=(numtorch.tensor(2.0), 3))
