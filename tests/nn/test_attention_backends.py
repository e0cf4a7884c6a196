"""numtorch.nn.attention (sdpa_kernel, SDPBackend) and the attention switches of
backends.cuda, against torch 2.13's CPU build: which backends are listed, what
scaled_dot_product_attention refuses with math switched off, and the warnings and errors."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.attention as TA

import numtorch
import numtorch.nn.attention as NA


def _names(backends):
    return [b.name for b in backends]


def test_backends_are_torchs():
    assert [(b.name, b.value) for b in NA.SDPBackend] == \
        [(b.name, b.value) for b in TA.SDPBackend.__members__.values()]
    assert repr(NA.SDPBackend.MATH) == repr(TA.SDPBackend.MATH)
    assert str(NA.SDPBackend.FLASH_ATTENTION) == str(TA.SDPBackend.FLASH_ATTENTION)
    assert NA.WARN_FOR_UNFUSED_KERNELS == TA.WARN_FOR_UNFUSED_KERNELS
    assert numtorch.nn.attention is NA


@pytest.mark.parametrize("names, priority", [
    (["MATH"], False), (["FLASH_ATTENTION"], False), (["MATH", "EFFICIENT_ATTENTION"], False),
    ([], False), (["ERROR"], False), (["MATH", "FLASH_ATTENTION"], True),
    (["CUDNN_ATTENTION", "MATH"], True), (["OVERRIDEABLE"], True),
])
def test_sdpa_kernel_enables_the_listed_backends(names, priority):
    seen = []
    for A in (NA, TA):
        chosen = [getattr(A.SDPBackend, n) for n in names]
        arg = chosen[0] if len(chosen) == 1 else chosen
        with A.sdpa_kernel(arg, set_priority=priority):
            seen.append((_names(A._cur_sdpa_kernel_backends()),
                         _names(A._cur_sdpa_kernel_backends(with_priority=True))))
        seen.append((_names(A._cur_sdpa_kernel_backends()),
                     _names(A._cur_sdpa_kernel_backends(with_priority=True))))
    assert seen[:2] == seen[2:]


def test_backends_cuda_switches_follow_sdpa_kernel():
    for lib, A in ((numtorch, NA), (torch, TA)):
        cuda = lib.backends.cuda
        assert (cuda.flash_sdp_enabled(), cuda.math_sdp_enabled(),
                cuda.mem_efficient_sdp_enabled(), cuda.cudnn_sdp_enabled()) == (True,) * 4
        with A.sdpa_kernel(A.SDPBackend.MATH):
            assert (cuda.flash_sdp_enabled(), cuda.math_sdp_enabled()) == (False, True)
        cuda.enable_math_sdp(False)
        try:
            assert _names(A._cur_sdpa_kernel_backends()) == [
                "CUDNN_ATTENTION", "FLASH_ATTENTION", "EFFICIENT_ATTENTION", "OVERRIDEABLE"]
        finally:
            cuda.enable_math_sdp(True)
        assert cuda.math_sdp_enabled()


def test_switches_come_back_after_an_error():
    with pytest.raises(ValueError):
        with NA.sdpa_kernel(NA.SDPBackend.EFFICIENT_ATTENTION, set_priority=True):
            raise ValueError
    assert len(NA._cur_sdpa_kernel_backends()) == 5
    assert _names(NA._cur_sdpa_kernel_backends(with_priority=True)) == _names(
        TA._cur_sdpa_kernel_backends(with_priority=True))


@pytest.mark.parametrize("arg", ["math", 3, None, ("MATH",)])
def test_sdpa_kernel_refuses_what_is_not_a_backend(arg):
    errors = []
    for A in (NA, TA):
        value = tuple(getattr(A.SDPBackend, n) for n in arg) if isinstance(arg, tuple) else arg
        with pytest.raises(AssertionError) as e:
            with A.sdpa_kernel(value):
                pass
        errors.append(str(e.value))
    assert errors[0] == errors[1]


def _qkv(lib, shapes, stride=False):
    rng = np.random.default_rng(0)
    out = [lib.tensor(rng.standard_normal(s).astype(np.float32)) for s in shapes]
    if stride:
        out[0] = out[0][..., ::2]
    return out


CASES = {
    "plain": ([(1, 2, 4, 8), (1, 2, 5, 8), (1, 2, 5, 8)], {}),
    "dropout": ([(1, 2, 4, 8), (1, 2, 5, 8), (1, 2, 5, 8)], {"dropout_p": 0.5}),
    "3-d": ([(2, 4, 8), (2, 5, 8), (2, 5, 8)], {}),
    "mixed dims": ([(2, 4, 8), (1, 2, 5, 8), (1, 2, 5, 8)], {}),
    "batch": ([(2, 2, 4, 8), (1, 2, 5, 8), (1, 2, 5, 8)], {}),
    "heads": ([(1, 2, 4, 8), (1, 3, 5, 8), (1, 3, 5, 8)], {}),
    "gqa": ([(1, 4, 4, 8), (1, 2, 5, 8), (1, 2, 5, 8)], {"enable_gqa": True}),
    "gqa indivisible": ([(1, 3, 4, 8), (1, 2, 5, 8), (1, 2, 5, 8)], {"enable_gqa": True}),
    "head dim": ([(1, 2, 4, 8), (1, 2, 5, 8), (1, 2, 5, 6)], {}),
    "stride": ([(1, 2, 4, 16), (1, 2, 5, 8), (1, 2, 5, 8)], {}),
    "2-d mask": ([(1, 2, 4, 8), (1, 2, 5, 8), (1, 2, 5, 8)], {"mask": (4, 5)}),
    "4-d mask": ([(2, 2, 4, 8), (2, 2, 5, 8), (2, 2, 5, 8)], {"mask": (2, 1, 4, 5)}),
    "3-d mask": ([(1, 2, 4, 8), (1, 2, 5, 8), (1, 2, 5, 8)], {"mask": (2, 4, 5)}),
    "causal": ([(1, 2, 4, 8), (1, 2, 5, 8), (1, 2, 5, 8)], {"is_causal": True}),
}


@pytest.mark.parametrize("backends", [["FLASH_ATTENTION"], ["EFFICIENT_ATTENTION"], [],
                                      ["CUDNN_ATTENTION", "OVERRIDEABLE"]])
@pytest.mark.parametrize("case", sorted(CASES))
def test_attention_without_math_refuses_as_torch(case, backends):
    shapes, kw = CASES[case]
    outcomes = []
    for lib, A in ((numtorch, NA), (torch, TA)):
        q, k, v = _qkv(lib, shapes, stride=case == "stride")
        kw2 = dict(kw)
        if "mask" in kw2:
            kw2["attn_mask"] = lib.ones(kw2.pop("mask"), dtype=lib.bool)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with A.sdpa_kernel([getattr(A.SDPBackend, n) for n in backends]):
                try:
                    out = lib.nn.functional.scaled_dot_product_attention(q, k, v, **kw2)
                    result = ("ok", tuple(out.shape), out.detach().numpy().copy())
                except RuntimeError as e:
                    result = ("error", str(e), None)
        said = [str(w.message).split(" (Triggered")[0] for w in caught]
        outcomes.append((result, said))
    (ours, our_warnings), (ref, ref_warnings) = outcomes
    assert ours[:2] == ref[:2]
    assert our_warnings == ref_warnings
    if ours[0] == "ok":  # PyTorch's fused kernel rounds differently from the math one
        np.testing.assert_allclose(ours[2], ref[2], rtol=1e-5, atol=1e-6)
