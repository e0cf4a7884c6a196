"""The user's tutorial notes (sections "1. Tensors" and "5. Automatic Differentiation"),
run with ``import numtorch as torch``. Each block prints what the notes show; where the
notes print random numbers, the printed form is checked (digits come from issue 5's RNG).
"""

import contextlib
import io
import re
import textwrap

import numpy as np

import numtorch as torch


def run(code: str) -> str:
    """Execute a tutorial block the way the notes do and return what it printed."""
    out = io.StringIO()
    env = {"torch": torch, "np": np}
    with contextlib.redirect_stdout(out):
        exec(textwrap.dedent(code), env)
    return out.getvalue()


def test_initialising_tensors():
    printed = run("""
        data = [[1, 2],[3, 4]]
        x_data = torch.tensor(data)
        print(x_data)
        np_array = np.array(data)
        x_np = torch.from_numpy(np_array)
        print(x_np)
        x_ones = torch.ones_like(x_data) # retains the properties of x_data
        print(f"Ones Tensor: \\n {x_ones} \\n")
        x_rand = torch.rand_like(x_data, dtype=torch.float) # overrides the datatype of x_data
        print(f"Random Tensor: \\n {x_rand} \\n")
    """)
    assert printed.startswith(
        "tensor([[1, 2],\n        [3, 4]])\n"
        "tensor([[1, 2],\n        [3, 4]])\n"
        "Ones Tensor: \n tensor([[1, 1],\n        [1, 1]]) \n\n"
    )
    assert re.search(r"Random Tensor: \n tensor\(\[\[0\.\d{4}, 0\.\d{4}\],\n"
                     r"        \[0\.\d{4}, 0\.\d{4}\]\]\) \n", printed)


def test_random_and_constant_values():
    printed = run("""
        shape = (2,3,)
        rand_tensor = torch.rand(shape)
        ones_tensor = torch.ones(shape)
        zeros_tensor = torch.zeros(shape)

        print(f"Random Tensor: \\n {rand_tensor} \\n")
        print(f"Ones Tensor: \\n {ones_tensor} \\n")
        print(f"Zeros Tensor: \\n {zeros_tensor}")
    """)
    assert re.match(r"Random Tensor: \n tensor\(\[\[0\.\d{4}, 0\.\d{4}, 0\.\d{4}\],\n"
                    r"        \[0\.\d{4}, 0\.\d{4}, 0\.\d{4}\]\]\) \n\n", printed)
    assert printed.endswith(
        "Ones Tensor: \n tensor([[1., 1., 1.],\n        [1., 1., 1.]]) \n\n"
        "Zeros Tensor: \n tensor([[0., 0., 0.],\n        [0., 0., 0.]])\n"
    )


def test_attributes():
    printed = run("""
        tensor = torch.rand(3,4)

        print(f"Shape of tensor: {tensor.shape}")
        print(f"Datatype of tensor: {tensor.dtype}")
        print(f"Device tensor is stored on: {tensor.device}")
        if torch.cuda.is_available():
            tensor = tensor.to("cuda")
    """)
    assert printed == ("Shape of tensor: numtorch.Size([3, 4])\n"
                       "Datatype of tensor: numtorch.float32\n"
                       "Device tensor is stored on: cpu\n")


def test_indexing_slicing_and_cat():
    printed = run("""
        torch.manual_seed(2024) #随机数种子
        tensor = torch.rand(4, 2)
        print(tensor)

        print(f"First row: {tensor[0]}")
        print(f"First column: {tensor[:, 0]}")
        print(f"Last column: {tensor[..., -1]}")
        tensor[:,1] = 0
        print(tensor)
        t0=torch.cat([tensor, tensor], dim=0)
        print(tensor.shape)
        print(t0.shape)
        t1 = torch.cat([tensor, tensor, tensor], dim=1)
        print(t1.shape)
        print(t1)
    """)
    num = r"0\.\d{4}"
    assert re.match(
        rf"tensor\(\[\[{num}, {num}\],\n        \[{num}, {num}\],\n"
        rf"        \[{num}, {num}\],\n        \[{num}, {num}\]\]\)\n"
        rf"First row: tensor\(\[{num}, {num}\]\)\n"
        rf"First column: tensor\(\[{num}, {num}, {num}, {num}\]\)\n"
        rf"Last column: tensor\(\[{num}, {num}, {num}, {num}\]\)\n"
        rf"tensor\(\[\[{num}, 0\.0000\],\n", printed)
    assert "numtorch.Size([4, 2])\nnumtorch.Size([8, 2])\nnumtorch.Size([4, 6])\n" in printed
    assert re.search(rf"tensor\(\[\[{num}, 0\.0000, {num}, 0\.0000, {num}, 0\.0000\],", printed)


def test_matrix_multiplication_three_ways():
    printed = run("""
        tensor=torch.tensor([[0, 1, 2], [3, 4, 5]])
        print(tensor)
        print(tensor.T) #求转置
        y1 = tensor @ tensor.T #@表示矩阵乘法
        print(y1)
        y2 = tensor.matmul(tensor.T)
        print(y2)
        y3 = torch.ones(y1.shape, dtype=torch.int64)
        print(y3, y3.dtype)
        torch.matmul(tensor, tensor.T, out=y3)
        print(y3)
    """)
    assert printed == (
        "tensor([[0, 1, 2],\n        [3, 4, 5]])\n"
        "tensor([[0, 3],\n        [1, 4],\n        [2, 5]])\n"
        "tensor([[ 5, 14],\n        [14, 50]])\n"
        "tensor([[ 5, 14],\n        [14, 50]])\n"
        "tensor([[1, 1],\n        [1, 1]]) numtorch.int64\n"
        "tensor([[ 5, 14],\n        [14, 50]])\n"
    )


def test_rand_like_on_integers_fails_as_in_the_notes():
    import pytest

    t = torch.tensor([[0, 1, 2], [3, 4, 5]])
    with pytest.raises(RuntimeError, match="\"check_uniform_bounds\" not implemented for 'Long'"):
        torch.rand_like(t)
    with pytest.raises(TypeError, match="missing 1 required positional arguments: \"high\""):
        torch.randint_like(t, dtype=torch.int64)


def test_elementwise_product_three_ways():
    printed = run("""
        tensor=torch.tensor([[0,1,2], [3,4,5]])
        print(tensor, tensor.dtype)
        z1 = tensor * tensor
        print(z1)
        z2 = tensor.mul(tensor)
        print(z2)
        z3 = torch.ones(tensor.shape, dtype=torch.int64)
        torch.mul(tensor, tensor, out=z3)
        print(z3)
    """)
    square = "tensor([[ 0,  1,  4],\n        [ 9, 16, 25]])\n"
    assert printed == ("tensor([[0, 1, 2],\n        [3, 4, 5]]) numtorch.int64\n"
                       + square * 3)


def test_single_element_tensors_and_in_place():
    printed = run("""
        tensor=torch.tensor([[0,1,2], [3,4,5]])
        agg = tensor.sum()
        print(agg, type(agg), agg.dtype)
        agg_item = agg.item()
        print(agg_item, type(agg_item))
        print(f"{tensor} \\n")
        tensor.add_(5)
        print(tensor)
    """)
    assert printed == (
        "tensor(15) <class 'numtorch.Tensor'> numtorch.int64\n"
        "15 <class 'int'>\n"
        "tensor([[0, 1, 2],\n        [3, 4, 5]]) \n\n"
        "tensor([[ 5,  6,  7],\n        [ 8,  9, 10]])\n"
    )


def test_numpy_bridge():
    printed = run("""
        t = torch.ones(5)
        print(f"t: {t}")
        n = t.numpy()
        print(f"n: {n}")
        t.add_(1)
        print(f"t: {t}")
        print(f"n: {n}")
        n = np.ones(5)
        t = torch.from_numpy(n)
        print(n)
        print(t)
        np.add(n, 1, out=n)
        print(f"t: {t}")
        print(f"n: {n}")
    """)
    assert printed == (
        "t: tensor([1., 1., 1., 1., 1.])\n"
        "n: [1. 1. 1. 1. 1.]\n"
        "t: tensor([2., 2., 2., 2., 2.])\n"
        "n: [2. 2. 2. 2. 2.]\n"
        "[1. 1. 1. 1. 1.]\n"
        "tensor([1., 1., 1., 1., 1.], dtype=numtorch.float64)\n"
        "t: tensor([2., 2., 2., 2., 2.], dtype=numtorch.float64)\n"
        "n: [2. 2. 2. 2. 2.]\n"
    )


AUTOGRAD_SETUP = """
    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w)+b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
"""


def _bce_available() -> bool:
    return hasattr(torch, "nn") and hasattr(torch.nn, "functional")


def test_autograd_graph_gradients_and_no_grad():
    setup = AUTOGRAD_SETUP
    if not _bce_available():
        # nn.functional arrives with the nn issue; the same loss from primitives meanwhile.
        setup = setup.replace(
            "loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)",
            "loss = (z.relu() - z * y + (1 + (-z.abs()).exp()).log()).mean()")
    printed = run(setup + """
    print(f"Gradient function for z = {z.grad_fn}")
    print(f"Gradient function for loss = {loss.grad_fn}")
    loss.backward()
    print(w.grad)
    print(b.grad)
    z = torch.matmul(x, w)+b
    print(z.requires_grad)
    with torch.no_grad():
        z = torch.matmul(x, w)+b
    print(z.requires_grad)
    z = torch.matmul(x, w)+b
    z_det = z.detach()
    print(z_det.requires_grad)
    """)
    lines = printed.splitlines()
    assert re.fullmatch(r"Gradient function for z = <AddBackward0 object at 0x[0-9a-f]+>",
                        lines[0])
    name = "BinaryCrossEntropyWithLogitsBackward0" if _bce_available() else "MeanBackward0"
    assert re.fullmatch(rf"Gradient function for loss = <{name} object at 0x[0-9a-f]+>",
                        lines[1])
    row = r"\[-?0\.\d{4}, +-?0\.\d{4}, +-?0\.\d{4}\]"
    assert re.fullmatch(rf"tensor\(\[{row},", lines[2])
    assert all(re.fullmatch(rf" {{8}}{row}[,\]]\)?", ln) for ln in lines[3:7])
    # every row of w.grad equals b.grad (x is all ones)
    assert lines[2][len("tensor(["):] .rstrip(",") == lines[7][len("tensor("):].rstrip(")")
    assert lines[8:] == ["True", "False", "False"]


def test_autograd_gradient_values_match_torch_reference():
    from tests.utils import torch as ref

    w0 = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    b0 = np.random.default_rng(1).standard_normal(3).astype(np.float32)

    def grads(lib, loss_fn):
        x, y = lib.ones(5), lib.zeros(3)
        w = lib.tensor(w0, requires_grad=True)
        b = lib.tensor(b0, requires_grad=True)
        z = lib.matmul(x, w) + b
        loss_fn(z, y).backward()
        return w.grad.numpy(), b.grad.numpy()

    def bce(z, y):
        return (z.relu() - z * y + (1 + (-z.abs()).exp()).log()).mean()

    got = grads(torch, bce)
    want = grads(ref, ref.nn.functional.binary_cross_entropy_with_logits)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-5, atol=1e-6)


def test_backward_twice_needs_retain_graph():
    import pytest

    x = torch.ones(5)
    w = torch.randn(5, 3, requires_grad=True)
    loss = (torch.matmul(x, w).exp()).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        loss.backward()
