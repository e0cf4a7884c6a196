"""The Embedding Projector's files: points, labels and a sprite of thumbnails."""

from __future__ import annotations

import math

import numpy as np
from tensorboard.compat import tf

from .summary import make_grid, make_np


def _join(folder, name):
    return tf.io.gfile.get_filesystem(folder).join(folder, name)


def _write(folder, name, data: str) -> None:
    with tf.io.gfile.GFile(_join(folder, name), "wb") as f:
        f.write(tf.compat.as_bytes(data))


def write_embedding_files(mat, metadata, label_img, metadata_header, save_path) -> None:
    """Write tensors.tsv (one point a line), metadata.tsv and sprite.png into save_path."""
    fs = tf.io.gfile
    if fs.exists(save_path):
        if not fs.isdir(save_path):
            raise NotADirectoryError(f"Path: `{save_path}` exists, but is a file. Cannot proceed.")
        print("warning: Embedding dir exists, did you set global_step for add_embedding()?")
    else:
        fs.makedirs(save_path)

    if metadata is not None:
        if mat.shape[0] != len(metadata):
            raise AssertionError("#labels should equal with #data points")
        if metadata_header:
            if len(metadata_header) != len(metadata[0]):
                raise AssertionError(
                    "len of header must be equal to the number of columns in metadata")
            lines = ["\t".join(str(e) for e in row) for row in [metadata_header] + metadata]
        else:
            lines = [str(x) for x in metadata]
        _write(save_path, "metadata.tsv", "\n".join(lines) + "\n")

    if label_img is not None:
        if mat.shape[0] != label_img.shape[0]:
            raise AssertionError("#images should equal with #data points")
        _write_sprite(make_np(label_img), save_path)

    if mat.ndim != 2:
        raise AssertionError("mat should be 2D, where mat.size(0) is the number of data points")
    rows = ("\t".join(str(v.item()) for v in row) + "\n" for row in mat)
    _write(save_path, "tensors.tsv", "".join(rows))


def _write_sprite(images, save_path) -> None:
    """Tile the (N, C, H, W) images in a square grid on a square black canvas, as PNG."""
    import io

    from PIL import Image

    grid = make_grid(images, ncols=math.ceil(images.shape[0] ** 0.5)).transpose(1, 2, 0)
    square = np.zeros((grid.shape[1], grid.shape[1], 3))
    square[:grid.shape[0]] = grid
    with io.BytesIO() as buf:
        Image.fromarray(np.uint8((square * 255).clip(0, 255))).save(buf, format="PNG")
        png = buf.getvalue()
    with tf.io.gfile.GFile(_join(save_path, "sprite.png"), "wb") as f:
        f.write(png)


def embedding_info(metadata, label_img, subdir, global_step, tag):
    """The projector_config.pbtxt entry of one embedding."""
    from tensorboard.plugins.projector.projector_config_pb2 import EmbeddingInfo

    info = EmbeddingInfo(tensor_name=f"{tag}:{str(global_step).zfill(5)}",
                         tensor_path=_join(subdir, "tensors.tsv"))
    if metadata is not None:
        info.metadata_path = _join(subdir, "metadata.tsv")
    if label_img is not None:
        info.sprite.image_path = _join(subdir, "sprite.png")
        info.sprite.single_image_dim.extend([label_img.shape[3], label_img.shape[2]])
    return info
