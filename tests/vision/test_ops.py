"""numtorch.vision.ops against torchvision's definitions, written here with torch
primitives (torchvision itself is not installed): the box ops and losses as torchvision
composes them, and the C++ kernels (nms, RoI ops) as slow loops over their definitions."""

import math

import numpy as np
import pytest
import torch

import numtorch
from numtorch.vision import ops

RNG = np.random.default_rng(0)


def nt(a, requires_grad=False):
    return numtorch.tensor(np.asarray(a), requires_grad=requires_grad)


def th(a, requires_grad=False):
    return torch.tensor(np.asarray(a), requires_grad=requires_grad)


def random_boxes(n, dtype=np.float32, size=20.0):
    xy = RNG.uniform(0, size, (n, 2))
    wh = RNG.uniform(1, size / 2, (n, 2))
    return np.concatenate([xy, xy + wh], axis=1).astype(dtype)


def assert_close(a, b, rtol=1e-6, atol=1e-6):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


# --- torchvision's box compositions, with torch primitives ------------------------------

def ref_area(b):
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def ref_inter_union(b1, b2):
    lt = torch.max(b1[:, None, :2], b2[:, :2])
    rb = torch.min(b1[:, None, 2:], b2[:, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    return inter, ref_area(b1)[:, None] + ref_area(b2) - inter


def ref_box_iou(b1, b2):
    inter, union = ref_inter_union(b1, b2)
    return inter / union


def ref_enclosing_wh(b1, b2):
    lti = torch.min(b1[:, None, :2], b2[:, :2])
    rbi = torch.max(b1[:, None, 2:], b2[:, 2:])
    return (rbi - lti).clamp(min=0)


def ref_giou(b1, b2):
    inter, union = ref_inter_union(b1, b2)
    whi = ref_enclosing_wh(b1, b2)
    areai = whi[:, :, 0] * whi[:, :, 1]
    return inter / union - (areai - union) / areai


def ref_diou_iou(b1, b2, eps=1e-7):
    iou = ref_box_iou(b1, b2)
    whi = ref_enclosing_wh(b1, b2)
    diag = whi[:, :, 0] ** 2 + whi[:, :, 1] ** 2 + eps
    xp, yp = (b1[:, 0] + b1[:, 2]) / 2, (b1[:, 1] + b1[:, 3]) / 2
    xg, yg = (b2[:, 0] + b2[:, 2]) / 2, (b2[:, 1] + b2[:, 3]) / 2
    cd = (xp[:, None] - xg[None, :]) ** 2 + (yp[:, None] - yg[None, :]) ** 2
    return iou - cd / diag, iou


def ref_ciou(b1, b2, eps=1e-7):
    diou, iou = ref_diou_iou(b1, b2, eps)
    wp, hp = b1[:, None, 2] - b1[:, None, 0], b1[:, None, 3] - b1[:, None, 1]
    wg, hg = b2[:, 2] - b2[:, 0], b2[:, 3] - b2[:, 1]
    v = (4 / math.pi ** 2) * torch.pow(torch.atan(wp / hp) - torch.atan(wg / hg), 2)
    with torch.no_grad():
        alpha = v / (1 - iou + v + eps)
    return diou - alpha * v


PAIRWISE = [
    (ops.box_iou, ref_box_iou),
    (ops.generalized_box_iou, ref_giou),
    (ops.distance_box_iou, lambda a, b: ref_diou_iou(a, b)[0]),
    (ops.complete_box_iou, ref_ciou),
]


@pytest.mark.parametrize("ours,ref", PAIRWISE, ids=lambda f: getattr(f, "__name__", ""))
def test_pairwise_iou_values_and_gradients_match_torchvision(ours, ref):
    a, b = random_boxes(5), random_boxes(7)
    a[1] = b[2]  # an exact match: IoU 1
    na, nb = nt(a, True), nt(b, True)
    ta, tb = th(a, True), th(b, True)
    out, expected = ours(na, nb), ref(ta, tb)
    assert tuple(out.shape) == (5, 7) and out.dtype == numtorch.float32
    if ours is ops.complete_box_iou:  # atan rounds differently in the last bit
        assert_close(out, expected, rtol=1e-5, atol=1e-6)
    else:  # the same float32 operations in the same order: the same bits
        assert out.tolist() == expected.tolist()
    g = RNG.standard_normal((5, 7)).astype(np.float32)
    out.backward(nt(g))
    expected.backward(th(g))
    assert_close(na.grad, ta.grad, rtol=1e-4, atol=1e-5)
    assert_close(nb.grad, tb.grad, rtol=1e-4, atol=1e-5)


# complete_box_iou treats alpha as a constant, so finite differences disagree by design.
@pytest.mark.parametrize("fn", [ops.box_iou, ops.generalized_box_iou, ops.distance_box_iou])
def test_pairwise_iou_gradcheck(fn):
    a, b = random_boxes(3, np.float64), random_boxes(4, np.float64)
    assert numtorch.autograd.gradcheck(fn, (nt(a, True), nt(b, True)))


def test_box_area_and_iou_upcast_small_integer_boxes():
    boxes = np.array([[0, 0, 200, 100]], dtype=np.uint8)
    area = ops.box_area(nt(boxes))
    assert area.dtype == numtorch.int32 and area.tolist() == [20000]
    half = ops.box_iou(nt(boxes.astype(np.float16)), nt(boxes.astype(np.float16)))
    assert half.dtype == numtorch.float32 and half.tolist() == [[1.0]]


@pytest.mark.parametrize("in_fmt,out_fmt", [(i, o) for i in ("xyxy", "xywh", "cxcywh")
                                            for o in ("xyxy", "xywh", "cxcywh")])
def test_box_convert_round_trips_and_matches_the_formulas(in_fmt, out_fmt):
    xyxy = random_boxes(6)
    x1, y1, x2, y2 = xyxy.T
    forms = {"xyxy": xyxy, "xywh": np.stack([x1, y1, x2 - x1, y2 - y1], 1),
             "cxcywh": np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], 1)}
    out = ops.box_convert(nt(forms[in_fmt]), in_fmt, out_fmt)
    np.testing.assert_allclose(out.numpy(), forms[out_fmt], rtol=1e-5, atol=1e-5)


def ref_rotated(boxes, in_fmt, out_fmt):
    """torchvision's rotated conversions, with torch primitives."""
    def cos_sin(r):
        r = r * torch.pi / 180.0
        return torch.cos(r), torch.sin(r)

    def to_xywhr(b):
        if in_fmt == "cxcywhr":
            cx, cy, w, h, r = b.unbind(-1)
            c, s = cos_sin(r)
            return torch.stack((cx - w / 2 * c - h / 2 * s, cy - h / 2 * c + w / 2 * s, w, h, r),
                               -1)
        if in_fmt == "xyxyxyxy":
            x1, y1, x3, y3, x2, y2, x4, y4 = b.unbind(-1)
            r = torch.atan2(y1 - y3, x3 - x1) * 180 / torch.pi
            return torch.stack((x1, y1, ((x3 - x1) ** 2 + (y1 - y3) ** 2).sqrt(),
                                ((x3 - x2) ** 2 + (y3 - y2) ** 2).sqrt(), r), -1)
        return b

    b = to_xywhr(boxes)
    x1, y1, w, h, r = b.unbind(-1)
    c, s = cos_sin(r)
    if out_fmt == "cxcywhr":
        return torch.stack([x1 + w / 2 * c + h / 2 * s, y1 - w / 2 * s + h / 2 * c, w, h, r], -1)
    if out_fmt == "xyxyxyxy":
        x3, y3 = x1 + w * c, y1 - w * s
        return torch.stack((x1, y1, x3, y3, x3 + h * s, y3 + h * c, x1 + h * s, y1 + h * c), -1)
    return b


@pytest.mark.parametrize("in_fmt,out_fmt", [(i, o) for i in ("xywhr", "cxcywhr", "xyxyxyxy")
                                            for o in ("xywhr", "cxcywhr", "xyxyxyxy")
                                            if i != o])
def test_box_convert_rotated_formats(in_fmt, out_fmt):
    xywhr = np.concatenate([random_boxes(6)[:, :4], RNG.uniform(-90, 90, (6, 1))], 1)
    start = ref_rotated(th(xywhr.astype(np.float64)), "xywhr", in_fmt).float()
    out = ops.box_convert(nt(start.numpy(), True), in_fmt, out_fmt)
    assert_close(out, ref_rotated(start, in_fmt, out_fmt), rtol=1e-5, atol=1e-4)
    out.sum().backward()  # differentiable, like any composition of Tensor ops
    with pytest.raises(NotImplementedError, match="in_fmt xyxy and out_fmt xywhr"):
        ops.box_convert(nt(random_boxes(1)), "xyxy", "xywhr")


def test_box_convert_rejects_unknown_formats():
    with pytest.raises(ValueError, match="Unsupported Bounding Box Conversions for given "
                                         "in_fmt xyxy and out_fmt xyz"):
        ops.box_convert(nt(random_boxes(1)), "xyxy", "xyz")


def test_clip_and_remove_small_boxes():
    boxes = np.array([[-3, 2, 50, 9], [1, 1, 1.5, 30], [4, -1, 9, 4]], np.float32)
    clipped = ops.clip_boxes_to_image(nt(boxes), (10, 20))
    expected = th(boxes)
    expected[:, 0::2] = expected[:, 0::2].clamp(0, 20)
    expected[:, 1::2] = expected[:, 1::2].clamp(0, 10)
    assert clipped.tolist() == expected.tolist()
    assert ops.remove_small_boxes(nt(boxes), 1.0).tolist() == [0, 2]
    assert ops.remove_small_boxes(nt(boxes), 1.0).dtype == numtorch.int64


def test_masks_to_boxes_is_the_tightest_box_around_nonzero_pixels():
    masks = np.zeros((3, 7, 9), np.uint8)
    masks[0, 2:5, 3:8] = 1
    masks[1, 6, 0] = 1
    masks[2, 0:7, 4] = 1
    masks[2, 3, 1] = 5
    out = ops.masks_to_boxes(nt(masks))
    assert out.dtype == numtorch.float32
    assert out.tolist() == [[3, 2, 7, 4], [0, 6, 0, 6], [1, 0, 4, 6]]
    assert tuple(ops.masks_to_boxes(numtorch.zeros(0, 4, 4)).shape) == (0, 4)
    # A mask with no pixel set fails as torchvision's does: min() of an empty selection.
    masks[1] = 0
    with pytest.raises(RuntimeError, match="Expected reduction dim to be specified"):
        ops.masks_to_boxes(nt(masks))
    with pytest.raises(RuntimeError, match="Expected reduction dim to be specified"):
        torch.min(torch.where(torch.from_numpy(masks[1]) != 0)[1])


# --- nms: the C++ kernel's loop, in the test ------------------------------------------

def ref_nms(boxes, scores, thr):
    """torchvision's CPU nms, element by element, in the boxes' dtype."""
    b = boxes.numpy()
    order = torch.sort(torch.from_numpy(scores.numpy()), stable=True, descending=True)[1]
    areas = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    suppressed = [False] * len(b)
    keep = []
    zero = b.dtype.type(0)
    for pos, i in enumerate(order.tolist()):
        if suppressed[i]:
            continue
        keep.append(i)
        for j in order.tolist()[pos + 1:]:
            if suppressed[j]:
                continue
            w = max(zero, min(b[i, 2], b[j, 2]) - max(b[i, 0], b[j, 0]))
            h = max(zero, min(b[i, 3], b[j, 3]) - max(b[i, 1], b[j, 1]))
            inter = w * h
            if float(inter / (areas[i] + areas[j] - inter)) > thr:  # float IoU, double thr
                suppressed[j] = True
    return keep


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("thr", [0.0, 0.3, 0.5, 0.9])
def test_nms_keeps_what_the_kernel_keeps(dtype, thr):
    boxes = random_boxes(60, dtype)
    scores = RNG.integers(0, 8, 60).astype(dtype)  # many ties: stable order matters
    keep = ops.nms(nt(boxes), nt(scores), thr)
    assert keep.dtype == numtorch.int64
    assert keep.tolist() == ref_nms(nt(boxes), nt(scores), thr)


def test_nms_compares_a_float32_iou_with_the_threshold_in_double():
    # IoU 30 / 100 rounds to float32(0.3) = 0.30000001..., which exceeds the double 0.3 the
    # kernel compares it with: the second box is suppressed.
    boxes = nt(np.array([[0, 0, 10, 10], [0, 0, 10, 3]], np.float32))
    scores = nt(np.array([0.9, 0.8], np.float32))
    assert ops.nms(boxes, scores, 0.3).tolist() == [0]
    assert ops.nms(boxes, scores, 0.3).tolist() == ref_nms(boxes, scores, 0.3)
    assert ops.nms(boxes.double(), scores.double(), 0.3).tolist() == [0, 1]  # exactly 0.3


def test_nms_visits_nan_scores_first_as_torchs_sort_orders_them():
    boxes = nt(np.array([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]], np.float32))
    scores = nt(np.array([0.9, np.nan, 0.5], np.float32))
    assert ops.nms(boxes, scores, 0.5).tolist() == [1, 2]
    assert ref_nms(boxes, scores, 0.5) == [1, 2]


def test_nms_empty_and_errors():
    empty = ops.nms(numtorch.zeros(0, 4), numtorch.zeros(0), 0.5)
    assert empty.dtype == numtorch.int64 and tuple(empty.shape) == (0,)
    with pytest.raises(NotImplementedError, match="\"nms_kernel\" not implemented for 'Long'"):
        ops.nms(numtorch.zeros(2, 4, dtype=numtorch.int64), numtorch.zeros(2), 0.5)
    with pytest.raises(RuntimeError, match="boxes should be a 2d tensor, got 1D"):
        ops.nms(numtorch.zeros(4), numtorch.zeros(1), 0.5)
    with pytest.raises(RuntimeError, match="boxes should have 4 elements in dimension 1, got 5"):
        ops.nms(numtorch.zeros(2, 5), numtorch.zeros(2), 0.5)
    with pytest.raises(RuntimeError, match="same number of elements in dimension 0, got 2 "
                                           "and 3"):
        ops.nms(numtorch.zeros(2, 4), numtorch.zeros(3), 0.5)


def ref_batched_nms(boxes, scores, idxs, thr):
    if boxes.numel() > 4000:
        mask = np.zeros(len(scores), bool)
        for c in np.unique(idxs.numpy()):
            members = np.flatnonzero(idxs.numpy() == c)
            kept = ref_nms(boxes[members], scores[members], thr)
            mask[members[kept]] = True
        keep = torch.from_numpy(np.flatnonzero(mask))
        return keep[torch.from_numpy(scores.numpy())[keep].sort(descending=True)[1]].tolist()
    tb = torch.from_numpy(boxes.numpy())
    offsets = torch.from_numpy(idxs.numpy()).to(tb) * (tb.max() + torch.tensor(1).to(tb))
    return ref_nms(numtorch.from_numpy((tb + offsets[:, None]).numpy()), scores, thr)


@pytest.mark.parametrize("n", [50, 1200])  # the coordinate trick, then nms per class
def test_batched_nms_suppresses_only_within_a_class(n):
    boxes = random_boxes(n)
    scores = RNG.random(n).astype(np.float32)
    idxs = RNG.integers(0, 3, n)
    keep = ops.batched_nms(nt(boxes), nt(scores), nt(idxs), 0.5)
    assert keep.tolist() == ref_batched_nms(nt(boxes), nt(scores), nt(idxs), 0.5)
    assert ops.batched_nms(numtorch.zeros(0, 4), numtorch.zeros(0),
                           numtorch.zeros(0, dtype=numtorch.int64), 0.5).tolist() == []


# --- losses -------------------------------------------------------------------------------

def ref_loss_inter_union(b1, b2):
    x1, y1, x2, y2 = b1.unbind(-1)
    x1g, y1g, x2g, y2g = b2.unbind(-1)
    xk1, yk1 = torch.max(x1, x1g), torch.max(y1, y1g)
    xk2, yk2 = torch.min(x2, x2g), torch.min(y2, y2g)
    inter = torch.zeros_like(x1)
    m = (yk2 > yk1) & (xk2 > xk1)
    inter[m] = (xk2[m] - xk1[m]) * (yk2[m] - yk1[m])
    return inter, (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - inter


def ref_enclosing(b1, b2):
    x1, y1, x2, y2 = b1.unbind(-1)
    x1g, y1g, x2g, y2g = b2.unbind(-1)
    return torch.min(x1, x1g), torch.min(y1, y1g), torch.max(x2, x2g), torch.max(y2, y2g)


def ref_giou_loss(b1, b2, eps=1e-7):
    inter, union = ref_loss_inter_union(b1, b2)
    iou = inter / (union + eps)
    xc1, yc1, xc2, yc2 = ref_enclosing(b1, b2)
    area_c = (xc2 - xc1) * (yc2 - yc1)
    return 1 - (iou - (area_c - union) / (area_c + eps))


def ref_diou_loss_iou(b1, b2, eps=1e-7):
    inter, union = ref_loss_inter_union(b1, b2)
    iou = inter / (union + eps)
    xc1, yc1, xc2, yc2 = ref_enclosing(b1, b2)
    diag = (xc2 - xc1) ** 2 + (yc2 - yc1) ** 2 + eps
    x1, y1, x2, y2 = b1.unbind(-1)
    x1g, y1g, x2g, y2g = b2.unbind(-1)
    cd = ((x2 + x1) / 2 - (x1g + x2g) / 2) ** 2 + ((y2 + y1) / 2 - (y1g + y2g) / 2) ** 2
    return 1 - iou + cd / diag, iou


def ref_ciou_loss(b1, b2, eps=1e-7):
    loss, iou = ref_diou_loss_iou(b1, b2)
    x1, y1, x2, y2 = b1.unbind(-1)
    x1g, y1g, x2g, y2g = b2.unbind(-1)
    v = (4 / math.pi ** 2) * torch.pow(torch.atan((x2g - x1g) / (y2g - y1g))
                                       - torch.atan((x2 - x1) / (y2 - y1)), 2)
    with torch.no_grad():
        alpha = v / (1 - iou + v + eps)
    return loss + alpha * v


LOSSES = [(ops.generalized_box_iou_loss, ref_giou_loss),
          (ops.distance_box_iou_loss, lambda a, b: ref_diou_loss_iou(a, b)[0]),
          (ops.complete_box_iou_loss, ref_ciou_loss)]


def reduce(loss, reduction):
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


@pytest.mark.parametrize("ours,ref", LOSSES, ids=lambda f: getattr(f, "__name__", ""))
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_iou_losses_match_torchvision(ours, ref, reduction):
    a, b = random_boxes(8), random_boxes(8)
    a[0] = b[0] + 30  # disjoint: no intersection, no gradient through it
    na, nb, ta, tb = nt(a, True), nt(b, True), th(a, True), th(b, True)
    out, expected = ours(na, nb, reduction=reduction), reduce(ref(ta, tb), reduction)
    if ours is ops.complete_box_iou_loss or reduction != "none":
        assert_close(out, expected, rtol=1e-5, atol=1e-6)
    else:
        assert out.tolist() == expected.tolist()
    out.sum().backward()
    expected.sum().backward()
    assert_close(na.grad, ta.grad, rtol=1e-4, atol=1e-5)
    assert_close(nb.grad, tb.grad, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("ours,ref", LOSSES, ids=lambda f: getattr(f, "__name__", ""))
def test_iou_losses_one_box_empty_and_gradcheck(ours, ref):
    a, b = random_boxes(1, np.float64), random_boxes(1, np.float64)
    one = ours(nt(a[0]), nt(b[0]))
    assert one.dim() == 0
    assert abs(one.item() - ref(th(a[0]), th(b[0])).item()) < 1e-12
    empty = ours(numtorch.zeros(0, 4), numtorch.zeros(0, 4), reduction="mean")
    assert empty.item() == 0.0
    if ours is not ops.complete_box_iou_loss:  # alpha is a constant, as in torchvision
        assert numtorch.autograd.gradcheck(lambda x, y: ours(x, y, reduction="sum"),
                                           (nt(a, True), nt(b, True)))
    with pytest.raises(ValueError, match="Invalid Value for arg 'reduction': 'avg"):
        ours(nt(a), nt(b), reduction="avg")


def ref_focal(x, t, alpha, gamma):
    p = torch.sigmoid(x)
    ce = torch.nn.functional.binary_cross_entropy_with_logits(x, t, reduction="none")
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return loss


@pytest.mark.parametrize("alpha,gamma", [(0.25, 2), (-1, 1.5), (0.8, 0)])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_sigmoid_focal_loss_matches_torchvision(alpha, gamma, reduction):
    x = RNG.standard_normal((4, 5)).astype(np.float32) * 3
    t = (RNG.random((4, 5)) > 0.7).astype(np.float32)
    nx, tx = nt(x, True), th(x, True)
    out = ops.sigmoid_focal_loss(nx, nt(t), alpha, gamma, reduction)
    expected = reduce(ref_focal(tx, th(t), alpha, gamma), reduction)
    assert_close(out, expected, rtol=1e-5, atol=1e-6)
    out.sum().backward()
    expected.sum().backward()
    assert_close(nx.grad, tx.grad, rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="Invalid alpha value: 2"):
        ops.sigmoid_focal_loss(nx, nt(t), alpha=2)


def test_sigmoid_focal_loss_of_nothing_averages_to_nan_as_torchvisions():
    # torchvision's focal loss takes a plain mean (nan for no elements); only the IoU
    # losses turn an empty mean into 0.
    empty = ops.sigmoid_focal_loss(numtorch.zeros(0), numtorch.zeros(0), reduction="mean")
    assert math.isnan(empty.item())
    assert math.isnan(ref_focal(torch.zeros(0), torch.zeros(0), 0.25, 2).mean().item())
    assert ops.sigmoid_focal_loss(numtorch.zeros(0), numtorch.zeros(0), reduction="sum").item() == 0
    with pytest.raises(ValueError, match="Invalid Value for arg 'reduction': 'avg"):
        ops.sigmoid_focal_loss(numtorch.zeros(2), numtorch.zeros(2), reduction="avg")


# --- RoI ops: the C++ kernels' loops, in the test -----------------------------------------

def ref_bilinear(height, width, y, x):
    """The kernels' bilinear_interpolate_gradient: four (row, col, weight) taps, or none."""
    if y < -1.0 or y > height or x < -1.0 or x > width:
        return []
    y, x = max(y, type(y)(0)), max(x, type(x)(0))
    y_low, x_low = int(y), int(x)
    if y_low >= height - 1:
        y_high = y_low = height - 1
        y = type(y)(y_low)
    else:
        y_high = y_low + 1
    if x_low >= width - 1:
        x_high = x_low = width - 1
        x = type(x)(x_low)
    else:
        x_high = x_low + 1
    ly, lx = y - y_low, x - x_low
    hy, hx = 1 - ly, 1 - lx
    return [(y_low, x_low, hy * hx), (y_low, x_high, hy * lx), (y_high, x_low, ly * hx),
            (y_high, x_high, ly * lx)]


def ref_roi_align(x, rois, scale, ph_n, pw_n, sampling, aligned, grad=None, ps=False):
    """roi_align (or ps_roi_align) forward, and with ``grad`` the backward, sample by sample."""
    dt = x.dtype.type
    n, c_in, height, width = x.shape
    c_n = c_in // (ph_n * pw_n) if ps else c_in
    out = np.zeros((len(rois), c_n, ph_n, pw_n), x.dtype)
    gx = np.zeros_like(x)
    for k, roi in enumerate(rois):
        b = int(roi[0])
        off = dt(0.5) if aligned or ps else dt(0)
        sw, sh, ew, eh = (dt(v) * dt(scale) - off for v in roi[1:])
        rw, rh = ew - sw, eh - sh
        if not aligned and not ps:
            rw, rh = max(rw, dt(1)), max(rh, dt(1))
        bh, bw = rh / dt(ph_n), rw / dt(pw_n)
        gh = sampling if sampling > 0 else math.ceil(rh / dt(ph_n))
        gw = sampling if sampling > 0 else math.ceil(rw / dt(pw_n))
        count = gh * gw if ps else max(gh * gw, 1)
        for c in range(c_n):
            for ph in range(ph_n):
                for pw in range(pw_n):
                    ch = (c * ph_n + ph) * pw_n + pw if ps else c
                    acc = dt(0)
                    for iy in range(gh):
                        y = sh + dt(ph) * bh + dt(iy + 0.5) * bh / dt(gh)
                        for ix in range(gw):
                            xx = sw + dt(pw) * bw + dt(ix + 0.5) * bw / dt(gw)
                            for r, s, w in ref_bilinear(height, width, y, xx):
                                acc += w * x[b, ch, r, s]
                                if grad is not None:
                                    gx[b, ch, r, s] += grad[k, c, ph, pw] * w / dt(count)
                    out[k, c, ph, pw] = acc / dt(count) if count else np.nan
    return out, gx


def feature_and_rois(dtype=np.float32, c=4, n=2, h=9, w=11):
    x = RNG.standard_normal((n, c, h, w)).astype(dtype)
    rois = np.array([[0, 1.2, 0.7, 14.0, 12.5], [1, -3.0, 2.0, 6.0, 30.0],
                     [1, 5.5, 5.5, 5.9, 5.6], [0, 20.0, 3.0, 26.0, 9.0],
                     [0, 0.0, 0.0, 21.9, 17.9]], dtype)
    return x, rois


@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("sampling_ratio", [-1, 2])
@pytest.mark.parametrize("output_size", [3, (2, 4)])
def test_roi_align_matches_the_kernel_values_and_gradients(aligned, sampling_ratio, output_size):
    x, rois = feature_and_rois()
    ph, pw = (output_size, output_size) if isinstance(output_size, int) else output_size
    nx = nt(x, True)
    out = ops.roi_align(nx, nt(rois), output_size, 0.5, sampling_ratio, aligned)
    g = RNG.standard_normal(tuple(out.shape)).astype(np.float32)
    expected, expected_grad = ref_roi_align(x, rois, 0.5, ph, pw, sampling_ratio, aligned, g)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    out.backward(nt(g))
    np.testing.assert_allclose(nx.grad.numpy(), expected_grad, rtol=1e-5, atol=1e-5)


def test_roi_align_takes_a_list_of_boxes_per_image_and_gradchecks():
    x, rois = feature_and_rois(np.float64, c=2, h=5, w=6)
    per_image = [nt(rois[rois[:, 0] == i][:, 1:]) for i in range(2)]
    as_rows = np.concatenate([rois[rois[:, 0] == i] for i in range(2)])
    out = ops.roi_align(nt(x), per_image, (2, 3), 0.5, 2)
    expected = ops.roi_align(nt(x), nt(as_rows), (2, 3), 0.5, 2)
    assert out.tolist() == expected.tolist()
    assert numtorch.autograd.gradcheck(
        lambda t: ops.roi_align(t, nt(rois), (2, 3), 0.5, -1, True), (nt(x, True),))


def ref_roi_pool(x, rois, scale, ph_n, pw_n, grad=None):
    dt = x.dtype.type
    n, c_n, height, width = x.shape
    out = np.zeros((len(rois), c_n, ph_n, pw_n), x.dtype)
    gx = np.zeros_like(x)

    def c_round(v):
        return int(math.floor(abs(float(v)) + 0.5)) * (1 if v >= 0 else -1)  # exact in double

    for k, roi in enumerate(rois):
        b = int(roi[0])
        sw, sh, ew, eh = (c_round(dt(v) * dt(scale)) for v in roi[1:])
        bh = dt(max(eh - sh + 1, 1)) / dt(ph_n)
        bw = dt(max(ew - sw + 1, 1)) / dt(pw_n)
        for ph in range(ph_n):
            for pw in range(pw_n):
                hs = min(max(math.floor(dt(ph) * bh) + sh, 0), height)
                he = min(max(math.ceil(dt(ph + 1) * bh) + sh, 0), height)
                ws = min(max(math.floor(dt(pw) * bw) + sw, 0), width)
                we = min(max(math.ceil(dt(pw + 1) * bw) + sw, 0), width)
                empty = he <= hs or we <= ws
                for c in range(c_n):
                    best, arg = (dt(0) if empty else dt(-np.finfo(np.float32).max)), None
                    for r in range(hs, he):
                        for s in range(ws, we):
                            if x[b, c, r, s] > best:
                                best, arg = x[b, c, r, s], (r, s)
                    out[k, c, ph, pw] = best
                    if grad is not None and arg is not None:
                        gx[b, c, arg[0], arg[1]] += grad[k, c, ph, pw]
    return out, gx


@pytest.mark.parametrize("output_size,scale", [(3, 0.5), ((2, 4), 1.0), (5, 0.25)])
def test_roi_pool_matches_the_kernel_values_and_gradients(output_size, scale):
    x, rois = feature_and_rois()
    ph, pw = (output_size, output_size) if isinstance(output_size, int) else output_size
    nx = nt(x, True)
    out = ops.roi_pool(nx, nt(rois), output_size, scale)
    g = RNG.standard_normal(tuple(out.shape)).astype(np.float32)
    expected, expected_grad = ref_roi_pool(x, rois, scale, ph, pw, g)
    assert out.detach().numpy().tolist() == expected.tolist()
    out.backward(nt(g))
    np.testing.assert_allclose(nx.grad.numpy(), expected_grad, rtol=1e-6, atol=1e-6)
    small, small_rois = feature_and_rois(np.float64, c=1, h=5, w=6)
    assert numtorch.autograd.gradcheck(
        lambda t: ops.roi_pool(t, nt(small_rois), output_size, scale), (nt(small, True),))


def test_roi_pool_skips_nan_as_the_kernels_comparison_does():
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    x[0, 0, 3, 3] = np.nan  # where the maximum would be
    x[0, 0, 0, 0] = np.nan
    rois = np.array([[0, 0, 0, 3, 3], [0, 0, 0, 0, 0]], np.float32)
    nx = nt(x, True)
    out = ops.roi_pool(nx, nt(rois), 1)
    expected, expected_grad = ref_roi_pool(x, rois, 1.0, 1, 1, np.ones((2, 1, 1, 1), np.float32))
    assert out.tolist() == expected.tolist() == [[[[14.0]]], [[[-np.finfo(np.float32).max]]]]
    out.sum().backward()
    assert nx.grad.tolist() == expected_grad.tolist()


def test_roi_pools_round_box_corners_as_c_does_even_just_below_a_half():
    # C's round(0.49999997f) is 0; float32 0.49999997 + 0.5 rounds up to 1.0, which would
    # start the box one column late and miss the maximum in column 0.
    below_half = float(np.nextafter(np.float32(0.5), np.float32(0)))
    x = -np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    rois = nt(np.array([[0, below_half, 0, 3, 3]], np.float32))
    assert ops.roi_pool(nt(x), rois, 1).item() == 0.0
    assert ref_roi_pool(x, rois.numpy(), 1.0, 1, 1)[0].item() == 0.0
    ps = -np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    assert ops.ps_roi_pool(nt(ps), rois, 1).item() == ps[0, 0, :3, :3].mean()


@pytest.mark.parametrize("sampling_ratio", [-1, 2])
def test_ps_roi_align_matches_the_kernel_values_and_gradients(sampling_ratio):
    x, rois = feature_and_rois(c=2 * 2 * 3)
    # A box of zero width has an empty adaptive grid: 0/0 = nan, as in the kernel.
    rois = np.concatenate([rois, np.array([[1, 4.0, 4.0, 4.0, 9.0]], np.float32)])
    nx = nt(x, True)
    out = ops.ps_roi_align(nx, nt(rois), (2, 3), 0.5, sampling_ratio)
    assert tuple(out.shape) == (6, 2, 2, 3)
    assert np.isnan(out[5].detach().numpy()).all() == (sampling_ratio <= 0)
    g = RNG.standard_normal(tuple(out.shape)).astype(np.float32)
    expected, expected_grad = ref_roi_align(x, rois, 0.5, 2, 3, sampling_ratio, True, g,
                                            ps=True)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    out.backward(nt(g))
    np.testing.assert_allclose(nx.grad.numpy(), expected_grad, rtol=1e-5, atol=1e-5)
    small, small_rois = feature_and_rois(np.float64, c=6, h=5, w=6)
    assert numtorch.autograd.gradcheck(
        lambda t: ops.ps_roi_align(t, nt(small_rois), (2, 3), 0.5, 2), (nt(small, True),))


def ref_ps_roi_pool(x, rois, scale, ph_n, pw_n, grad):
    """ps_roi_pool: the forward clips bins to H-1 / W-1, the backward to H / W."""
    dt = x.dtype.type
    n, c_in, height, width = x.shape
    c_n = c_in // (ph_n * pw_n)
    out = np.zeros((len(rois), c_n, ph_n, pw_n), x.dtype)
    gx = np.zeros_like(x)
    for k, roi in enumerate(rois):
        b = int(roi[0])
        sw, sh, ew, eh = (int(np.sign(v) * math.floor(abs(float(dt(v) * dt(scale))) + 0.5))
                          for v in roi[1:])
        bh = dt(max(eh - sh, 1)) / dt(ph_n)
        bw = dt(max(ew - sw, 1)) / dt(pw_n)
        for ph in range(ph_n):
            for pw in range(pw_n):
                for edge, backward in ((1, False), (0, True)):
                    hs = min(max(math.floor(dt(ph) * bh) + sh, 0), height - edge)
                    he = min(max(math.ceil(dt(ph + 1) * bh) + sh, 0), height - edge)
                    ws = min(max(math.floor(dt(pw) * bw) + sw, 0), width - edge)
                    we = min(max(math.ceil(dt(pw + 1) * bw) + sw, 0), width - edge)
                    if he <= hs or we <= ws:
                        continue
                    area = dt((he - hs) * (we - ws))
                    for c in range(c_n):
                        ch = (c * ph_n + ph) * pw_n + pw
                        if backward:
                            gx[b, ch, hs:he, ws:we] += grad[k, c, ph, pw] / area
                        else:
                            out[k, c, ph, pw] = x[b, ch, hs:he, ws:we].sum() / area
    return out, gx


def test_ps_roi_pool_matches_the_kernel_values_and_gradients():
    x, rois = feature_and_rois(c=3 * 3 * 2)
    nx = nt(x, True)
    out = ops.ps_roi_pool(nx, nt(rois), 3, 0.5)
    g = RNG.standard_normal(tuple(out.shape)).astype(np.float32)
    expected, expected_grad = ref_ps_roi_pool(x, rois, 0.5, 3, 3, g)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    out.backward(nt(g))
    np.testing.assert_allclose(nx.grad.numpy(), expected_grad, rtol=1e-5, atol=1e-6)
    # Away from the last row and column the forward and backward bins agree: gradcheck.
    inner = np.array([[0, 2.0, 2.0, 12.0, 10.0], [1, 0.0, 1.0, 16.0, 14.0]])
    small = RNG.standard_normal((2, 9, 8, 9))
    assert numtorch.autograd.gradcheck(
        lambda t: ops.ps_roi_pool(t, nt(inner), 3, 0.5), (nt(small, True),))


def test_roi_modules_reprs_and_forward():
    x, rois = feature_and_rois(c=8)
    assert repr(ops.RoIAlign((7, 7), 0.25, 2)) == (
        "RoIAlign(output_size=(7, 7), spatial_scale=0.25, sampling_ratio=2, aligned=False)")
    assert repr(ops.RoIPool(7, 0.5)) == "RoIPool(output_size=7, spatial_scale=0.5)"
    assert repr(ops.PSRoIAlign(2, 1.0, -1)) == (
        "PSRoIAlign(output_size=2, spatial_scale=1.0, sampling_ratio=-1)")
    assert repr(ops.PSRoIPool((2, 2), 0.5)) == "PSRoIPool(output_size=(2, 2), spatial_scale=0.5)"
    for module, fn in [(ops.RoIAlign(2, 0.5, 2, True), lambda a, b: ops.roi_align(
                            a, b, 2, 0.5, 2, True)),
                       (ops.RoIPool(2, 0.5), lambda a, b: ops.roi_pool(a, b, 2, 0.5)),
                       (ops.PSRoIAlign(2, 0.5, 2), lambda a, b: ops.ps_roi_align(
                           a, b, 2, 0.5, 2)),
                       (ops.PSRoIPool(2, 0.5), lambda a, b: ops.ps_roi_pool(a, b, 2, 0.5))]:
        assert module(nt(x), nt(rois)).tolist() == fn(nt(x), nt(rois)).tolist()


def test_roi_ops_check_boxes_dtypes_and_channels():
    x, rois = feature_and_rois()
    with pytest.raises(AssertionError, match=r"not correct as Tensor\[K, 5\]"):
        ops.roi_align(nt(x), nt(rois[:, 1:]), 2)
    with pytest.raises(AssertionError, match=r"List\[Tensor\[L, 4\]\]"):
        ops.roi_pool(nt(x), [nt(rois)], 2)
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'input' to have "
                                           "the same type as tensor for argument #2 'rois'; "
                                           "but type torch.FloatTensor does not equal "
                                           "torch.DoubleTensor"):
        ops.roi_align(nt(x), nt(rois.astype(np.float64)), 2)
    with pytest.raises(RuntimeError, match="input channels must be a multiple of pooling "
                                           "height \\* pooling width"):
        ops.ps_roi_align(nt(x), nt(rois), 3)
    out = ops.roi_align(nt(x, True), numtorch.zeros(0, 5), 2)
    assert tuple(out.shape) == (0, 4, 2, 2)
    assert "ROIAlignFunction" in repr(out.grad_fn)


# --- layers: torchvision's module trees, built here from torch.nn -------------------------

def copy_state(ours, theirs):
    """Load ``theirs`` (a torch module) into ``ours`` and check the keys agree."""
    state = theirs.state_dict()
    assert list(ours.state_dict()) == list(state)
    ours.load_state_dict({k: numtorch.tensor(v.numpy()) for k, v in state.items()})


def torch_conv_norm_act(cin, cout, k=3, stride=1, padding=None, groups=1,
                        norm=torch.nn.BatchNorm2d, act=torch.nn.ReLU, dilation=1, inplace=True,
                        bias=None, conv=torch.nn.Conv2d):
    if padding is None:
        padding = (k - 1) // 2 * dilation
    layers = [conv(cin, cout, k, stride, padding, dilation=dilation, groups=groups,
                   bias=norm is None if bias is None else bias)]
    if norm is not None:
        layers.append(norm(cout))
    if act is not None:
        layers.append(act(**({} if inplace is None else {"inplace": inplace})))
    return torch.nn.Sequential(*layers)


@pytest.mark.parametrize("kwargs", [{}, {"stride": 2, "groups": 2, "dilation": 2},
                                    {"norm": None, "act": None, "k": 1}])
def test_conv2d_norm_activation_is_torchvisions_block(kwargs):
    names = {"norm": "norm_layer", "act": "activation_layer", "k": "kernel_size"}
    nt_kwargs = {names.get(k, k): v for k, v in kwargs.items()}
    numtorch.manual_seed(0)
    torch.manual_seed(0)
    ours = ops.Conv2dNormActivation(4, 6, **nt_kwargs)
    theirs = torch_conv_norm_act(4, 6, **kwargs)
    assert repr(ours) == repr(theirs).replace("Sequential", "Conv2dNormActivation", 1)
    assert ours.out_channels == 6
    for a, b in zip(ours.state_dict().values(), theirs.state_dict().values()):
        assert a.numpy().tolist() == b.numpy().tolist()  # the same seeded initialisation
    x = RNG.standard_normal((2, 4, 9, 9)).astype(np.float32)
    assert_close(ours(nt(x)), theirs(th(x)), rtol=1e-4, atol=1e-5)


def test_conv3d_norm_activation_and_tuple_kernels():
    ours = ops.Conv3dNormActivation(2, 3, kernel_size=(1, 3, 5), dilation=(1, 2, 1))
    theirs = torch.nn.Sequential(torch.nn.Conv3d(2, 3, (1, 3, 5), 1, (0, 2, 2),
                                                 dilation=(1, 2, 1), bias=False),
                                 torch.nn.BatchNorm3d(3), torch.nn.ReLU(inplace=True))
    assert repr(ours) == repr(theirs).replace("Sequential", "Conv3dNormActivation", 1)
    copy_state(ours, theirs)
    x = RNG.standard_normal((2, 2, 4, 7, 8)).astype(np.float32)
    assert_close(ours(nt(x)), theirs(th(x)), rtol=1e-4, atol=1e-5)


def test_squeeze_excitation_matches_torchvision():
    ours = ops.SqueezeExcitation(8, 3)
    avgpool = torch.nn.AdaptiveAvgPool2d(1)
    fc1, fc2 = torch.nn.Conv2d(8, 3, 1), torch.nn.Conv2d(3, 8, 1)
    theirs = torch.nn.Module()
    for name, m in [("avgpool", avgpool), ("fc1", fc1), ("fc2", fc2),
                    ("activation", torch.nn.ReLU()), ("scale_activation", torch.nn.Sigmoid())]:
        theirs.add_module(name, m)
    assert repr(ours) == repr(theirs).replace("Module", "SqueezeExcitation", 1)
    copy_state(ours, theirs)
    x = RNG.standard_normal((2, 8, 5, 5)).astype(np.float32)
    nx, tx = nt(x, True), th(x, True)
    out = ours(nx)
    expected = torch.sigmoid(fc2(torch.relu(fc1(avgpool(tx))))) * tx
    assert_close(out, expected, rtol=1e-5, atol=1e-6)
    out.sum().backward()
    expected.sum().backward()
    assert_close(nx.grad, tx.grad, rtol=1e-4, atol=1e-6)


def test_mlp_layers_repr_and_values():
    ours = ops.MLP(5, [8, 6, 3], norm_layer=numtorch.nn.LayerNorm, inplace=False, dropout=0.1)
    theirs = torch.nn.Sequential(
        torch.nn.Linear(5, 8), torch.nn.LayerNorm(8), torch.nn.ReLU(inplace=False),
        torch.nn.Dropout(0.1, inplace=False), torch.nn.Linear(8, 6), torch.nn.LayerNorm(6),
        torch.nn.ReLU(inplace=False), torch.nn.Dropout(0.1, inplace=False),
        torch.nn.Linear(6, 3), torch.nn.Dropout(0.1, inplace=False))
    assert repr(ours) == repr(theirs).replace("Sequential", "MLP", 1)
    copy_state(ours, theirs)
    ours.eval()
    theirs.eval()
    x = RNG.standard_normal((4, 5)).astype(np.float32)
    assert_close(ours(nt(x)), theirs(th(x)), rtol=1e-5, atol=1e-5)


def test_frozen_batch_norm_is_the_affine_map_of_its_buffers_and_loads_batchnorm_state():
    bn = torch.nn.BatchNorm2d(3)
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    bn.weight.data.uniform_(0.5, 2)
    bn.bias.data.uniform_(-1, 1)
    frozen = ops.FrozenBatchNorm2d(3)
    assert repr(frozen) == "FrozenBatchNorm2d(3, eps=1e-05)"
    assert list(frozen.state_dict()) == ["weight", "bias", "running_mean", "running_var"]
    assert list(frozen.parameters()) == []
    frozen.load_state_dict({k: numtorch.tensor(v.detach().numpy())
                            for k, v in bn.state_dict().items()})  # num_batches_tracked too
    x = RNG.standard_normal((2, 3, 4, 4)).astype(np.float32)
    assert_close(frozen(nt(x)), bn.eval()(th(x)), rtol=1e-5, atol=1e-5)


def test_permute_layer():
    x = numtorch.arange(24).reshape(2, 3, 4)
    assert ops.Permute([0, 2, 1])(x).tolist() == x.permute(0, 2, 1).tolist()
    assert repr(ops.Permute([0, 2, 1])) == "Permute()"


@pytest.mark.parametrize("mode", ["row", "batch"])
def test_stochastic_depth_draws_torchvisions_mask(mode):
    x = RNG.standard_normal((16, 3, 2)).astype(np.float32)
    for seed in range(3):
        numtorch.manual_seed(seed)
        torch.manual_seed(seed)
        out = ops.stochastic_depth(nt(x), 0.4, mode)
        size = [16, 1, 1] if mode == "row" else [1, 1, 1]
        noise = torch.empty(size).bernoulli_(0.6).div_(0.6)
        assert out.tolist() == (th(x) * noise).tolist()
    module = ops.StochasticDepth(0.4, mode)
    assert repr(module) == f"StochasticDepth(p=0.4, mode={mode})"
    assert module.eval()(nt(x)).tolist() == x.tolist()
    with pytest.raises(ValueError, match="mode has to be either 'batch' or 'row', but got col"):
        ops.stochastic_depth(nt(x), 0.1, "col")
    with pytest.raises(ValueError, match="drop probability has to be between 0 and 1, but "
                                         "got 1.5"):
        ops.stochastic_depth(nt(x), 1.5, "row")


def ref_drop_block(x, p, block, dims, eps=1e-6):
    spatial = x.shape[2:]
    fits = [s - block + 1 for s in spatial]
    gamma = (p * math.prod(spatial)) / ((block ** dims) * math.prod(fits))
    noise = torch.empty((x.shape[0], x.shape[1], *fits)).bernoulli_(gamma)
    noise = torch.nn.functional.pad(noise, [block // 2] * (2 * dims), value=0)
    pool = torch.nn.functional.max_pool2d if dims == 2 else torch.nn.functional.max_pool3d
    noise = 1 - pool(noise, stride=(1,) * dims, kernel_size=(block,) * dims, padding=block // 2)
    return x * noise * (noise.numel() / (eps + noise.sum()))


@pytest.mark.parametrize("dims,block", [(2, 3), (2, 5), (3, 3)])
def test_drop_block_draws_torchvisions_blocks(dims, block):
    shape = (2, 3, 9, 10) if dims == 2 else (2, 2, 5, 6, 7)
    x = RNG.standard_normal(shape).astype(np.float32)
    fn = ops.drop_block2d if dims == 2 else ops.drop_block3d
    numtorch.manual_seed(5)
    torch.manual_seed(5)
    out = fn(nt(x), 0.3, block)
    assert_close(out, ref_drop_block(th(x), 0.3, block, dims), rtol=1e-6, atol=1e-6)
    module = (ops.DropBlock2d if dims == 2 else ops.DropBlock3d)(0.3, block)
    cls = "DropBlock2d" if dims == 2 else "DropBlock3d"
    assert repr(module) == f"{cls}(p=0.3, block_size={block}, inplace=False)"
    assert module.eval()(nt(x)).tolist() == x.tolist()


def test_drop_block_rejects_even_blocks_and_shrinks_blocks_larger_than_the_input():
    # torchvision checks these up front (an even block's grown mask would not fit the input).
    x = RNG.standard_normal((1, 1, 6, 6)).astype(np.float32)
    with pytest.raises(ValueError, match="block size should be odd. Got 4 which is even."):
        ops.drop_block2d(nt(x), 0.3, 4)
    with pytest.raises(ValueError, match="block size should be odd. Got 6 which is even."):
        ops.drop_block2d(nt(x), 0.3, 9)  # cut to the input's side first
    with pytest.raises(ValueError, match=r"between 0 and 1, but got 1.5\.$"):
        ops.drop_block3d(nt(x[None]), 1.5, 3)
    small = RNG.standard_normal((2, 3, 5, 7)).astype(np.float32)
    numtorch.manual_seed(2)
    torch.manual_seed(2)
    out = ops.drop_block2d(nt(small), 0.5, 9)  # a 9x9 block on a 5x7 map is a 5x5 block
    assert_close(out, ref_drop_block(th(small), 0.5, 5, 2), rtol=1e-6, atol=1e-6)


def test_feature_pyramid_network_matches_torchvisions_computation():
    from numtorch.vision.ops.feature_pyramid_network import LastLevelMaxPool, LastLevelP6P7

    numtorch.manual_seed(1)
    torch.manual_seed(1)
    fpn = ops.FeaturePyramidNetwork([4, 6, 8], 5, extra_blocks=LastLevelMaxPool())
    inner = [torch.nn.Conv2d(c, 5, 1, 1, 0) for c in (4, 6, 8)]
    layer = [torch.nn.Conv2d(5, 5, 3, 1, 1) for _ in range(3)]
    for conv in inner + layer:  # the convs exist before any is initialised
        torch.nn.init.kaiming_uniform_(conv.weight, a=1)
        torch.nn.init.constant_(conv.bias, 0)
    state = fpn.state_dict()
    assert list(state) == [f"{b}.{i}.0.{k}" for b in ("inner_blocks", "layer_blocks")
                           for i in range(3) for k in ("weight", "bias")]
    for i in range(3):
        assert state[f"inner_blocks.{i}.0.weight"].tolist() == inner[i].weight.tolist()
        assert state[f"layer_blocks.{i}.0.weight"].tolist() == layer[i].weight.tolist()
    feats = [RNG.standard_normal(s).astype(np.float32)
             for s in [(1, 4, 16, 15), (1, 6, 8, 8), (1, 8, 3, 4)]]
    out = fpn({"a": nt(feats[0]), "b": nt(feats[1]), "c": nt(feats[2])})
    last = inner[2](th(feats[2]))
    expected = [layer[2](last)]
    for i in (1, 0):
        lateral = inner[i](th(feats[i]))
        last = lateral + torch.nn.functional.interpolate(last, size=lateral.shape[-2:])
        expected.insert(0, layer[i](last))
    expected.append(torch.nn.functional.max_pool2d(expected[-1], 1, 2, 0))
    assert list(out) == ["a", "b", "c", "pool"]
    for got, want in zip(out.values(), expected):
        assert_close(got, want, rtol=1e-4, atol=1e-5)
    # Checkpoints from before Conv2dNormActivation (bare convs) still load.
    old = {k.replace(".0.", ".", 1): v for k, v in state.items()}
    fpn.load_state_dict(old)
    p6p7 = ops.FeaturePyramidNetwork([4, 6, 8], 5, extra_blocks=LastLevelP6P7(8, 5))
    out = p6p7({"a": nt(feats[0]), "b": nt(feats[1]), "c": nt(feats[2])})
    assert list(out) == ["a", "b", "c", "p6", "p7"]
    assert tuple(out["p6"].shape) == (1, 5, 2, 2) and tuple(out["p7"].shape) == (1, 5, 1, 1)


def test_multi_scale_roi_align_pools_each_box_from_its_fpn_level():
    pooler = ops.MultiScaleRoIAlign(["feat1", "feat2", "feat3"], 3, 2)
    assert repr(pooler) == ("MultiScaleRoIAlign(featmap_names=['feat1', 'feat2', 'feat3'], "
                            "output_size=(3, 3), sampling_ratio=2)")
    feats = {"feat1": RNG.standard_normal((2, 4, 64, 64)).astype(np.float32),
             "feat2": RNG.standard_normal((2, 4, 32, 32)).astype(np.float32),
             "feat3": RNG.standard_normal((2, 4, 16, 16)).astype(np.float32),
             "unused": RNG.standard_normal((2, 4, 8, 8)).astype(np.float32)}
    boxes = [random_boxes(5, size=250.0) * np.float32(1.5), random_boxes(3, size=40.0)]
    boxes[0][0] = [10, 10, 500, 480]  # large enough for the coarsest level
    boxes[0][1] = [50, 50, 350, 330]  # and one for the middle level
    x = {k: nt(v, True) for k, v in feats.items()}
    out = pooler(x, [nt(b) for b in boxes], [(512, 512), (500, 400)])
    assert tuple(out.shape) == (8, 4, 3, 3)
    assert pooler.scales == [0.125, 0.0625, 0.03125]
    # torchvision's level rule, in torch: floor(4 + log2(sqrt(area) / 224) + eps), clamped.
    tb = torch.from_numpy(np.concatenate(boxes))
    area = (tb[:, 2] - tb[:, 0]) * (tb[:, 3] - tb[:, 1])
    levels = torch.floor(4 + torch.log2(area.sqrt() / 224) + torch.tensor(1e-6))
    levels = (levels.clamp(3, 5).to(torch.int64) - 3).tolist()
    assert set(levels) == {0, 1, 2}
    rois = np.concatenate([np.c_[np.full(len(b), i, np.float32), b]
                           for i, b in enumerate(boxes)])
    for k, level in enumerate(levels):
        name, scale = f"feat{level + 1}", 0.125 / 2 ** level
        expected = ops.roi_align(nt(feats[name]), nt(rois[k:k + 1]), 3, scale, 2)
        assert out[k].tolist() == expected[0].tolist()
    out.sum().backward()
    assert x["unused"].grad is None and x["feat1"].grad.abs().sum().item() > 0


# --- deform_conv2d: the kernel's definition, tap by tap --------------------------------------

def ref_deform_conv2d(x, offset, weight, bias, stride, padding, dilation, mask):
    """deform_conv2d sample by sample: zero-padded bilinear reads at the moved taps."""
    b_n, c_n, height, width = x.shape
    o_n, c_w, kh, kw = weight.shape
    groups = offset.shape[1] // (2 * kh * kw)
    oh, ow = offset.shape[2:]
    out = np.zeros((b_n, o_n, oh, ow), x.dtype)

    def read(img, y, xx):
        if y <= -1 or y >= height or xx <= -1 or xx >= width:
            return 0.0
        y0, x0 = math.floor(y), math.floor(xx)
        total = 0.0
        for yy, xc, w in ((y0, x0, (1 - (y - y0)) * (1 - (xx - x0))),
                          (y0, x0 + 1, (1 - (y - y0)) * (xx - x0)),
                          (y0 + 1, x0, (y - y0) * (1 - (xx - x0))),
                          (y0 + 1, x0 + 1, (y - y0) * (xx - x0))):
            if 0 <= yy < height and 0 <= xc < width:
                total += w * img[yy, xc]
        return total

    for b in range(b_n):
        cols = np.zeros((c_n, kh * kw, oh, ow))
        for c in range(c_n):
            g = c // (c_n // groups)
            for i in range(kh):
                for j in range(kw):
                    k = i * kw + j
                    for oy in range(oh):
                        for ox in range(ow):
                            y = oy * stride - padding + i * dilation + offset[b, g * 2 * kh * kw
                                                                              + 2 * k, oy, ox]
                            xx = ox * stride - padding + j * dilation + offset[
                                b, g * 2 * kh * kw + 2 * k + 1, oy, ox]
                            m = 1.0 if mask is None else mask[b, g * kh * kw + k, oy, ox]
                            cols[c, k, oy, ox] = m * read(x[b, c], y, xx)
        wg = c_n // c_w
        for o in range(o_n):
            grp = o // (o_n // wg)
            chans = cols[grp * c_w:(grp + 1) * c_w].reshape(c_w * kh * kw, oh, ow)
            out[b, o] = np.tensordot(weight[o].reshape(-1), chans, axes=1)
            out[b, o] += 0 if bias is None else bias[o]
    return out


def deform_inputs(dtype, use_mask, b=2, c=4, groups=2, wg=2, kh=3, kw=2, h=6, w=7,
                  stride=1, padding=1, dilation=1):
    oh = (h + 2 * padding - (dilation * (kh - 1) + 1)) // stride + 1
    ow = (w + 2 * padding - (dilation * (kw - 1) + 1)) // stride + 1
    x = RNG.standard_normal((b, c, h, w)).astype(dtype)
    offset = (RNG.standard_normal((b, groups * 2 * kh * kw, oh, ow)) * 1.5).astype(dtype)
    weight = RNG.standard_normal((6, c // wg, kh, kw)).astype(dtype)
    bias = RNG.standard_normal(6).astype(dtype)
    mask = RNG.random((b, groups * kh * kw, oh, ow)).astype(dtype) if use_mask else None
    return x, offset, weight, bias, mask


@pytest.mark.parametrize("use_mask", [False, True])
@pytest.mark.parametrize("stride,padding,dilation", [(1, 1, 1), (2, 0, 2)])
def test_deform_conv2d_matches_the_kernel_and_gradchecks(use_mask, stride, padding, dilation):
    x, offset, weight, bias, mask = deform_inputs(np.float32, use_mask, stride=stride,
                                                  padding=padding, dilation=dilation)
    out = ops.deform_conv2d(nt(x), nt(offset), nt(weight), nt(bias), stride, padding,
                            dilation, None if mask is None else nt(mask))
    expected = ref_deform_conv2d(x, offset, weight, bias, stride, padding, dilation, mask)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-4)
    x, offset, weight, bias, mask = deform_inputs(np.float64, use_mask, b=1, c=2, groups=1,
                                                  wg=2, h=5, w=5, stride=stride,
                                                  padding=padding, dilation=dilation)
    args = [nt(a, True) for a in (x, offset, weight, bias)]
    if use_mask:
        args.append(nt(mask, True))
    assert numtorch.autograd.gradcheck(
        lambda i, o, w, bb, *m: ops.deform_conv2d(i, o, w, bb, stride, padding, dilation,
                                                  m[0] if m else None), tuple(args))


def test_deform_conv2d_with_zero_offsets_is_conv2d():
    x = RNG.standard_normal((2, 4, 6, 7)).astype(np.float32)
    w = RNG.standard_normal((6, 2, 3, 3)).astype(np.float32)
    offset = np.zeros((2, 2 * 9, 6, 7), np.float32)
    out = ops.deform_conv2d(nt(x), nt(offset), nt(w), padding=1)
    expected = torch.nn.functional.conv2d(th(x), th(w), padding=1, groups=2)
    assert_close(out, expected, rtol=1e-4, atol=1e-5)


def test_deform_conv2d_module_repr_init_and_errors():
    numtorch.manual_seed(0)
    torch.manual_seed(0)
    module = ops.DeformConv2d(4, 6, 3, padding=1, groups=2)
    conv = torch.nn.Conv2d(4, 6, 3, padding=1, groups=2)  # the same initialisation
    assert module.weight.tolist() == conv.weight.tolist()
    assert module.bias.tolist() == conv.bias.tolist()
    assert repr(module) == ("DeformConv2d(4, 6, kernel_size=(3, 3), stride=(1, 1), "
                            "padding=(1, 1), groups=2)")
    assert repr(ops.DeformConv2d(2, 2, (1, 3), dilation=2, bias=False)) == (
        "DeformConv2d(2, 2, kernel_size=(1, 3), stride=(1, 1), dilation=(2, 2), bias=False)")
    x = numtorch.randn(1, 4, 5, 5)
    out = module(x, numtorch.zeros(1, 18, 5, 5))
    assert "DeformConv2dFunction" in repr(out.grad_fn)
    with pytest.raises(RuntimeError, match="offset tensor at dimension 1 is not valid"):
        module(x, numtorch.zeros(1, 4, 5, 5))
    with pytest.raises(RuntimeError, match=r"offset output dims: \(4, 4\) - computed output "
                                           r"dims: \(5, 5\)"):
        module(x, numtorch.zeros(1, 18, 4, 4))
    with pytest.raises(RuntimeError, match="Calculated output size too small - out_h: 0 "
                                           "out_w: 0"):
        ops.deform_conv2d(x[..., :4, :4], numtorch.zeros(1, 18, 0, 0), module.weight, dilation=2)
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        ops.DeformConv2d(3, 6, 3, groups=2)
