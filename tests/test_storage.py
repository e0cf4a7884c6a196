"""numtorch/storage.py (UntypedStorage, TypedStorage, Tensor.set_): parity with PyTorch."""

from __future__ import annotations

import copy
import pickle
import re
import warnings

import numpy as np
import pytest

import numtorch
from numtorch import storage as nt_storage

torch = pytest.importorskip("torch")

DTYPES = {"float32": (numtorch.float32, torch.float32), "float64": (numtorch.float64, torch.float64),
          "float16": (numtorch.float16, torch.float16), "int64": (numtorch.int64, torch.int64),
          "int32": (numtorch.int32, torch.int32), "int16": (numtorch.int16, torch.int16),
          "int8": (numtorch.int8, torch.int8), "uint8": (numtorch.uint8, torch.uint8),
          "bool": (numtorch.bool, torch.bool)}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _text(s: str) -> str:
    return s.replace("torch.", "numtorch.").replace("numnumtorch.", "numtorch.")


def same_error(nt_call, torch_call):
    """Both calls raise the same exception type with the same first message line."""
    with pytest.raises(Exception) as ref:
        torch_call()
    with pytest.raises(type(ref.value), match="^" + re.escape(_text(str(ref.value).split("\n")[0]))):
        nt_call()


def both(array):
    """A numtorch and a torch tensor over copies of the same values."""
    array = np.asarray(array)
    return numtorch.from_numpy(array.copy()), torch.from_numpy(array.copy())


def _data(dt, n=6):
    return (np.arange(n) * 1.25 - 2).astype(dt) if dt != "bool" else np.arange(n) % 3 == 0


# --- UntypedStorage of a tensor --------------------------------------------------------------


@pytest.mark.parametrize("dt", sorted(DTYPES))
def test_untyped_storage_is_the_tensors_bytes(dt):
    a, t = both(_data(dt).reshape(2, 3))
    s, r = a.untyped_storage(), t.untyped_storage()
    assert type(s) is numtorch.UntypedStorage
    assert repr(s) == _text(repr(r)) and str(s) == _text(str(r))
    assert s.tolist() == r.tolist() and list(s) == list(r)
    assert (s.nbytes(), s.size(), len(s), s.element_size()) == \
        (r.nbytes(), r.size(), len(r), r.element_size())
    assert s.device == numtorch.device("cpu") and str(s.device) == str(r.device)
    assert s.data_ptr() == a.data_ptr() and s[0] == r[0] and s[-1] == r[-1]


def test_untyped_storage_repr_of_empty_and_0d():
    for arr in (np.zeros(0, np.float32), np.array(3.5, np.float32), np.array(7, np.int64)):
        a, t = both(arr)
        assert repr(a.untyped_storage()) == _text(repr(t.untyped_storage()))
        assert a.untyped_storage().nbytes() == t.untyped_storage().nbytes()


def test_empty_storage_data_ptr_is_zero_as_in_torch():
    a, t = numtorch.tensor([]), torch.tensor([])
    assert a.untyped_storage().data_ptr() == t.untyped_storage().data_ptr() == 0
    assert numtorch.UntypedStorage().data_ptr() == torch.UntypedStorage().data_ptr() == 0


def test_same_storage_object_while_it_lives():
    a, t = both(np.arange(12.0).reshape(3, 4))
    s = a.untyped_storage()
    assert (s is a.untyped_storage()) == (t.untyped_storage() is t.untyped_storage()) is True
    assert (s is a[1:].t().untyped_storage()) == \
        (t.untyped_storage() is t[1:].t().untyped_storage()) is True
    assert (a.storage() is a.storage()) == (t.storage() is t.storage()) is False
    assert a.storage()._untyped_storage is s


# --- memory sharing ------------------------------------------------------------------------

VIEWS = {
    "slice": lambda x: x[1:, 1:],
    "row": lambda x: x[2],
    "column": lambda x: x[:, 3],
    "step": lambda x: x[::2, ::3],
    "transpose": lambda x: x.t(),
    "transpose_dims": lambda x: x.transpose(0, 1),
    "permute": lambda x: x.permute(1, 0),
    "view": lambda x: x.view(4, 3),
    "view_flat": lambda x: x.view(-1),
    "reshape_view": lambda x: x.reshape(2, 6),
    "flatten": lambda x: x.flatten(),
    "unsqueeze": lambda x: x.unsqueeze(0),
    "expand": lambda x: x[:1].expand(5, 4),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "select": lambda x: x.select(1, 2),
    "diagonal": lambda x: x.diagonal(),
    "detach": lambda x: x.detach(),
    "data": lambda x: x.data,
    "slice_of_transpose": lambda x: x.t()[1:3],
    "view_dtype": lambda x: x.view(numtorch.int32 if isinstance(x, numtorch.Tensor)
                                   else torch.int32),
    "split": lambda x: x.split(2, 1)[1],
    "chunk": lambda x: x.chunk(3, 0)[2],
    "unbind": lambda x: x.unbind(0)[1],
}

COPIES = {
    "clone": lambda x: x.clone(),
    "contiguous_of_transpose": lambda x: x.t().contiguous(),
    "reshape_of_transpose": lambda x: x.t().reshape(-1),
    "arith": lambda x: x + 0,
    "to_dtype": lambda x: x.double(),
    "index_list": lambda x: x[[0, 2]],
    "mask": lambda x: x[x > 3],
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_views_share_the_storage(name):
    f = VIEWS[name]
    a, t = both(np.arange(12, dtype=np.float32).reshape(3, 4))
    va, vt = f(a), f(t)
    shares = vt.untyped_storage().data_ptr() == t.untyped_storage().data_ptr()
    assert shares
    assert (va.untyped_storage().data_ptr() == a.untyped_storage().data_ptr()) == shares
    assert va.storage_offset() == vt.storage_offset()
    assert va.untyped_storage().nbytes() == vt.untyped_storage().nbytes()
    # the storage offset points at the view's first element
    if vt.numel():
        ts = va.storage() if va.dtype == a.dtype else None
        if ts is not None:
            assert ts[va.storage_offset()] == va.flatten()[0].item() == \
                vt.storage()[vt.storage_offset()]


@pytest.mark.parametrize("name", sorted(COPIES))
def test_copies_get_new_storage(name):
    f = COPIES[name]
    a, t = both(np.arange(12, dtype=np.float32).reshape(3, 4))
    assert f(t).untyped_storage().data_ptr() != t.untyped_storage().data_ptr()
    assert f(a).untyped_storage().data_ptr() != a.untyped_storage().data_ptr()
    assert f(a).storage_offset() == f(t).storage_offset() == 0


def test_from_numpy_and_numpy_share_the_array_memory():
    arr = np.arange(10, dtype=np.float64)
    a, b = numtorch.from_numpy(arr), numtorch.from_numpy(arr[3:])
    assert a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr() == arr.ctypes.data
    assert torch.from_numpy(arr).untyped_storage().data_ptr() == arr.ctypes.data
    # PyTorch's storage for from_numpy(view) starts at the view; numtorch's is the whole array
    # the view belongs to (its NumPy base), so the two tensors report the memory they share.
    assert b.storage_offset() == 3 and b.untyped_storage().nbytes() == arr.nbytes
    assert numtorch.from_numpy(a.numpy()).untyped_storage().data_ptr() == arr.ctypes.data
    # separately allocated arrays never share
    assert numtorch.from_numpy(arr.copy()).untyped_storage().data_ptr() != arr.ctypes.data


def test_the_tensor_views_docs_check():
    # PyTorch's "Tensor Views" page: t.storage().data_ptr() == b.storage().data_ptr()
    t = numtorch.rand(4, 4)
    b = t.view(2, 8)
    assert t.storage().data_ptr() == b.storage().data_ptr()
    b[0][0] = 3.14
    assert t[0][0].item() == pytest.approx(3.14)
    assert t.storage().data_ptr() != t.clone().storage().data_ptr()


def test_writes_through_the_storage_reach_the_tensor():
    a, t = both(np.zeros((2, 3), np.float32))
    for x in (a, t):
        x.untyped_storage()[4:8] = 0x3F  # bytes of 0x3F3F3F3F
        x.storage()[5] = 2.5
        x.untyped_storage()[0:4].fill_(0)
    assert a.tolist() == t.tolist()


# --- UntypedStorage construction ---------------------------------------------------------------


@pytest.mark.parametrize("arg", [[], [1, 2, 3], (1, 2), [-1, 256, 300], [True, False], b"ab",
                                 bytearray(b"xyz"), range(4)])
def test_untyped_storage_from_a_sequence(arg):
    s, r = numtorch.UntypedStorage(arg), torch.UntypedStorage(arg)
    assert s.tolist() == r.tolist() and repr(s) == _text(repr(r))


def test_untyped_storage_of_a_size():
    for n in (0, 3, np.int64(5)):
        s = numtorch.UntypedStorage(n)
        assert len(s) == len(torch.UntypedStorage(n)) and s.tolist() == [0] * int(n)
    assert len(numtorch.UntypedStorage(size=4)) == len(torch.UntypedStorage(size=4)) == 4
    assert len(numtorch.UntypedStorage()) == 0
    assert numtorch.UntypedStorage(2, device="cpu").device.type == "cpu"
    assert numtorch.UntypedStorage([1, 2]).resizable() is False  # numtorch's never grow


@pytest.mark.parametrize("arg", [1.5, "ab", None, True, [1.0], [np.int64(1)], [[1]]])
def test_untyped_storage_constructor_errors(arg):
    same_error(lambda: numtorch.UntypedStorage(arg), lambda: torch.UntypedStorage(arg))


def test_untyped_storage_constructor_errors_tensor_and_arity():
    same_error(lambda: numtorch.UntypedStorage(numtorch.tensor([1])),
               lambda: torch.UntypedStorage(torch.tensor([1])))
    same_error(lambda: numtorch.UntypedStorage(1, 2), lambda: torch.UntypedStorage(1, 2))
    with pytest.raises(RuntimeError, match="negative number"):
        numtorch.UntypedStorage(-1)


# --- UntypedStorage indexing ----------------------------------------------------------------


def _pair_storage():
    return numtorch.UntypedStorage([1, 2, 3, 4, 250]), torch.UntypedStorage([1, 2, 3, 4, 250])


@pytest.mark.parametrize("idx", [0, 3, -1, -5, np.int64(2), slice(1, 3), slice(None, -2),
                                 slice(3, 1), slice(0, 0), slice(-2, None), slice(None, 100),
                                 slice(7, 9), slice(None, None, 1)])
def test_untyped_getitem(idx):
    s, r = _pair_storage()
    got, want = s[idx], r[idx]
    if isinstance(idx, slice):
        assert type(got) is numtorch.UntypedStorage and got.tolist() == want.tolist()
        assert repr(got) == _text(repr(want))
    else:
        assert type(got) is int and got == want


@pytest.mark.parametrize("idx", [5, -6, 100, "a", 1.0, True, None, slice(0, 4, 2),
                                 slice(None, None, -1)])
def test_untyped_getitem_errors(idx):
    s, r = _pair_storage()
    same_error(lambda: s[idx], lambda: r[idx])
    if not isinstance(idx, (slice, int)):
        same_error(lambda: s[numtorch.tensor(1)], lambda: r[torch.tensor(1)])


def test_untyped_slice_shares_memory_and_starts_at_its_offset():
    a, t = both(np.arange(6, dtype=np.float32))
    for x in (a, t):
        s = x.untyped_storage()
        part = s[8:16]
        assert part.data_ptr() - s.data_ptr() == 8 and part.nbytes() == 8
        part.fill_(0)
        part[0] = 0x40  # not the first byte of a little-endian float: a tiny value
    assert a.tolist() == t.tolist()


@pytest.mark.parametrize("idx, value", [(0, 7), (1, 300), (4, -1), (2, True),
                                        (slice(1, 3), 9), (slice(5, 9), 1), (slice(-2, None), 8)])
def test_untyped_setitem(idx, value):
    s, r = _pair_storage()
    s[idx] = value
    r[idx] = value
    assert s.tolist() == r.tolist()


@pytest.mark.parametrize("idx, value", [(5, 1), (-6, 1), (-1, 1), ("a", 1), (slice(0, 4, 2), 1),
                                        (0, 1.5), (0, np.int64(5)), (0, None)])
def test_untyped_setitem_errors(idx, value):
    s, r = _pair_storage()
    same_error(lambda: s.__setitem__(idx, value), lambda: r.__setitem__(idx, value))
    assert s.tolist() == r.tolist() == [1, 2, 3, 4, 250]


def test_untyped_setitem_refuses_tensors_and_storages():
    s, r = _pair_storage()
    same_error(lambda: s.__setitem__(0, numtorch.tensor(5)),
               lambda: r.__setitem__(0, torch.tensor(5)))
    same_error(lambda: s.__setitem__(slice(0, 2), numtorch.UntypedStorage([9, 9])),
               lambda: r.__setitem__(slice(0, 2), torch.UntypedStorage([9, 9])))


# --- UntypedStorage methods -----------------------------------------------------------------


def test_untyped_fill_copy_clone():
    for value in (5, 300, -1, True):
        s, r = _pair_storage()
        assert s.fill_(value) is s and r.fill_(value) is r
        assert s.tolist() == r.tolist()
    s, r = _pair_storage()
    same_error(lambda: s.fill_(1.5), lambda: r.fill_(1.5))
    src = [9, 8, 7, 6, 5]
    assert s.copy_(numtorch.UntypedStorage(src)) is s
    r.copy_(torch.UntypedStorage(src))
    assert s.tolist() == r.tolist() == src
    c, d = s.clone(), r.clone()
    assert c.tolist() == d.tolist() and c.data_ptr() != s.data_ptr()
    assert s.cpu() is s and r.cpu() is r


def test_untyped_copy_from_a_typed_storage_and_errors():
    a, t = both(np.array([1.0, 2.0], np.float32))
    s, r = numtorch.UntypedStorage(8), torch.UntypedStorage(8)
    s.copy_(a.storage())
    r.copy_(t.storage())
    assert s.tolist() == r.tolist()
    for bad in ([1, 2], 3):
        same_error(lambda b=bad: s.copy_(b), lambda b=bad: r.copy_(b))
    same_error(lambda: s.copy_(numtorch.tensor([1])), lambda: r.copy_(torch.tensor([1])))
    same_error(lambda: s.copy_(numtorch.UntypedStorage(3)), lambda: r.copy_(torch.UntypedStorage(3)))


def test_untyped_copy_between_overlapping_parts_moves_the_bytes():
    # PyTorch copies forward byte by byte here (the source is overwritten as it is read);
    # NumPy copies overlapping memory through a buffer, so the result is the source's bytes.
    s = numtorch.UntypedStorage(list(range(8)))
    s[2:8].copy_(s[0:6])
    assert s.tolist() == [0, 1, 0, 1, 2, 3, 4, 5]


def test_untyped_flags_and_names():
    s, r = _pair_storage()
    assert (s.is_shared(), s.is_pinned(), s.is_cuda, s.get_device(), s.element_size()) == \
        (r.is_shared(), r.is_pinned(), r.is_cuda, r.get_device(), r.element_size())
    assert s.type() == _text(r.type()) and s.untyped() is s
    assert str(type(s)) == _text(str(type(r)))
    assert numtorch.is_storage(s) and numtorch.is_storage(numtorch.tensor([1]).storage())
    assert not numtorch.is_storage(numtorch.tensor([1]))
    assert bool(s) and not bool(numtorch.UntypedStorage(0))
    with pytest.raises(RuntimeError, match="Trying to resize storage that is not resizable"):
        s.resize_(10)


def test_untyped_copy_deepcopy_and_pickle_are_new_memory():
    a = numtorch.tensor([1.0, 2.0])
    s = a.untyped_storage()
    for c in (copy.copy(s), copy.deepcopy(s), pickle.loads(pickle.dumps(s))):
        assert type(c) is numtorch.UntypedStorage
        assert c.tolist() == s.tolist() and c.data_ptr() != s.data_ptr()
    typed = pickle.loads(pickle.dumps(a.storage()))
    assert typed.dtype is numtorch.float32 and typed.tolist() == [1.0, 2.0]


def test_untyped_casts_each_byte():
    s, r = _pair_storage()
    for name in ("float", "double", "long", "int", "bool", "byte", "char", "half", "short"):
        got, want = getattr(s, name)(), getattr(r, name)()
        assert got.tolist() == want.tolist() and repr(got) == _text(repr(want))


# --- TypedStorage ----------------------------------------------------------------------------


@pytest.mark.parametrize("dt", sorted(DTYPES))
def test_typed_storage_of_a_tensor(dt):
    a, t = both(_data(dt).reshape(2, 3))
    s, r = a.storage(), t.storage()
    assert type(s) is numtorch.TypedStorage
    assert repr(s) == _text(repr(r)) and str(s) == _text(str(r))
    assert s.dtype is DTYPES[dt][0] and r.dtype is DTYPES[dt][1]
    assert (s.size(), len(s), s.nbytes(), s.element_size()) == \
        (r.size(), len(r), r.nbytes(), r.element_size())
    assert s.tolist() == r.tolist() and list(s) == list(r)
    assert [type(v) for v in s.tolist()] == [type(v) for v in r.tolist()]
    for i in (0, 4, -1, -6):
        assert s[i] == r[i] and type(s[i]) is type(r[i])
    assert s.data_ptr() == a.untyped_storage().data_ptr()
    assert s.untyped() is a.untyped_storage() and s._untyped_storage is s.untyped()
    assert str(s.device) == str(r.device) and s.type() == _text(r.type())
    assert s.pickle_storage_type() == r.pickle_storage_type()
    assert (s.is_shared(), s.is_pinned(), s.is_cuda, s.get_device()) == \
        (r.is_shared(), r.is_pinned(), r.is_cuda, r.get_device())


def test_typed_storage_float_values_print_as_python_floats():
    a, t = both(np.array([0.1, np.nan, np.inf, 1e-10, 123456789.0], np.float32))
    assert repr(a.storage()) == _text(repr(t.storage()))
    a, t = both(np.zeros(0, np.int8))
    assert repr(a.storage()) == _text(repr(t.storage()))


@pytest.mark.parametrize("idx, value", [(0, 7.5), (-1, 2), (slice(1, 3), 9.0), (slice(None), 0),
                                        (2, True)])
def test_typed_setitem_writes_into_the_tensor(idx, value):
    a, t = both(np.arange(6, dtype=np.float32).reshape(2, 3))
    a.storage()[idx] = value
    t.storage()[idx] = value
    assert a.tolist() == t.tolist()


def test_typed_setitem_on_integers_truncates_as_torch():
    a, t = both(np.zeros(3, np.int32))
    a.storage()[0] = 2.7
    t.storage()[0] = 2.7
    assert a.tolist() == t.tolist()


@pytest.mark.parametrize("idx", [6, -7, "a", 1.0, np.int64(0), True, slice(0, 2)])
def test_typed_getitem_errors(idx):
    a, t = both(np.arange(6, dtype=np.float32))
    same_error(lambda: a.storage()[idx], lambda: t.storage()[idx])


def test_typed_setitem_errors():
    a, t = both(np.arange(6, dtype=np.float32))
    s, r = a.storage(), t.storage()
    for idx in ("a", 1.0, 10):
        same_error(lambda i=idx: s.__setitem__(i, 1), lambda i=idx: r.__setitem__(i, 1))
    same_error(lambda: s.__setitem__(0, s), lambda: r.__setitem__(0, r))
    assert a.tolist() == t.tolist()


def test_typed_fill_copy_clone_cpu_and_casts():
    a, t = both(np.arange(4, dtype=np.float32))
    s, r = a.storage(), t.storage()
    assert s.fill_(2) is s and r.fill_(2) is r
    assert a.tolist() == t.tolist()
    s.copy_(numtorch.tensor([1.0, 2, 3, 4]).storage())
    r.copy_(torch.tensor([1.0, 2, 3, 4]).storage())
    assert a.tolist() == t.tolist()
    c, d = s.clone(), r.clone()
    assert c.tolist() == d.tolist() and c.data_ptr() != s.data_ptr() and type(c) is type(s)
    assert s.cpu() is not s and s.cpu()._untyped_storage is s._untyped_storage
    assert copy.copy(s).data_ptr() != s.data_ptr() and copy.deepcopy(s).tolist() == s.tolist()
    for name in ("double", "long", "int", "bool", "half", "byte"):
        got, want = getattr(s, name)(), getattr(r, name)()
        assert repr(got) == _text(repr(want))
        assert got.data_ptr() != s.data_ptr()
    assert s.float().data_ptr() != s.data_ptr() and r.float().data_ptr() != r.data_ptr()


def test_typed_storage_constructors():
    cases = [((3,), {}), (([1, 2, 3],), {"dtype": "int32"}), ((), {}), (([1.5, 2],), {})]
    for args, kw in cases:
        dt = kw.get("dtype")
        s = numtorch.TypedStorage(*args, **({"dtype": getattr(numtorch, dt)} if dt else {}))
        r = torch.TypedStorage(*args, **({"dtype": getattr(torch, dt)} if dt else {}))
        assert len(s) == len(r) and str(s.dtype) == _text(str(r.dtype))
        if args and not isinstance(args[0], int):
            assert repr(s) == _text(repr(r))
    u = numtorch.UntypedStorage([0, 0, 128, 63])
    s = numtorch.TypedStorage(wrap_storage=u, dtype=numtorch.float32)
    r = torch.TypedStorage(wrap_storage=torch.UntypedStorage([0, 0, 128, 63]), dtype=torch.float32)
    assert s.tolist() == r.tolist() == [1.0] and s._untyped_storage is u
    same_error(lambda: numtorch.TypedStorage(1, 2), lambda: torch.TypedStorage(1, 2))
    same_error(lambda: numtorch.TypedStorage(1.5), lambda: torch.TypedStorage(1.5))
    same_error(lambda: numtorch.TypedStorage(wrap_storage=u),
               lambda: torch.TypedStorage(wrap_storage=torch.UntypedStorage(4)))


def test_legacy_storage_classes():
    for name in ("FloatStorage", "DoubleStorage", "HalfStorage", "LongStorage", "IntStorage",
                 "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage"):
        cls, ref = getattr(numtorch, name), getattr(torch, name)
        assert str(cls.dtype) == _text(str(ref.dtype)) and repr(cls) == _text(repr(ref))
        s, r = cls([1, 0, 1]), ref([1, 0, 1])
        assert type(s) is numtorch.TypedStorage and type(r) is torch.TypedStorage
        assert repr(s) == _text(repr(r)) and len(cls(4)) == len(ref(4)) == 4
        assert isinstance(s, cls) and isinstance(s, numtorch.TypedStorage)
        assert s.type() == _text(r.type()) == f"numtorch.{name}"
    assert isinstance(numtorch.tensor([1.0]).storage(), numtorch.FloatStorage)
    assert not isinstance(numtorch.tensor([1.0]).storage(), numtorch.DoubleStorage)
    assert issubclass(numtorch.FloatStorage, numtorch.TypedStorage)
    same_error(lambda: numtorch.FloatStorage(1.5), lambda: torch.FloatStorage(1.5))
    same_error(lambda: numtorch.FloatStorage(1, 2), lambda: torch.FloatStorage(1, 2))
    same_error(lambda: numtorch.FloatStorage(dtype=numtorch.int32),
               lambda: torch.FloatStorage(dtype=torch.int32))


def test_storage_warns_once_with_torchs_message():
    torch.storage._reset_warn_typed_storage_removal()
    nt_storage._reset_warn_typed_storage_removal()
    a, t = both(np.arange(3.0))
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        s = a.storage()
        len(s), s[0], repr(s), a.storage()
    with warnings.catch_warnings(record=True) as want:
        warnings.simplefilter("always")
        r = t.storage()
        len(r), r[0], repr(r), t.storage()
    assert [str(w.message) for w in got] == [str(w.message) for w in want]
    assert len(got) == 1 and got[0].category is UserWarning
    assert got[0].filename == __file__  # the user's line, not numtorch's
    nt_storage._set_always_warn_typed_storage_removal(True)
    try:
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            a.storage().size()
        assert len(got) == 2
    finally:
        nt_storage._set_always_warn_typed_storage_removal(False)


# --- Tensor.set_ ----------------------------------------------------------------------------


def _layout(x):
    return tuple(x.shape), x.stride(), x.storage_offset(), x.tolist()


SET_CASES = {
    "tensor": lambda src, us, M: (src,),
    "tensor_view": lambda src, us, M: (src[1:, 1:].t(),),
    "untyped": lambda src, us, M: (us,),
    "untyped_layout": lambda src, us, M: (us, 2, (2, 3)),
    "untyped_strided": lambda src, us, M: (us, 2, [2, 3], [1, 2]),
    "untyped_size": lambda src, us, M: (us, 1, M.Size([2, 2]), M.Size([1, 0])),
    "typed_layout": lambda src, us, M: (src.storage(), 1, (2,)),
    "tensor_layout": lambda src, us, M: (src, 3, (3,), (2,)),
    "slice_of_untyped": lambda src, us, M: (us[8:24],),
    "empty_size": lambda src, us, M: (us, 0, (0,)),
    "zero_dim": lambda src, us, M: (us, 5, ()),
    "stride_none": lambda src, us, M: (us, 1, (2,), None),
}


@pytest.mark.parametrize("name", sorted(SET_CASES))
def test_set_views_the_source(name):
    a, t = both(np.arange(12, dtype=np.float32).reshape(3, 4))
    outs = []
    for x, M in ((a, numtorch), (t, torch)):
        dst = M.empty(0)
        args = SET_CASES[name](x, x.untyped_storage(), M)
        assert dst.set_(*args) is dst
        outs.append(dst)
    da, dt = outs
    assert _layout(da) == _layout(dt)
    base_a = a.untyped_storage().data_ptr()
    base_t = t.untyped_storage().data_ptr()
    if da.numel():  # PyTorch's empty tensors have data_ptr 0
        assert (da.data_ptr() - base_a) == (dt.data_ptr() - base_t)
    if da.numel():
        da.view(-1)[:1].fill_(-1) if da.is_contiguous() else da.fill_(-1)
        dt.view(-1)[:1].fill_(-1) if dt.is_contiguous() else dt.fill_(-1)
        assert a.tolist() == t.tolist()  # the memory is shared
    if name == "slice_of_untyped":  # a storage slice is the new tensor's whole storage
        assert da.untyped_storage().nbytes() == dt.untyped_storage().nbytes() == 16
        assert da.storage_offset() == dt.storage_offset() == 0
    elif da.numel():
        assert da.untyped_storage().data_ptr() == base_a


def test_set_keywords_and_set_with_no_source():
    for M in (numtorch, torch):
        x = M.arange(6.0)
        d = M.empty(0).set_(source=x.untyped_storage(), storage_offset=1, size=(2,), stride=(2,))
        assert d.tolist() == [1.0, 3.0]
        e = M.ones(3).set_()
        assert tuple(e.shape) == (0,) and e.stride() == (1,) and e.storage_offset() == 0
        assert M.empty(0).set_(source=x).tolist() == x.tolist()


def test_set_with_untyped_storage_reinterprets_bytes():
    a, t = both(np.arange(4, dtype=np.float32))
    da = numtorch.empty(0, dtype=numtorch.int32).set_(a.untyped_storage(), 1, (2,))
    dt = torch.empty(0, dtype=torch.int32).set_(t.untyped_storage(), 1, (2,))
    assert _layout(da) == _layout(dt)


def test_set_is_set_to_and_version():
    for M in (numtorch, torch):
        src = M.arange(12.0).reshape(3, 4)
        d = M.zeros(3)
        v = d._version
        d.set_(src)
        assert d.is_set_to(src) and src.is_set_to(d) and d._version == v + 1
        e = M.zeros(3).set_(src.untyped_storage(), 4, (4,))
        assert e.is_set_to(src[1]) and not e.is_set_to(src)


def test_set_a_view_stops_being_a_view_in_numtorch():
    v = numtorch.zeros(4)
    w = v[1:]
    w.set_(numtorch.arange(3.0))
    w.add_(1)
    assert v.tolist() == [0.0] * 4 and w.tolist() == [1.0, 2.0, 3.0]


def test_set_on_a_leaf_that_requires_grad():
    src_a, src_t = both(np.arange(3, dtype=np.float32))
    la, lt = numtorch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    same_error(lambda: la.set_(src_a), lambda: lt.set_(src_t))
    with numtorch.no_grad():
        la.set_(src_a)
    with torch.no_grad():
        lt.set_(src_t)
    assert (la.requires_grad, la.is_leaf, la.tolist()) == (lt.requires_grad, lt.is_leaf,
                                                          lt.tolist())


SET_ERRORS = {
    "int": lambda src, us, M: (3,),
    "list": lambda src, us, M: ([1, 2],),
    "offset_only": lambda src, us, M: (us, 0),
    "float_offset": lambda src, us, M: (us, 0.5, (2,)),
    "bool_offset": lambda src, us, M: (us, True, (2,)),
    "int_size": lambda src, us, M: (us, 0, 2),
    "float_size": lambda src, us, M: (us, 0, (2.0,)),
    "int_stride": lambda src, us, M: (us, 1, (2,), 1),
    "too_many": lambda src, us, M: (us, 0, (2,), (1,), 5),
    "negative_offset": lambda src, us, M: (us, -1, (2,)),
    "negative_size": lambda src, us, M: (us, 0, (2, -1)),
    "negative_stride": lambda src, us, M: (us, 0, (2,), (-1,)),
    "stride_length": lambda src, us, M: (us, 0, (2, 3), (1,)),
    "out_of_slice": lambda src, us, M: (us[0:8], 1, (2,)),
    "typed_dtype": lambda src, us, M: (src.long().storage(),),
    "typed_dtype_layout": lambda src, us, M: (src.int().storage(), 0, (1,)),
    "tensor_dtype": lambda src, us, M: (src.double(),),
    "tensor_dtype_half": lambda src, us, M: (src.half(),),
}


@pytest.mark.parametrize("name", sorted(SET_ERRORS))
def test_set_errors(name):
    a, t = both(np.arange(12, dtype=np.float32))
    da, dt = numtorch.empty(0), torch.empty(0)
    same_error(lambda: da.set_(*SET_ERRORS[name](a, a.untyped_storage(), numtorch)),
               lambda: dt.set_(*SET_ERRORS[name](t, t.untyped_storage(), torch)))
    assert tuple(da.shape) == (0,)


def test_set_keyword_errors():
    a, t = both(np.arange(4, dtype=np.float32))
    same_error(lambda: numtorch.empty(0).set_(a.untyped_storage(), size=(2,)),
               lambda: torch.empty(0).set_(t.untyped_storage(), size=(2,)))
    with pytest.raises(TypeError, match=r"set_\(\) received an invalid combination of arg"):
        torch.empty(0).set_(source=t.untyped_storage(), storage_offset=1)
    with pytest.raises(TypeError, match=r"set_\(\) received an invalid combination of arg"):
        numtorch.empty(0).set_(source=a.untyped_storage(), storage_offset=1)


def test_set_past_the_end_raises_where_torch_would_grow_the_storage():
    # PyTorch resizes a tensor's own storage; NumPy memory cannot grow in place.
    a = numtorch.arange(4.0)
    with pytest.raises(RuntimeError, match="Trying to resize storage that is not resizable"):
        numtorch.empty(0).set_(a.untyped_storage(), 2, (3,))
    assert a.untyped_storage().resizable() is False


def test_save_load_keeps_tensors_set_to_one_storage_shared(tmp_path):
    a = numtorch.arange(8.0)
    b = numtorch.empty(0).set_(a.untyped_storage(), 2, (2, 3))
    path = tmp_path / "shared.pt"
    numtorch.save({"a": a, "b": b}, path)
    for lib in (numtorch, torch):
        got = lib.load(path)
        assert got["b"].tolist() == b.tolist() and got["b"].storage_offset() == 2
        assert got["a"].untyped_storage().data_ptr() == got["b"].untyped_storage().data_ptr()


def test_set_cuts_a_non_leaf_off_its_graph():
    # PyTorch leaves such a tensor with an unusable grad_fn; numtorch makes it a plain leaf.
    x = numtorch.ones(2, requires_grad=True) * 2
    x.set_(numtorch.arange(3.0))
    assert x.grad_fn is None and not x.requires_grad and x.is_leaf
    assert x.tolist() == [0.0, 1.0, 2.0]
