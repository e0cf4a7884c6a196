"""Build TensorBoard ``Summary`` protocol buffers from tensors, arrays and numbers.

Each function returns the proto that PyTorch's ``torch.utils.tensorboard.summary``
function of the same name returns for the same input, so the event files match: same
tags, plugin metadata, histogram buckets and PNG/WAV bytes. The protos themselves are
tensorboard's (``tensorboard.compat.proto``, the plugins' ``*_pb2`` modules); Pillow
encodes images and ``wave`` encodes audio.
"""

from __future__ import annotations

import io
import json
import logging
import math
import struct

import numpy as np
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

logger = logging.getLogger(__name__)


def make_np(x) -> np.ndarray:
    """A NumPy array from a numtorch tensor, a NumPy array or a Python/NumPy scalar."""
    from numtorch import Tensor

    if isinstance(x, np.ndarray):
        return x
    if np.isscalar(x):
        return np.array([x])
    if isinstance(x, Tensor):
        return x.detach().cpu().numpy()
    raise NotImplementedError(f"Got {type(x)}, but numpy array or torch tensor are expected.")


def _summary(tag, **value) -> Summary:
    return Summary(value=[Summary.Value(tag=tag, **value)])


def _plugin(name: str, content: bytes = b"") -> SummaryMetadata:
    return SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name=name,
                                                                  content=content))


def _shape(dims) -> TensorShapeProto:
    return TensorShapeProto(dim=[TensorShapeProto.Dim(size=d) for d in dims])


# --- scalars and raw tensors ---------------------------------------------------------

def scalar(name, tensor, collections=None, new_style=False, double_precision=False):
    """One number: ``simple_value`` (old style) or a one-element tensor for the scalars plugin."""
    array = make_np(tensor).squeeze()
    if array.ndim != 0:
        raise AssertionError(
            "Tensor should contain one element (0 dimensions).             "
            f"Was given size: {array.size} and {array.ndim} dimensions.")
    value = float(array)
    if not new_style:
        return _summary(name, simple_value=value)
    if double_precision:
        proto = TensorProto(double_val=[value], dtype="DT_DOUBLE")
    else:
        proto = TensorProto(float_val=[value], dtype="DT_FLOAT")
    return _summary(name, tensor=proto, metadata=_plugin("scalars"))


def _float_bits(array) -> list:
    # PyTorch stores half values as the int32 bit pattern of each value in float32.
    return [struct.unpack("i", struct.pack("f", v))[0] for v in array.reshape(-1).tolist()]


def _complex_parts(array) -> list:
    return np.stack([array.real, array.imag], -1).reshape(-1).tolist()


# NumPy dtype -> (TensorFlow dtype, TensorProto field, how to list the values)
_TENSOR_FIELDS = {
    "float16": ("DT_HALF", "half_val", _float_bits),
    "float32": ("DT_FLOAT", "float_val", None),
    "float64": ("DT_DOUBLE", "double_val", None),
    "int8": ("DT_INT8", "int_val", None),
    "uint8": ("DT_UINT8", "uint32_val", None),
    "int16": ("DT_INT16", "int_val", None),
    "int32": ("DT_INT32", "int_val", None),
    "int64": ("DT_INT64", "int64_val", None),
    "bool": ("DT_BOOL", "bool_val", None),
    "complex64": ("DT_COMPLEX64", "scomplex_val", _complex_parts),
    "complex128": ("DT_COMPLEX128", "dcomplex_val", _complex_parts),
}


def tensor_proto(tag, tensor):
    """A whole tensor, values flattened into the TensorProto field of its dtype."""
    from numtorch import Tensor

    if isinstance(tensor, Tensor):
        array = tensor.detach().cpu().numpy()
    elif isinstance(tensor, np.ndarray):
        array = tensor
    else:  # PyTorch's error for anything without a tensor's numel()
        raise AttributeError(f"'{type(tensor).__name__}' object has no attribute 'numel'")
    if array.nbytes >= 1 << 31:
        raise ValueError("tensor is bigger than protocol buffer's hard limit of 2GB in size")
    if array.dtype.name not in _TENSOR_FIELDS:
        raise ValueError(f"{tag} has unsupported tensor dtype {tensor.dtype}")
    dtype, field, to_list = _TENSOR_FIELDS[array.dtype.name]
    values = to_list(array) if to_list else array.reshape(-1).tolist()
    proto = TensorProto(dtype=dtype, tensor_shape=_shape(array.shape), **{field: values})
    return _summary(tag, metadata=_plugin("tensor"), tensor=proto)


# --- histograms ----------------------------------------------------------------------

def histogram_raw(name, min, max, num, sum, sum_squares, bucket_limits, bucket_counts):
    """A histogram whose statistics and buckets the caller has computed."""
    hist = HistogramProto(min=min, max=max, num=num, sum=sum, sum_squares=sum_squares,
                          bucket_limit=bucket_limits, bucket=bucket_counts)
    return _summary(name, histo=hist)


def histogram(name, values, bins, max_bins=None):
    values = make_np(values)
    return _summary(name, histo=make_histogram(values.astype(float), bins, max_bins))


def make_histogram(values, bins, max_bins=None):
    """Count ``values`` with ``np.histogram``, merge to at most ``max_bins`` buckets, and
    drop the empty buckets at both ends (keeping one empty bucket left of the first
    non-empty one, so TensorBoard sees where the data starts)."""
    if values.size == 0:
        raise ValueError("The input has no element.")
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    if max_bins is not None and len(counts) > max_bins:
        group = len(counts) // max_bins
        counts = np.pad(counts, (0, -len(counts) % group)).reshape(-1, group).sum(axis=-1)
        limits = np.append(limits[:-1:group], limits[-1])
    filled = np.flatnonzero(counts)
    if filled.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")
    first, end = filled[0], filled[-1] + 1
    if first == 0:
        counts = np.concatenate([[0], counts[:end]])
    else:
        counts = counts[first - 1:end]
    limits = limits[first:end + 1]
    return HistogramProto(min=values.min(), max=values.max(), num=len(values),
                          sum=values.sum(), sum_squares=values.dot(values),
                          bucket_limit=limits.tolist(), bucket=counts.tolist())


# --- images --------------------------------------------------------------------------

def make_grid(images, ncols=8):
    """Tile an (N, C, H, W) batch (C of 1 or 3) into one (3, H * rows, W * ncols) image."""
    if not isinstance(images, np.ndarray):
        raise AssertionError("plugin error, should pass numpy array here")
    if images.shape[1] == 1:
        images = np.concatenate([images] * 3, 1)
    if images.ndim != 4 or images.shape[1] != 3:
        raise AssertionError("Input should be a 4D numpy array with 3 channels")
    n, _, h, w = images.shape
    ncols = min(n, ncols)
    nrows = math.ceil(n / ncols)
    canvas = np.zeros((3, h * nrows, w * ncols), dtype=images.dtype)
    for i in range(n):
        row, col = divmod(i, ncols)
        canvas[:, row * h:(row + 1) * h, col * w:(col + 1) * w] = images[i]
    return canvas


def convert_to_HWC(tensor, input_format):
    """Rearrange an array described by ``input_format`` (e.g. 'CHW', 'NHWC', 'HW') into one
    (H, W, C) image: a batch is tiled with ``make_grid``, grey becomes three channels."""
    if len(set(input_format)) != len(input_format):
        raise AssertionError("You can not use the same dimension shorthand twice."
                             f"             input_format: {input_format}")
    if len(tensor.shape) != len(input_format):
        raise AssertionError("size of input tensor and input format are different."
                             f"         tensor shape: {tensor.shape}, input_format: {input_format}")
    input_format = input_format.upper()
    if len(input_format) == 4:
        nchw = tensor.transpose([input_format.find(c) for c in "NCHW"])
        return make_grid(nchw).transpose(1, 2, 0)
    if len(input_format) == 3:
        hwc = tensor.transpose([input_format.find(c) for c in "HWC"])
        return np.concatenate([hwc] * 3, 2) if hwc.shape[2] == 1 else hwc
    if len(input_format) == 2:
        return np.stack([tensor.transpose([input_format.find(c) for c in "HW"])] * 3, 2)
    return None


def _to_uint8(array):
    if array is None:  # a layout of 1 or 5 letters has no image: PyTorch's error
        raise AttributeError("'NoneType' object has no attribute 'numpy'")
    # uint8 images are already 0..255; every other dtype is taken to be in 0..1.
    scale = 1 if array.dtype == np.uint8 else 255
    return (array.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)


def image(tag, tensor, rescale=1, dataformats="NCHW"):
    hwc = convert_to_HWC(make_np(tensor), dataformats)
    return _summary(tag, image=make_image(_to_uint8(hwc), rescale=rescale))


def image_boxes(tag, tensor_image, tensor_boxes, rescale=1, dataformats="CHW", labels=None):
    hwc = convert_to_HWC(make_np(tensor_image), dataformats)
    img = make_image(_to_uint8(hwc), rescale=rescale, rois=make_np(tensor_boxes), labels=labels)
    return _summary(tag, image=img)


def draw_boxes(disp_image, boxes, labels=None):
    """Draw each (xmin, ymin, xmax, ymax) box in red, with its label in a red tab."""
    from PIL import ImageDraw, ImageFont

    draw = ImageDraw.Draw(disp_image)
    font = ImageFont.load_default()
    for i in range(boxes.shape[0]):
        left, top, right, bottom = boxes[i, 0], boxes[i, 1], boxes[i, 2], boxes[i, 3]
        draw.line([(left, top), (left, bottom), (right, bottom), (right, top), (left, top)],
                  width=2, fill="Red")
        label = None if labels is None else labels[i]
        if label:
            x0, y0, x1, y1 = font.getbbox(label)
            text_w, text_h = x1 - x0, y1 - y0
            margin = np.ceil(0.05 * text_h)
            draw.rectangle([(left, bottom - text_h - 2 * margin), (left + text_w, bottom)],
                           fill="Red")
            draw.text((left + margin, bottom - text_h - margin), label, fill="black", font=font)
    return disp_image


def make_image(tensor, rescale=1, rois=None, labels=None):
    """PNG-encode an (H, W, C) uint8 array into a ``Summary.Image``."""
    from PIL import Image

    height, width, channel = tensor.shape
    img = Image.fromarray(tensor)
    if rois is not None:
        img = draw_boxes(img, rois, labels=labels)
    img = img.resize((int(width * rescale), int(height * rescale)), Image.Resampling.LANCZOS)
    with io.BytesIO() as out:
        img.save(out, format="PNG")
        png = out.getvalue()
    return Summary.Image(height=height, width=width, colorspace=channel,
                         encoded_image_string=png)


def figure_to_image(figures, close=True):
    """Render a matplotlib figure (or a list of them) to a (3, H, W) uint8 array (stacked
    to (N, 3, H, W) for a list) with the Agg canvas."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    def render(figure):
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        w, h = figure.canvas.get_width_height()
        rgba = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8).reshape(h, w, 4)
        if close:
            plt.close(figure)
        return np.moveaxis(rgba[:, :, :3], 2, 0)

    if isinstance(figures, list):
        return np.stack([render(f) for f in figures])
    return render(figures)


# --- video and audio -----------------------------------------------------------------

def _prepare_video(video):
    """(B, T, C, H, W) -> (T, H', W', C): each frame tiles the batch, padded with black
    clips to a power of two, in 2**k rows."""
    b, t, c, h, w = video.shape
    if video.dtype == np.uint8:
        video = np.float32(video) / 255.0
    if b & (b - 1):  # not a power of two
        padding = np.zeros((2 ** b.bit_length() - b, t, c, h, w))
        video = np.concatenate((video, padding), axis=0)
    rows = 2 ** ((b.bit_length() - 1) // 2)
    cols = video.shape[0] // rows
    video = video.reshape(rows, cols, t, c, h, w).transpose(2, 0, 4, 1, 5, 3)
    return video.reshape(t, rows * h, cols * w, c)


def video(tag, tensor, fps=4):
    frames = _to_uint8(_prepare_video(make_np(tensor)))
    return _summary(tag, image=make_video(frames, fps))


def make_video(tensor, fps):
    """Encode (T, H, W, C) uint8 frames as an animated GIF with moviepy (None without it)."""
    try:
        import moviepy  # noqa: F401
    except ImportError:
        print("add_video needs package moviepy")
        return None
    try:
        from moviepy import editor as mpy
    except ImportError:
        print("moviepy is installed, but can't import moviepy.editor.",
              "Some packages could be missing [imageio, requests]")
        return None
    import tempfile

    _, h, w, c = tensor.shape
    clip = mpy.ImageSequenceClip(list(tensor), fps=fps)
    with tempfile.NamedTemporaryFile(suffix=".gif") as f:
        try:
            clip.write_gif(f.name, verbose=False, logger=None)
        except TypeError:  # older moviepy versions take fewer keywords
            try:
                clip.write_gif(f.name, verbose=False, progress_bar=False)
            except TypeError:
                clip.write_gif(f.name, verbose=False)
        f.seek(0)
        gif = f.read()
    return Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=gif)


def audio(tag, tensor, sample_rate=44100):
    """Mono 16-bit WAV from samples in [-1, 1] (clipped, with a warning, if outside)."""
    import wave

    array = make_np(tensor).squeeze()
    if abs(array).max() > 1:
        print("warning: audio amplitude out of range, auto clipped.")
        array = array.clip(-1, 1)
    if array.ndim != 1:
        raise AssertionError("input tensor should be 1 dimensional.")
    samples = (array * np.iinfo(np.int16).max).astype("<i2")
    with io.BytesIO() as out:
        with wave.open(out, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(sample_rate)
            wav.writeframes(samples.data)
        wav_bytes = out.getvalue()
    clip = Summary.Audio(sample_rate=sample_rate, num_channels=1,
                         length_frames=samples.shape[-1], encoded_audio_string=wav_bytes,
                         content_type="audio/wav")
    return _summary(tag, audio=clip)


# --- text, layouts, curves, meshes ---------------------------------------------------

def text(tag, text):
    from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData

    meta = _plugin("text", TextPluginData(version=0).SerializeToString())
    proto = TensorProto(dtype="DT_STRING", string_val=[text.encode(encoding="utf_8")],
                        tensor_shape=_shape([1]))
    return _summary(tag + "/text_summary", metadata=meta, tensor=proto)


def custom_scalars(layout):
    """The custom-scalars plugin's layout: {category: {chart title: [kind, tags]}}, kind
    'Multiline' (any tags) or 'Margin' (three tags: value, lower, upper)."""
    from tensorboard.plugins.custom_scalar import layout_pb2

    categories = []
    for category, charts in layout.items():
        protos = []
        for title, chart in charts.items():
            kind, tags = chart[0], chart[1]
            if kind == "Margin":
                if len(tags) != 3:
                    raise AssertionError("len(tags) != 3")
                series = layout_pb2.MarginChartContent.Series(value=tags[0], lower=tags[1],
                                                              upper=tags[2])
                margin = layout_pb2.MarginChartContent(series=[series])
                protos.append(layout_pb2.Chart(title=title, margin=margin))
            else:
                multiline = layout_pb2.MultilineChartContent(tag=tags)
                protos.append(layout_pb2.Chart(title=title, multiline=multiline))
        categories.append(layout_pb2.Category(title=category, chart=protos))
    proto = TensorProto(dtype="DT_STRING",
                        string_val=[layout_pb2.Layout(category=categories).SerializeToString()],
                        tensor_shape=TensorShapeProto())
    return _summary("custom_scalars__config__", tensor=proto, metadata=_plugin("custom_scalars"))


def _pr_summary(tag, data, num_thresholds):
    from tensorboard.plugins.pr_curve.plugin_data_pb2 import PrCurvePluginData

    content = PrCurvePluginData(version=0, num_thresholds=num_thresholds).SerializeToString()
    proto = TensorProto(dtype="DT_FLOAT", float_val=data.reshape(-1).tolist(),
                        tensor_shape=_shape(data.shape[:2]))
    return _summary(tag, metadata=_plugin("pr_curves", content), tensor=proto)


def pr_curve_raw(tag, tp, fp, tn, fn, precision, recall, num_thresholds=127, weights=None):
    num_thresholds = min(num_thresholds, 127)  # as PyTorch: the plugin breaks above 127
    data = np.stack([np.asarray(a) for a in (tp, fp, tn, fn, precision, recall)])
    return _pr_summary(tag, data, num_thresholds)


def pr_curve(tag, labels, predictions, num_thresholds=127, weights=None):
    num_thresholds = min(num_thresholds, 127)
    data = compute_curve(labels, predictions, num_thresholds=num_thresholds, weights=weights)
    return _pr_summary(tag, data, num_thresholds)


def compute_curve(labels, predictions, num_thresholds=None, weights=None):
    """Rows TP, FP, TN, FN, precision, recall at thresholds i / (num_thresholds - 1).

    Each prediction falls in bucket floor(p * (num_thresholds - 1)); the counts at
    threshold i are the (weighted) labels in buckets >= i."""
    eps = 1e-7  # keeps 0 / 0 at 0
    weights = 1.0 if weights is None else weights
    buckets = np.int32(np.floor(predictions * (num_thresholds - 1)))
    positive = labels.astype(np.float64)

    def count(w):
        hist, _ = np.histogram(buckets, bins=num_thresholds, range=(0, num_thresholds - 1),
                               weights=w * weights)
        return np.cumsum(hist[::-1])[::-1]

    tp, fp = count(positive), count(1.0 - positive)
    tn, fn = fp[0] - fp, tp[0] - tp
    precision = tp / np.maximum(eps, tp + fp)
    recall = tp / np.maximum(eps, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))


def mesh(tag, vertices, colors, faces, config_dict, display_name=None, description=None):
    """One tensor summary per component (vertices, faces, colors) for the mesh plugin."""
    from tensorboard.plugins.mesh import metadata
    from tensorboard.plugins.mesh.plugin_data_pb2 import MeshPluginData

    from numtorch import Size

    json_config = "{}" if config_dict is None else json.dumps(config_dict, sort_keys=True)
    parts = [(t, kind) for t, kind in ((vertices, MeshPluginData.VERTEX),
                                       (faces, MeshPluginData.FACE),
                                       (colors, MeshPluginData.COLOR)) if t is not None]
    components = metadata.get_components_bitmask([kind for _, kind in parts])
    values = []
    for t, kind in parts:
        array = np.asarray(t)
        meta = metadata.create_summary_metadata(tag, display_name, kind, components,
                                                Size(array.shape), description,
                                                json_config=json_config)
        proto = TensorProto(dtype="DT_FLOAT", float_val=array.reshape(-1).tolist(),
                            tensor_shape=_shape(array.shape[:3]))
        values.append(Summary.Value(tag=metadata.get_instance_name(tag, kind), tensor=proto,
                                    metadata=meta))
    return Summary(value=values)


# --- hyperparameters -----------------------------------------------------------------

def hparams(hparam_dict=None, metric_dict=None, hparam_domain_discrete=None):
    """The three summaries of the hparams plugin: the experiment (which hyperparameters and
    metrics exist), the session start (this run's values) and the session end."""
    from google.protobuf import struct_pb2
    from tensorboard.plugins.hparams import metadata
    from tensorboard.plugins.hparams.api_pb2 import (
        DataType,
        Experiment,
        HParamInfo,
        MetricInfo,
        MetricName,
        Status,
    )
    from tensorboard.plugins.hparams.plugin_data_pb2 import (
        HParamsPluginData,
        SessionEndInfo,
        SessionStartInfo,
    )

    from numtorch import Tensor

    for arg, name in ((hparam_dict, "hparam_dict"), (metric_dict, "metric_dict")):
        if not isinstance(arg, dict):
            message = f"parameter: {name} should be a dictionary, nothing logged."
            logger.warning(message)
            raise TypeError(message)
    hparam_domain_discrete = hparam_domain_discrete or {}
    if not isinstance(hparam_domain_discrete, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in hparam_domain_discrete.items():
        if (k not in hparam_dict or not isinstance(v, list)
                or not all(isinstance(d, type(hparam_dict[k])) for d in v)):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of same "
                            f"type as hparam_dict[{k}].")

    infos = []
    start = SessionStartInfo()
    for k, v in hparam_dict.items():
        if v is None:
            continue
        # As in PyTorch, a bool is an int here, so it is logged as a number.
        if isinstance(v, (int, float)):
            field, data_type = "number_value", "DATA_TYPE_FLOAT64"
        elif isinstance(v, str):
            field, data_type = "string_value", "DATA_TYPE_STRING"
        elif isinstance(v, bool):
            field, data_type = "bool_value", "DATA_TYPE_BOOL"
        elif isinstance(v, Tensor):
            start.hparams[k].number_value = make_np(v)[0]
            infos.append(HParamInfo(name=k, type=DataType.Value("DATA_TYPE_FLOAT64")))
            continue
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        setattr(start.hparams[k], field, v)
        domain = None
        if k in hparam_domain_discrete:
            domain = struct_pb2.ListValue(values=[struct_pb2.Value(**{field: d})
                                                  for d in hparam_domain_discrete[k]])
        infos.append(HParamInfo(name=k, type=DataType.Value(data_type), domain_discrete=domain))

    def plugin_summary(tag, **content):
        data = HParamsPluginData(version=metadata.PLUGIN_DATA_VERSION, **content)
        return _summary(tag, metadata=_plugin(metadata.PLUGIN_NAME, data.SerializeToString()))

    experiment = Experiment(hparam_infos=infos,
                            metric_infos=[MetricInfo(name=MetricName(tag=k)) for k in metric_dict])
    end = SessionEndInfo(status=Status.Value("STATUS_SUCCESS"))
    return (plugin_summary(metadata.EXPERIMENT_TAG, experiment=experiment),
            plugin_summary(metadata.SESSION_START_INFO_TAG, session_start_info=start),
            plugin_summary(metadata.SESSION_END_INFO_TAG, session_end_info=end))
