"""SummaryWriter: log scalars, images, histograms ... to event files TensorBoard reads.

The event file itself is written by tensorboard's ``EventFileWriter`` (a queue and a
background thread, as in PyTorch); ``summary.py`` builds the protos that go in it.
"""

from __future__ import annotations

import os
import time

from tensorboard.compat.proto.event_pb2 import Event, SessionLog, TaggedRunMetadata
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from . import summary as S
from ._embedding import embedding_info, write_embedding_files

__all__ = ["FileWriter", "SummaryWriter"]


class FileWriter:
    """Writes Event protos to one event file in ``log_dir`` (asynchronously)."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix="") -> None:
        self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, filename_suffix)

    def get_logdir(self):
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None) -> None:
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None) -> None:
        self.add_event(Event(summary=summary), global_step, walltime)

    def add_graph(self, graph_profile, walltime=None) -> None:
        """Write a (GraphDef, RunMetadata) pair: the graph, then its run metadata."""
        graph, run_metadata = graph_profile
        self.add_event(Event(graph_def=graph.SerializeToString()), None, walltime)
        tagged = TaggedRunMetadata(tag="step1", run_metadata=run_metadata.SerializeToString())
        self.add_event(Event(tagged_run_metadata=tagged), None, walltime)

    def add_onnx_graph(self, graph, walltime=None) -> None:
        """Write a GraphDef alone (no run metadata)."""
        self.add_event(Event(graph_def=graph.SerializeToString()), None, walltime)

    def flush(self) -> None:
        self.event_writer.flush()

    def close(self) -> None:
        self.event_writer.close()

    def reopen(self) -> None:
        self.event_writer.reopen()


def _default_bins() -> list:
    # TensorFlow's histogram buckets: +-1e-12 * 1.1**k up to 1e20, and 0.
    edges, v = [], 1e-12
    while v < 1e20:
        edges.append(v)
        v *= 1.1
    return [-e for e in reversed(edges)] + [0] + edges


class SummaryWriter:
    """Writes entries to event files in ``log_dir``, for TensorBoard to show.

    Args:
        log_dir (str): where to write. Default ``runs/<Mon DD_HH-MM-SS>_<hostname><comment>``.
        comment (str): suffix of the default ``log_dir`` (ignored if ``log_dir`` is given).
        purge_step (int): after a crash at step T+X and a restart at step T, events from
            step T on in the same ``log_dir`` are hidden by TensorBoard.
        max_queue (int): pending events before an ``add_*`` call forces a flush. Default 10.
        flush_secs (int): seconds between flushes to disk. Default 120.
        filename_suffix (str): suffix of the event file names.

    Example::

        >>> from numtorch.utils.tensorboard import SummaryWriter
        >>> writer = SummaryWriter("runs/exp1")
        >>> for step in range(100):
        ...     writer.add_scalar("loss", 1 / (step + 1), step)
        >>> writer.close()
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10,
                 flush_secs=120, filename_suffix="") -> None:
        if not log_dir:
            import socket
            from datetime import datetime

            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", stamp + "_" + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None
        self._get_file_writer()
        self.default_bins = _default_bins()

    def _get_file_writer(self):
        """The writer of ``log_dir``; after ``close()`` a new one (a new event file)."""
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs,
                                          self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                # A restart marker: TensorBoard drops the events at and after this step.
                step = self.purge_step
                self.file_writer.add_event(Event(step=step, file_version="brain.Event:2"))
                self.file_writer.add_event(
                    Event(step=step, session_log=SessionLog(status=SessionLog.START)))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        """The directory the event files are written to."""
        return self.log_dir

    def _add(self, summary, global_step=None, walltime=None) -> None:
        self._get_file_writer().add_summary(summary, global_step, walltime)

    # --- numbers ---------------------------------------------------------------------

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False) -> None:
        """Log one number.

        Args:
            tag (str): name of the series.
            scalar_value (float, 0-d or one-element tensor/array): the value.
            global_step (int): step of the value.
            walltime (float): seconds since the epoch; default ``time.time()``.
            new_style (bool): store a tensor (faster to load) instead of ``simple_value``.
            double_precision (bool): with ``new_style``, store a float64.
        """
        self._add(S.scalar(tag, scalar_value, new_style=new_style,
                           double_precision=double_precision), global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None) -> None:
        """Log several numbers in one chart: each key goes to its own run,
        ``<log_dir>/<main_tag>_<key>``, under the tag ``main_tag``."""
        walltime = time.time() if walltime is None else walltime
        logdir = self._get_file_writer().get_logdir()
        for tag, value in tag_scalar_dict.items():
            run = logdir + "/" + main_tag.replace("/", "_") + "_" + tag
            if self.all_writers is None:
                raise AssertionError("self.all_writers is None")
            if run not in self.all_writers:
                self.all_writers[run] = FileWriter(run, self.max_queue, self.flush_secs,
                                                   self.filename_suffix)
            self.all_writers[run].add_summary(S.scalar(main_tag, value), global_step, walltime)

    def add_tensor(self, tag, tensor, global_step=None, walltime=None) -> None:
        """Log a whole tensor (its values and shape)."""
        self._add(S.tensor_proto(tag, tensor), global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None) -> None:
        """Log a histogram of ``values``.

        Args:
            bins: 'tensorflow' (TensorFlow's exponential buckets, the default), or anything
                ``numpy.histogram`` takes: 'auto', 'fd', a number, a list of edges.
            max_bins (int): merge neighbouring buckets until there are at most this many.
        """
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._add(S.histogram(tag, values, bins, max_bins=max_bins), global_step, walltime)

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits,
                          bucket_counts, global_step=None, walltime=None) -> None:
        """Log a histogram computed elsewhere: ``bucket_limits`` are the upper edges."""
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        self._add(S.histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits,
                                  bucket_counts), global_step, walltime)

    # --- pictures and sound ------------------------------------------------------------

    def add_image(self, tag, img_tensor, global_step=None, walltime=None,
                  dataformats="CHW") -> None:
        """Log an image (needs Pillow).

        Float images are taken to be in [0, 1], uint8 images in [0, 255].

        Shape:
            img_tensor: (3, H, W) by default; other layouts with ``dataformats``
            ('HWC', 'HW', '1HW' ...). One channel is shown as grey.
        """
        self._add(S.image(tag, img_tensor, dataformats=dataformats), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None,
                   dataformats="NCHW") -> None:
        """Log a batch of images, tiled 8 to a row into one image (needs Pillow).

        Shape:
            img_tensor: (N, 3, H, W) by default, or as ``dataformats`` says ('NHWC' ...).
        """
        self._add(S.image(tag, img_tensor, dataformats=dataformats), global_step, walltime)

    def add_image_with_boxes(self, tag, img_tensor, box_tensor, global_step=None,
                             walltime=None, rescale=1, dataformats="CHW", labels=None) -> None:
        """Log an image with boxes drawn on it.

        Args:
            box_tensor: (N, 4) boxes, each (xmin, ymin, xmax, ymax) in pixels.
            rescale (float): resize the image by this factor.
            labels (list of str): one label per box (ignored if the count differs).
        """
        if labels is not None:
            if isinstance(labels, str):
                labels = [labels]
            if len(labels) != box_tensor.shape[0]:
                labels = None
        self._add(S.image_boxes(tag, img_tensor, box_tensor, rescale=rescale,
                                dataformats=dataformats, labels=labels), global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None) -> None:
        """Log a matplotlib figure (or a list of them, as a batch) rendered as an image.

        Args:
            close (bool): close the figure once rendered.
        """
        layout = "NCHW" if isinstance(figure, list) else "CHW"
        self.add_image(tag, S.figure_to_image(figure, close), global_step, walltime,
                       dataformats=layout)

    def add_video(self, tag, vid_tensor, global_step=None, fps=4, walltime=None) -> None:
        """Log a video as an animated GIF (needs moviepy).

        Shape:
            vid_tensor: (N, T, C, H, W), values in [0, 1] (float) or [0, 255] (uint8).
        """
        self._add(S.video(tag, vid_tensor, fps), global_step, walltime)

    def add_audio(self, tag, snd_tensor, global_step=None, sample_rate=44100,
                  walltime=None) -> None:
        """Log a mono sound clip.

        Shape:
            snd_tensor: (1, L), values in [-1, 1].
        """
        self._add(S.audio(tag, snd_tensor, sample_rate=sample_rate), global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None) -> None:
        """Log a string (TensorBoard renders it as Markdown)."""
        self._add(S.text(tag, text_string), global_step, walltime)

    def add_mesh(self, tag, vertices, colors=None, faces=None, config_dict=None,
                 global_step=None, walltime=None) -> None:
        """Log a 3D mesh or point cloud (shown with three.js).

        Shape:
            vertices: (B, N, 3) coordinates. colors: (B, N, 3), 0..255.
            faces: (B, F, 3) vertex indices of each triangle.
        """
        self._add(S.mesh(tag, vertices, colors, faces, config_dict), global_step, walltime)

    # --- curves and layouts ------------------------------------------------------------

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127,
                     weights=None, walltime=None) -> None:
        """Log a precision-recall curve from 0/1 ``labels`` and ``predictions`` in [0, 1]."""
        labels, predictions = S.make_np(labels), S.make_np(predictions)
        self._add(S.pr_curve(tag, labels, predictions, num_thresholds, weights),
                  global_step, walltime)

    def add_pr_curve_raw(self, tag, true_positive_counts, false_positive_counts,
                         true_negative_counts, false_negative_counts, precision, recall,
                         global_step=None, num_thresholds=127, weights=None,
                         walltime=None) -> None:
        """Log a precision-recall curve from counts computed elsewhere."""
        self._add(S.pr_curve_raw(tag, true_positive_counts, false_positive_counts,
                                 true_negative_counts, false_negative_counts, precision,
                                 recall, num_thresholds, weights), global_step, walltime)

    def add_custom_scalars_multilinechart(self, tags, category="default",
                                          title="untitled") -> None:
        """A custom chart with the series ``tags`` (logged with ``add_scalar``) together."""
        self._add(S.custom_scalars({category: {title: ["Multiline", tags]}}))

    def add_custom_scalars_marginchart(self, tags, category="default",
                                       title="untitled") -> None:
        """A custom chart of a value and its band: ``tags`` = [value, lower, upper]."""
        if len(tags) != 3:
            raise AssertionError(f"Expected 3 tags, got {len(tags)}.")
        self._add(S.custom_scalars({category: {title: ["Margin", tags]}}))

    def add_custom_scalars(self, layout) -> None:
        """Lay out custom charts: ``{category: {chart: ['Multiline' or 'Margin', tags]}}``.

        Example::

            >>> writer.add_custom_scalars({"loss": {"both": ["Multiline", ["train", "val"]]}})
        """
        self._add(S.custom_scalars(layout))

    # --- experiments -------------------------------------------------------------------

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None,
                    run_name=None, global_step=None) -> None:
        """Log one run's hyperparameters and final metrics, for the HParams dashboard.

        The values go to a run of their own, ``<log_dir>/<run_name>`` (default: the time).

        Args:
            hparam_dict (dict): name -> bool, str, int, float, None or one-element tensor.
            metric_dict (dict): name -> number; logged as scalars too.
            hparam_domain_discrete (dict): name -> every value the hyperparameter can take.
        """
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        experiment, start, end = S.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        if not run_name:
            run_name = str(time.time())
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=logdir) as run:
            for proto in (experiment, start, end):
                run.file_writer.add_summary(proto, global_step)
            for k, v in metric_dict.items():
                run.add_scalar(k, v, global_step)

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None,
                      tag="default", metadata_header=None) -> None:
        """Log points for the Embedding Projector.

        Writes ``<log_dir>/<step:05d>/<tag>/`` with ``tensors.tsv`` (the points),
        ``metadata.tsv`` and ``sprite.png`` when given, and adds the embedding to
        ``<log_dir>/projector_config.pbtxt``.

        Args:
            mat: (N, D) points.
            metadata (list): one label per point (a list of values per point with
                ``metadata_header``, one value per header).
            label_img: (N, C, H, W) one image per point.
        """
        mat = S.make_np(mat)
        if global_step is None:
            global_step = 0
        subdir = f"{str(global_step).zfill(5)}/{_escape(tag)}"
        logdir = self._get_file_writer().get_logdir()
        write_embedding_files(mat, metadata, label_img, metadata_header,
                              os.path.join(logdir, subdir))
        if not hasattr(self, "_projector_config"):
            from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

            self._projector_config = ProjectorConfig()
        self._projector_config.embeddings.append(
            embedding_info(metadata, label_img, subdir, global_step, tag))
        _write_projector_config(logdir, self._projector_config)

    def add_graph(self, model, input_to_model=None, verbose=False,
                  use_strict_trace=True) -> None:
        """Log the graph of ``model``, found by running it on ``input_to_model``.

        Unlike PyTorch, which traces the model with TorchScript, numtorch reads the
        autograd graph of one forward pass and groups its ops by the module that ran
        them; see ``numtorch/utils/tensorboard/_graph.py`` for what differs.

        Args:
            model (nn.Module): the model to draw.
            input_to_model (Tensor or tuple of Tensors): its input(s).
            verbose (bool): print the graph's nodes.
            use_strict_trace (bool): accepted for PyTorch's signature; numtorch does not trace.
        """
        from ._graph import graph

        self._get_file_writer().add_graph(graph(model, input_to_model, verbose))

    def add_onnx_graph(self, prototxt) -> None:
        """Log the graph of an ONNX model file (needs the ``onnx`` package)."""
        from ._graph import onnx_graph

        self._get_file_writer().add_onnx_graph(onnx_graph(prototxt))

    # --- files -------------------------------------------------------------------------

    def flush(self) -> None:
        """Write every pending event to disk."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()

    def close(self) -> None:
        """Flush and close the event files (a later ``add_*`` opens a new one)."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()


def _escape(tag: str) -> str:
    # The tag names a folder: escape '%', '/' and '\' as %xx.
    return tag.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")


def _write_projector_config(logdir, config) -> None:
    from google.protobuf import text_format
    from tensorboard.compat import tf

    path = tf.io.gfile.get_filesystem(logdir).join(logdir, "projector_config.pbtxt")
    with tf.io.gfile.GFile(path, "wb") as f:
        f.write(tf.compat.as_bytes(text_format.MessageToString(config)))
