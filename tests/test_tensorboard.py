"""numtorch.utils.tensorboard writes the event files torch.utils.tensorboard writes.

Each parity test makes the same calls on both SummaryWriters (data from one NumPy seed,
as torch and numtorch tensors), reads both log directories back with tensorboard's
event-file loader and compares every event (wall times aside, where the API has no
walltime argument) and every projector file byte for byte.
"""

import os

import numpy as np
import pytest

pytest.importorskip("tensorboard")
torch = pytest.importorskip("torch")
import torch.utils.tensorboard as ttb  # noqa: E402
from tensorboard.backend.event_processing.event_file_loader import (  # noqa: E402
    LegacyEventFileLoader,
)

import numtorch  # noqa: E402
import numtorch.utils.tensorboard as ntb  # noqa: E402

WALL = 1234.5


def _read(logdir) -> dict:
    """{file path relative to logdir: its events (as text) or its bytes}"""
    found = {}
    for folder, _, files in os.walk(logdir):
        for name in files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(folder, logdir)
            if "tfevents" in name:
                events = []
                for event in LegacyEventFileLoader(path).Load():
                    if event.wall_time != WALL:
                        event.wall_time = 0
                    events.append(str(event))
                found[(rel, "events")] = events
            else:
                with open(path, "rb") as f:
                    found[(rel, name)] = f.read()
    return found


def _run(lib, calls, logdir, **kwargs):
    tb = ttb if lib is torch else ntb

    def T(array):  # a NumPy array as this library's tensor
        return lib.from_numpy(np.ascontiguousarray(array))

    with tb.SummaryWriter(str(logdir), **kwargs) as w:
        calls(w, T, np.random.default_rng(0))
    return _read(logdir)


def assert_same_events(tmp_path, calls, **kwargs):
    expected = _run(torch, calls, tmp_path / "torch", **kwargs)
    got = _run(numtorch, calls, tmp_path / "numtorch", **kwargs)
    assert sorted(got) == sorted(expected)
    for key in expected:
        assert got[key] == expected[key], key


def assert_same_error(calls, tmp_path):
    errors = []
    for lib in (torch, numtorch):
        with pytest.raises(Exception) as info:
            _run(lib, calls, tmp_path / lib.__name__)
        errors.append(info.value)
    assert type(errors[1]) is type(errors[0])
    assert str(errors[1]) == str(errors[0])


# --- scalars and tensors -------------------------------------------------------------

def test_add_scalar_python_numpy_and_tensor_values(tmp_path):
    def calls(w, T, rng):
        w.add_scalar("loss", 0.25, 0, walltime=WALL)
        w.add_scalar("loss", 3, 1, walltime=WALL)
        w.add_scalar("loss", np.float32(0.1), 2, walltime=WALL)
        w.add_scalar("loss", T(np.array(1.5, dtype=np.float32)), 3, walltime=WALL)
        w.add_scalar("loss", T(np.array([[2.5]])), 4, walltime=WALL)
        w.add_scalar("acc", 0.1, walltime=WALL)
    assert_same_events(tmp_path, calls)


def test_add_scalar_new_style_and_double_precision(tmp_path):
    def calls(w, T, rng):
        w.add_scalar("a", 0.1, 0, walltime=WALL, new_style=True)
        w.add_scalar("b", 0.1, 0, walltime=WALL, new_style=True, double_precision=True)
        w.add_scalar("c", 0.1, 0, walltime=WALL, double_precision=True)
    assert_same_events(tmp_path, calls)


def test_add_scalars_writes_one_run_per_key(tmp_path):
    def calls(w, T, rng):
        for step in range(3):
            w.add_scalars("run/14h", {"xsinx": step * np.sin(step),
                                      "tanx": T(np.array(np.tan(step)))}, step, walltime=WALL)
    assert_same_events(tmp_path, calls)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32",
                                   "int16", "int8", "uint8", "bool"])
def test_add_tensor_every_dtype(tmp_path, dtype):
    def calls(w, T, rng):
        w.add_tensor("t", T((rng.standard_normal((2, 3)) * 10).astype(dtype)), 5,
                     walltime=WALL)
    assert_same_events(tmp_path, calls)


# --- histograms ----------------------------------------------------------------------

@pytest.mark.parametrize("bins", ["tensorflow", "auto", "fd", 7, [-1.0, 0.0, 0.5, 2.0]])
def test_add_histogram_bins(tmp_path, bins):
    def calls(w, T, rng):
        w.add_histogram("w", T(rng.standard_normal(500).astype(np.float32)), 0, bins=bins,
                        walltime=WALL)
        w.add_histogram("w", rng.standard_normal((10, 10)) + 3, 1, bins=bins, walltime=WALL)
    assert_same_events(tmp_path, calls)


def test_add_histogram_max_bins_ints_and_zeros(tmp_path):
    def calls(w, T, rng):
        x = T(rng.standard_normal(1000).astype(np.float32))
        w.add_histogram("merged", x, 0, max_bins=20, walltime=WALL)
        w.add_histogram("merged", x, 1, bins=100, max_bins=30, walltime=WALL)
        w.add_histogram("ints", T(rng.integers(-5, 6, 50)), 0, walltime=WALL)
        w.add_histogram("zeros", T(np.zeros(4, dtype=np.float32)), 0, walltime=WALL)
        w.add_histogram("one", 2.0, 0, walltime=WALL)
    assert_same_events(tmp_path, calls)


def test_add_histogram_raw(tmp_path):
    def calls(w, T, rng):
        values = rng.standard_normal(100)
        counts, limits = np.histogram(values, bins=10)
        w.add_histogram_raw("raw", values.min(), values.max(), len(values), values.sum(),
                            values.dot(values), limits[1:].tolist(), counts.tolist(), 3,
                            walltime=WALL)
    assert_same_events(tmp_path, calls)


def test_histogram_errors(tmp_path):
    assert_same_error(lambda w, T, rng: w.add_histogram("e", T(np.zeros(0)), 0), tmp_path)
    assert_same_error(lambda w, T, rng: w.add_histogram("e", 1e30, 0), tmp_path / "2")
    assert_same_error(lambda w, T, rng: w.add_histogram_raw("e", 0, 1, 2, 1, 1, [1, 2], [2]),
                      tmp_path / "3")


# --- images --------------------------------------------------------------------------

def test_add_image_layouts_and_dtypes(tmp_path):
    def calls(w, T, rng):
        chw = rng.random((3, 10, 12)).astype(np.float32)
        w.add_image("chw", T(chw), 0, walltime=WALL)
        w.add_image("hwc", T(chw.transpose(1, 2, 0)), 0, walltime=WALL, dataformats="HWC")
        w.add_image("uint8", T((chw * 255).astype(np.uint8)), 0, walltime=WALL)
        w.add_image("grey", T(chw[:1]), 0, walltime=WALL)
        w.add_image("hw", T(chw[0]), 0, walltime=WALL, dataformats="HW")
        w.add_image("wh", chw[0], 0, walltime=WALL, dataformats="WH")
        w.add_image("rgba", T(rng.random((4, 5, 6))), 0, walltime=WALL)
        w.add_image("out of range", T(chw * 3 - 1), 0, walltime=WALL)
        w.add_image("lowercase", chw, 0, walltime=WALL, dataformats="chw")
    assert_same_events(tmp_path, calls)


def test_add_images_tiles_a_batch(tmp_path):
    def calls(w, T, rng):
        w.add_images("nchw", T(rng.random((11, 3, 6, 5)).astype(np.float32)), 0, walltime=WALL)
        w.add_images("nhwc", T(rng.random((3, 6, 5, 1))), 0, walltime=WALL, dataformats="NHWC")
        w.add_images("one", rng.random((1, 1, 4, 4)), 0, walltime=WALL)
    assert_same_events(tmp_path, calls)


def test_add_image_with_boxes(tmp_path):
    def calls(w, T, rng):
        img = T(rng.random((3, 40, 50)).astype(np.float32))
        boxes = T(np.array([[2, 3, 20, 30], [10, 5, 45, 35]], dtype=np.float32))
        w.add_image_with_boxes("boxes", img, boxes, 0, walltime=WALL)
        w.add_image_with_boxes("labels", img, boxes, 0, walltime=WALL, labels=["cat", "dog"])
        w.add_image_with_boxes("bad labels", img, boxes, 0, walltime=WALL, labels="cat")
        w.add_image_with_boxes("rescaled", img, boxes, 0, walltime=WALL, rescale=1.5)
    assert_same_events(tmp_path, calls)


def test_add_figure(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def figure(k):
        fig = plt.figure(figsize=(2, 1.5), dpi=40)
        plt.plot([0, 1, 2], [k, 2 * k, k])
        return fig

    def calls(w, T, rng):
        w.add_figure("fig", figure(1), 0, walltime=WALL)
        w.add_figure("figs", [figure(1), figure(2)], 0, walltime=WALL)
        fig = figure(3)
        w.add_figure("open", fig, 0, walltime=WALL, close=False)
        assert plt.fignum_exists(fig.number)
        plt.close(fig)
    assert_same_events(tmp_path, calls)


@pytest.mark.parametrize("call", [
    lambda w, T, rng: w.add_image("e", T(np.zeros((3, 4, 4))), dataformats="CCH"),
    lambda w, T, rng: w.add_image("e", T(np.zeros((3, 4, 4))), dataformats="HW"),
    lambda w, T, rng: w.add_images("e", T(np.zeros((2, 2, 4, 4)))),
    lambda w, T, rng: w.add_scalar("e", T(np.zeros(3))),
    lambda w, T, rng: w.add_scalar("e", [1.0]),
    lambda w, T, rng: w.add_audio("e", T(np.zeros((2, 8)))),
    lambda w, T, rng: w.add_custom_scalars_marginchart(["a", "b"]),
    lambda w, T, rng: w.add_custom_scalars({"c": {"m": ["Margin", ["a"]]}}),
    lambda w, T, rng: w.add_hparams([], {}),
    lambda w, T, rng: w.add_hparams({"a": [1]}, {"m": 1}),
    lambda w, T, rng: w.add_hparams({"a": 1}, {"m": 1}, hparam_domain_discrete={"a": [1.5]}),
    lambda w, T, rng: w.add_embedding(T(np.zeros((3, 2))), metadata=[1, 2]),
    lambda w, T, rng: w.add_embedding(T(np.zeros(3)), metadata=[1, 2, 3]),
    lambda w, T, rng: w.add_embedding(T(np.zeros((3, 2))), metadata=[[1, 2]] * 3,
                                      metadata_header=["a"]),
    lambda w, T, rng: w.add_image("e", T(np.zeros(4)), dataformats="H"),
    lambda w, T, rng: w.add_scalar("e", "abc"),
    lambda w, T, rng: w.add_text("e", 5),
    lambda w, T, rng: w.add_embedding(T(np.zeros((3, 2))), label_img=T(np.zeros((2, 3, 4, 4)))),
    lambda w, T, rng: w.add_image_with_boxes("e", T(np.zeros((3, 4, 4))), [[0, 0, 1, 1]]),
    lambda w, T, rng: w.add_histogram("e", T(np.array([np.nan, 1.0])), bins="auto"),
    lambda w, T, rng: w.add_pr_curve("e", [1, 0], [0.2, 0.3]),
    lambda w, T, rng: w.add_hparams({"a": 1}, None),
    lambda w, T, rng: w.add_custom_scalars({"c": {"m": ["Multiline"]}}),
    lambda w, T, rng: w.add_tensor("e", [1, 2]),
    lambda w, T, rng: w.add_video("e", T(np.zeros((2, 3, 4, 4)))),
])
def test_errors_match_pytorch(tmp_path, call):
    assert_same_error(call, tmp_path)


def test_mesh_shape_error_names_numtorch_size(tmp_path):
    with ntb.SummaryWriter(str(tmp_path)) as w:
        with pytest.raises(ValueError, match=r"BxNx3, but got numtorch\.Size\(\[4, 3\]\)\."):
            w.add_mesh("e", numtorch.zeros(4, 3))


# --- text, sound, meshes, curves, layouts --------------------------------------------

def test_add_text(tmp_path):
    def calls(w, T, rng):
        w.add_text("note", "lr = 0.1, **bold**", 0, walltime=WALL)
        w.add_text("note", "ünïcødé", 1, walltime=WALL)
    assert_same_events(tmp_path, calls)


def test_add_audio(tmp_path, capsys):
    def calls(w, T, rng):
        w.add_audio("sine", T(np.sin(np.arange(400) / 5.0)[None]), 0, walltime=WALL)
        w.add_audio("loud", T(rng.standard_normal(300).astype(np.float32) * 2), 0,
                    sample_rate=8000, walltime=WALL)
    assert_same_events(tmp_path, calls)
    assert capsys.readouterr().out.count("audio amplitude out of range") == 2


def test_add_mesh(tmp_path):
    def calls(w, T, rng):
        vertices = T(np.array([[[1, 1, 1], [-1, -1, 1], [1, -1, -1], [-1, 1, -1]]],
                              dtype=np.float32))
        colors = T(np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 0, 255]]],
                            dtype=np.int32))
        faces = T(np.array([[[0, 2, 3], [0, 3, 1], [0, 1, 2], [1, 3, 2]]], dtype=np.int32))
        w.add_mesh("mesh", vertices, colors=colors, faces=faces, global_step=0, walltime=WALL)
        w.add_mesh("cloud", [[[0.1, 0.2, 0.3]]], config_dict={"camera": {"fov": 75}},
                   walltime=WALL)
    assert_same_events(tmp_path, calls)


def test_add_pr_curve(tmp_path):
    def calls(w, T, rng):
        labels, predictions = rng.integers(0, 2, 100), rng.random(100)
        w.add_pr_curve("pr", labels, predictions, 0, walltime=WALL)
        w.add_pr_curve("pr", T(labels), T(predictions.astype(np.float32)), 1,
                       num_thresholds=10, walltime=WALL)
        w.add_pr_curve("weighted", T(labels.astype(bool)), T(predictions), 0,
                       weights=rng.random(100), num_thresholds=500, walltime=WALL)
    assert_same_events(tmp_path, calls)


def test_add_pr_curve_raw(tmp_path):
    def calls(w, T, rng):
        n = 5
        counts = [rng.integers(0, 10, n).astype(np.float64) for _ in range(4)]
        w.add_pr_curve_raw("raw", *counts, rng.random(n), rng.random(n), 2, num_thresholds=n,
                           walltime=WALL)
        w.add_pr_curve_raw("lists", [4, 3], [2, 1], [0, 1], [0, 1], [0.6, 0.7], [1, 0.75],
                           num_thresholds=200, walltime=WALL)
    assert_same_events(tmp_path, calls)


def test_add_custom_scalars_and_chart_helpers(tmp_path):
    def calls(w, T, rng):
        w.add_custom_scalars({"Taiwan": {"twse": ["Multiline", ["twse/0050", "twse/2330"]]},
                              "USA": {"dow": ["Margin", ["dow/a", "dow/b", "dow/c"]],
                                      "nasdaq": ["Margin", ["n/a", "n/b", "n/c"]]}})
        w.add_custom_scalars_multilinechart(["a", "b"])
        w.add_custom_scalars_marginchart(["a", "b", "c"], category="cat", title="band")
    assert_same_events(tmp_path, calls)


def test_add_video_without_moviepy_logs_an_empty_image(tmp_path, capsys):
    try:
        import moviepy  # noqa: F401
        pytest.skip("moviepy is installed")
    except ImportError:
        pass

    def calls(w, T, rng):
        w.add_video("clip", T(rng.random((3, 2, 3, 4, 4)).astype(np.float32)), 0, walltime=WALL)
    assert_same_events(tmp_path, calls)
    assert capsys.readouterr().out == "add_video needs package moviepy\n" * 2


# --- hyperparameters and embeddings ----------------------------------------------------

def test_add_hparams(tmp_path):
    def calls(w, T, rng):
        w.add_hparams({"lr": 0.1, "bsize": 16, "optim": "adam", "nesterov": True,
                       "dropout": None, "wd": T(np.array([1e-4]))},
                      {"hparam/accuracy": 0.9, "hparam/loss": T(np.array(0.3))},
                      hparam_domain_discrete={"optim": ["adam", "sgd"], "bsize": [16, 32]},
                      run_name="run1")
        w.add_hparams({"lr": 0.2}, {"hparam/accuracy": 0.8}, run_name="run2", global_step=7)
    assert_same_events(tmp_path, calls)


def test_add_embedding_projector_files(tmp_path, capsys):
    def calls(w, T, rng):
        mat = T(rng.standard_normal((10, 4)).astype(np.float32))
        images = T(rng.random((10, 3, 5, 5)).astype(np.float32))
        w.add_embedding(mat, metadata=[f"p{i}" for i in range(10)], label_img=images)
        w.add_embedding(mat, metadata=[[i, i % 2] for i in range(10)],
                        metadata_header=["index", "parity"], global_step=3, tag="multi/col")
        w.add_embedding(rng.standard_normal((5, 2)), global_step=3, tag="100%")
        w.add_embedding(mat, label_img=T(rng.random((10, 1, 3, 4))), global_step=4, tag="grey")
        w.add_embedding(mat, metadata=list(range(10)))  # same folder again: a warning
    assert_same_events(tmp_path, calls)
    warning = "warning: Embedding dir exists, did you set global_step for add_embedding()?\n"
    assert capsys.readouterr().out == warning * 2


# --- the writer itself ---------------------------------------------------------------

def test_purge_step_and_filename_suffix(tmp_path):
    def calls(w, T, rng):
        w.add_scalar("x", 1.0, 5, walltime=WALL)
    assert_same_events(tmp_path, calls, purge_step=4, filename_suffix=".mine")
    names = os.listdir(tmp_path / "numtorch")
    assert len(names) == 1 and names[0].endswith(".mine")


def test_writing_after_close_opens_a_new_event_file(tmp_path):
    def calls(w, T, rng):
        w.add_scalar("x", 1.0, 0, walltime=WALL)
        w.close()
        w.close()  # a second close is ignored
        w.flush()
        w.add_scalar("x", 2.0, 1, walltime=WALL)

    for lib in (torch, numtorch):
        _run(lib, calls, tmp_path / lib.__name__)
        assert len(os.listdir(tmp_path / lib.__name__)) == 2


def test_default_log_dir_name(tmp_path, monkeypatch):
    import re
    import socket

    monkeypatch.chdir(tmp_path)
    for tb in (ttb, ntb):
        tb.SummaryWriter(comment="_lr0.1").close()
    pattern = r"[A-Z][a-z]{2}\d\d_\d\d-\d\d-\d\d_" + re.escape(socket.gethostname() + "_lr0.1")
    names = os.listdir(tmp_path / "runs")
    assert names and all(re.fullmatch(pattern, n) for n in names)
    w = ntb.SummaryWriter(log_dir=str(tmp_path / "given"), comment="ignored")
    assert w.get_logdir() == str(tmp_path / "given")
    w.close()


def test_missing_tensorboard_raises_pytorchs_error(monkeypatch):
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "tensorboard", None)  # as if not installed
    errors = []
    for package in ("torch.utils.tensorboard", "numtorch.utils.tensorboard"):
        for name in [m for m in sys.modules if m.startswith(package)]:
            monkeypatch.delitem(sys.modules, name)
        with pytest.raises(ImportError) as info:
            importlib.import_module(package)
        errors.append(info.value)
    assert type(errors[1]) is type(errors[0]) is ModuleNotFoundError
    assert str(errors[1]) == str(errors[0])


def test_numtorch_imports_without_tensorboard():
    import subprocess
    import sys

    code = ("import sys; sys.modules['tensorboard'] = None; import numtorch, numtorch.utils; "
            "print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert result.stdout == "ok\n", result.stderr


# --- add_graph -----------------------------------------------------------------------

def _small_cnn(lib):
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3)
            self.pool = nn.MaxPool2d(2)
            self.fc = nn.Sequential(nn.Linear(4 * 3 * 3, 10), nn.ReLU())

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            return self.fc(lib.flatten(x, 1))

    return Net()


def _graph_nodes(lib, tmp_path):
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    tb = ttb if lib is torch else ntb
    model = _small_cnn(lib)
    model.train()
    with tb.SummaryWriter(str(tmp_path / lib.__name__)) as w:
        w.add_graph(model, lib.randn(2, 1, 8, 8))
    assert model.training  # restored after the eval-mode run
    events = list(_read(tmp_path / lib.__name__).values())[0]
    assert 'tag: "step1"' in events[2]
    (path,) = [os.path.join(tmp_path / lib.__name__, n) for n in
               os.listdir(tmp_path / lib.__name__)]
    for event in LegacyEventFileLoader(path).Load():
        if event.HasField("graph_def"):
            graph = GraphDef.FromString(event.graph_def)
            assert graph.versions.producer == 22
            return {n.name: n for n in graph.node}


def _shape(node):
    return [d.size for d in node.attr["_output_shapes"].list.shape[0].dim]


def test_add_graph_nodes_scopes_params_and_edges(tmp_path):
    nodes = _graph_nodes(numtorch, tmp_path)
    table = {name: (n.op, list(n.input), _shape(n)) for name, n in nodes.items()}
    conv, lin = "Net/Conv2d[conv1]", "Net/Sequential[fc]/Linear[0]"
    assert table == {
        "input/x": ("IO Node", [], [2, 1, 8, 8]),
        f"{conv}/weight": ("Parameter", [], [4, 1, 3, 3]),
        f"{conv}/bias": ("Parameter", [], [4]),
        f"{conv}/convolution": ("aten::convolution",
                                ["input/x", f"{conv}/weight", f"{conv}/bias"], [2, 4, 6, 6]),
        "Net/relu": ("aten::relu", [f"{conv}/convolution"], [2, 4, 6, 6]),
        "Net/MaxPool2d[pool]/max_pool2d_with_indices": ("aten::max_pool2d_with_indices",
                                                        ["Net/relu"], [2, 4, 3, 3]),
        "Net/view": ("aten::view", ["Net/MaxPool2d[pool]/max_pool2d_with_indices"], [2, 36]),
        f"{lin}/weight": ("Parameter", [], [10, 36]),
        f"{lin}/bias": ("Parameter", [], [10]),
        f"{lin}/addmm": ("aten::addmm", ["Net/view", f"{lin}/weight", f"{lin}/bias"], [2, 10]),
        "Net/Sequential[fc]/ReLU[1]/relu": ("aten::relu", [f"{lin}/addmm"], [2, 10]),
        "output/output.1": ("IO Node", ["Net/Sequential[fc]/ReLU[1]/relu"], [2, 10]),
    }
    assert nodes[f"{conv}/convolution"].attr["attr"].s == b"{ grad_fn : ConvolutionBackward0 }"


def test_add_graph_groups_ops_into_pytorchs_scopes(tmp_path):
    def scopes(nodes):
        return {name.rsplit("/", 1)[0] for name, n in nodes.items()
                if n.op.startswith("aten::")}

    theirs = _graph_nodes(torch, tmp_path)
    ours = _graph_nodes(numtorch, tmp_path)
    assert scopes(ours) == scopes(theirs)
    def io(nodes):  # PyTorch names the input after TorchScript's value, 'x.1'
        return [(name.split("/")[0], _shape(n)) for name, n in nodes.items() if n.op == "IO Node"]

    assert io(ours) == io(theirs)


def test_add_graph_multiple_outputs_shared_module_and_int_input(tmp_path):
    nn = numtorch.nn

    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(5, 3)
            self.lin = nn.Linear(3, 3)

        def forward(self, idx, scale):
            h = self.lin(self.emb(idx))
            return self.lin(h) * scale, h.sum()

    with ntb.SummaryWriter(str(tmp_path)) as w:
        w.add_graph(Twice(), (numtorch.tensor([1, 2]), numtorch.tensor(2.0)), verbose=True)
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    (path,) = [os.path.join(tmp_path, n) for n in os.listdir(tmp_path)]
    graph = next(GraphDef.FromString(e.graph_def) for e in LegacyEventFileLoader(path).Load()
                 if e.HasField("graph_def"))
    names = [n.name for n in graph.node]
    assert names.count("Twice/Linear[lin]/weight") == 1
    assert "Twice/Linear[lin]/addmm" in names and "Twice/Linear[lin]/addmm_1" in names
    assert "Twice/Embedding[emb]/embedding" in names
    assert {"input/idx", "input/scale", "output/output.1", "output/output.2"} <= set(names)
    mul = next(n for n in graph.node if n.op == "aten::mul")
    assert list(mul.input) == ["Twice/Linear[lin]/addmm_1", "input/scale"]


# --- the TensorBoard tutorial --------------------------------------------------------

def test_tutorial_logging_calls(tmp_path):
    """The calls of PyTorch's "Visualizing models, data, and training with TensorBoard"."""
    classes = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle Boot")

    def calls(w, T, rng):
        data = T(rng.integers(0, 256, (20, 28, 28), dtype=np.uint8))
        targets = rng.integers(0, 10, 20)
        w.add_images("four_fashion_mnist_images", data[:4].unsqueeze(1).float() / 255,
                     walltime=WALL)
        w.add_embedding(data.view(-1, 28 * 28), metadata=[classes[t] for t in targets],
                        label_img=data.unsqueeze(1))
        for i in range(3):
            w.add_scalar("training loss", 2.3 / (i + 1), i * 1000, walltime=WALL)
        probs = rng.random((20, 10))
        probs = T(probs / probs.sum(1, keepdims=True))
        truth = T(targets) == 3
        w.add_pr_curve(classes[3], truth, probs[:, 3], global_step=0, walltime=WALL)
    assert_same_events(tmp_path, calls)


def test_tutorial_add_graph(tmp_path):
    nn, F = numtorch.nn, numtorch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 4 * 4, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = x.view(-1, 16 * 4 * 4)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    from tensorboard.compat.proto.graph_pb2 import GraphDef

    with ntb.SummaryWriter(str(tmp_path)) as w:
        w.add_graph(Net(), numtorch.randn(4, 1, 28, 28))
    (path,) = [os.path.join(tmp_path, n) for n in os.listdir(tmp_path)]
    graph = next(GraphDef.FromString(e.graph_def) for e in LegacyEventFileLoader(path).Load()
                 if e.HasField("graph_def"))
    scopes = {n.name.rsplit("/", 1)[0] for n in graph.node if n.op.startswith("aten::")}
    assert scopes == {"Net", "Net/Conv2d[conv1]", "Net/Conv2d[conv2]", "Net/MaxPool2d[pool]",
                      "Net/Linear[fc1]", "Net/Linear[fc2]", "Net/Linear[fc3]"}
    pools = [n for n in graph.node if n.name.startswith("Net/MaxPool2d[pool]/")]
    assert len(pools) == 2  # the pool module runs twice: two nodes in its scope


def test_add_onnx_graph_without_onnx_raises_pytorchs_error(tmp_path):
    try:
        import onnx  # noqa: F401
        pytest.skip("onnx is installed")
    except ImportError:
        pass
    assert_same_error(lambda w, T, rng: w.add_onnx_graph("model.onnx"), tmp_path)


def test_onnx_graph_def_matches_pytorchs(capsys):
    """An ONNX graph (built here from plain objects with ONNX's fields) converts as in PyTorch."""
    from types import SimpleNamespace as NS

    from google.protobuf.struct_pb2 import Value
    from torch.utils.tensorboard._onnx_graph import parse

    from numtorch.utils.tensorboard._graph import onnx_to_graph_def

    def value(name, dims):
        shape = NS(dim=[NS(dim_value=d) for d in dims])
        return NS(name=name, type=NS(tensor_type=NS(elem_type=1, shape=shape)))

    attribute = Value(number_value=2.0)  # a proto with fields, as ONNX's AttributeProto
    graph = NS(input=[value("x", [1, 3]), value("w", [3, 4])], output=[value("y", [1, 4])],
               node=[NS(op_type="MatMul", input=["x", "w"], output=["xw"], attribute=[]),
                     NS(op_type="Mul", input=["xw", "x"], output=["y"],
                        attribute=[attribute, attribute])])
    assert onnx_to_graph_def(graph) == parse(graph)
