"""numtorch.vision.models against torchvision's architectures.

torchvision is not installed here, so each test builds torchvision's network from
``torch.nn`` primitives (the same module tree, names and initialisation order as
torchvision's source) and compares: repr, state_dict keys and shapes, the parameter count
torchvision's weights record, the weights drawn after ``manual_seed`` (bit for bit), and
forward/backward with copied weights. Full-size VGGs draw ~130M random numbers each, so
structure tests switch the layers' default initialisation off on both sides.
"""

from __future__ import annotations

import fractions
import hashlib
import os
import pickle
import urllib.error
import urllib.request

import numpy as np
import pytest

import numtorch
import numtorch.vision.models as models
from numtorch.vision.models import _api

torch = pytest.importorskip("torch")
tnn = torch.nn

# ---------------------------------------------------------------- torchvision, rebuilt from torch.nn

VGG_CFGS = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
          512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
          512, 512, 512, 512, "M"],
}
VGG_BUILDERS = {"vgg11": ("A", False), "vgg11_bn": ("A", True), "vgg13": ("B", False),
                "vgg13_bn": ("B", True), "vgg16": ("D", False), "vgg16_bn": ("D", True),
                "vgg19": ("E", False), "vgg19_bn": ("E", True)}


class VGG(tnn.Module):
    """torchvision.models.vgg.VGG, as its source builds and initialises it."""

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = tnn.AdaptiveAvgPool2d((7, 7))
        self.classifier = tnn.Sequential(
            tnn.Linear(512 * 7 * 7, 4096), tnn.ReLU(True), tnn.Dropout(p=dropout),
            tnn.Linear(4096, 4096), tnn.ReLU(True), tnn.Dropout(p=dropout),
            tnn.Linear(4096, num_classes))
        if init_weights:
            for m in self.modules():
                if isinstance(m, tnn.Conv2d):
                    tnn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        tnn.init.constant_(m.bias, 0)
                elif isinstance(m, tnn.BatchNorm2d):
                    tnn.init.constant_(m.weight, 1)
                    tnn.init.constant_(m.bias, 0)
                elif isinstance(m, tnn.Linear):
                    tnn.init.normal_(m.weight, 0, 0.01)
                    tnn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def torch_vgg(name: str, **kwargs) -> VGG:
    cfg, batch_norm = VGG_BUILDERS[name]
    layers, in_channels = [], 3
    for v in VGG_CFGS[cfg]:
        if v == "M":
            layers.append(tnn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(tnn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(tnn.BatchNorm2d(v))
        layers.append(tnn.ReLU(inplace=True))
        in_channels = v
    return VGG(tnn.Sequential(*layers), **kwargs)


class AlexNet(tnn.Module):
    """torchvision.models.alexnet.AlexNet (default layer initialisation)."""

    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = tnn.Sequential(
            tnn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), tnn.ReLU(inplace=True),
            tnn.MaxPool2d(kernel_size=3, stride=2),
            tnn.Conv2d(64, 192, kernel_size=5, padding=2), tnn.ReLU(inplace=True),
            tnn.MaxPool2d(kernel_size=3, stride=2),
            tnn.Conv2d(192, 384, kernel_size=3, padding=1), tnn.ReLU(inplace=True),
            tnn.Conv2d(384, 256, kernel_size=3, padding=1), tnn.ReLU(inplace=True),
            tnn.Conv2d(256, 256, kernel_size=3, padding=1), tnn.ReLU(inplace=True),
            tnn.MaxPool2d(kernel_size=3, stride=2))
        self.avgpool = tnn.AdaptiveAvgPool2d((6, 6))
        self.classifier = tnn.Sequential(
            tnn.Dropout(p=dropout), tnn.Linear(256 * 6 * 6, 4096), tnn.ReLU(inplace=True),
            tnn.Dropout(p=dropout), tnn.Linear(4096, 4096), tnn.ReLU(inplace=True),
            tnn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def conv3x3(cin, cout, stride=1, groups=1):
    return tnn.Conv2d(cin, cout, kernel_size=3, stride=stride, padding=1, groups=groups,
                      bias=False)


def conv1x1(cin, cout, stride=1):
    return tnn.Conv2d(cin, cout, kernel_size=1, stride=stride, bias=False)


class BasicBlock(tnn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.relu = tnn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out + identity)


class Bottleneck(tnn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64):
        super().__init__()
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = tnn.BatchNorm2d(width)
        self.conv2 = conv3x3(width, width, stride, groups)
        self.bn2 = tnn.BatchNorm2d(width)
        self.conv3 = conv1x1(width, planes * 4)
        self.bn3 = tnn.BatchNorm2d(planes * 4)
        self.relu = tnn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)) + identity)


class ResNet(tnn.Module):
    """torchvision.models.resnet.ResNet (no dilation)."""

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1,
                 width_per_group=64):
        super().__init__()
        self.inplanes = 64
        self.shape = {} if block is BasicBlock else {"groups": groups,
                                                     "base_width": width_per_group}
        self.conv1 = tnn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = tnn.BatchNorm2d(64)
        self.relu = tnn.ReLU(inplace=True)
        self.maxpool = tnn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
        self.avgpool = tnn.AdaptiveAvgPool2d((1, 1))
        self.fc = tnn.Linear(512 * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, tnn.Conv2d):
                tnn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, tnn.BatchNorm2d):
                tnn.init.constant_(m.weight, 1)
                tnn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck):
                    tnn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock):
                    tnn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = tnn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                        tnn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, **self.shape)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes, **self.shape) for _ in range(1, blocks)]
        return tnn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


RESNETS = {"resnet18": (BasicBlock, [2, 2, 2, 2]), "resnet34": (BasicBlock, [3, 4, 6, 3]),
           "resnet50": (Bottleneck, [3, 4, 6, 3]), "resnet101": (Bottleneck, [3, 4, 23, 3]),
           "resnet152": (Bottleneck, [3, 8, 36, 3])}


# torchvision's grouped (ResNeXt) and wider (Wide ResNet) Bottleneck variants
RESNET_VARIANTS = {"resnext50_32x4d": ([3, 4, 6, 3], 32, 4),
                   "resnext101_32x8d": ([3, 4, 23, 3], 32, 8),
                   "resnext101_64x4d": ([3, 4, 23, 3], 64, 4),
                   "wide_resnet50_2": ([3, 4, 6, 3], 1, 128),
                   "wide_resnet101_2": ([3, 4, 23, 3], 1, 128)}


def torch_resnet(name: str, **kwargs) -> ResNet:
    if name in RESNET_VARIANTS:
        layers, groups, width = RESNET_VARIANTS[name]
        kwargs = {"groups": groups, **kwargs}
        return ResNet(Bottleneck, layers, width_per_group=width, **kwargs)
    block, layers = RESNETS[name]
    return ResNet(block, layers, **kwargs)


# ---------------------------------------------------------------- helpers

@pytest.fixture
def no_default_init(monkeypatch):
    """Skip the layers' own reset_parameters on both sides (structure-only tests)."""
    for lib in (numtorch.nn, tnn):
        for name in ("Linear", "Conv2d"):
            monkeypatch.setattr(getattr(lib, name), "reset_parameters", lambda self: None)


@pytest.fixture
def no_init(no_default_init, monkeypatch):
    """Also skip the models' own kaiming/normal draws (repr and shape tests only)."""
    for lib in (numtorch.nn, tnn):
        for name in ("kaiming_normal_", "normal_"):
            monkeypatch.setattr(lib.init, name, lambda tensor, *args, **kwargs: tensor)


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    """An empty TORCH_HOME, and a network that is never reached."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))

    def offline(*args, **kwargs):
        raise urllib.error.URLError(OSError(101, "Network is unreachable"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    return tmp_path / "torch_home" / "hub" / "checkpoints"


def shapes(module) -> list[tuple[str, tuple[int, ...]]]:
    return [(k, tuple(v.shape)) for k, v in module.state_dict().items()]


def copy_into(nt_module, torch_module) -> None:
    state = {k: numtorch.from_numpy(v.detach().numpy().copy())
             for k, v in torch_module.state_dict().items()}
    nt_module.load_state_dict(state)


def assert_same_params(nt_module, torch_module) -> None:
    ref = torch_module.state_dict()
    for k, v in nt_module.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), ref[k].numpy(), err_msg=k)


# ---------------------------------------------------------------- VGG

@pytest.mark.parametrize("name", list(VGG_BUILDERS))
def test_vgg_repr_state_dict_and_num_params_match_torchvision(name, no_default_init):
    model = getattr(models, name)(init_weights=False)
    ref = torch_vgg(name, init_weights=False)
    assert repr(model) == repr(ref)
    assert shapes(model) == shapes(ref)
    enum = models.get_model_weights(name)
    assert enum.__name__ == name.upper() + "_Weights"
    num_params = sum(p.numel() for p in model.parameters())
    assert num_params == enum.DEFAULT.meta["num_params"]


def test_vgg_options_reach_the_classifier(no_default_init):
    model = models.vgg13(num_classes=10, dropout=0.25, init_weights=False)
    ref = torch_vgg("vgg13", num_classes=10, dropout=0.25, init_weights=False)
    assert repr(model) == repr(ref)
    assert tuple(model.classifier[6].weight.shape) == (10, 4096)


def test_vgg11_initialisation_after_manual_seed_is_torchvisions_bit_for_bit(monkeypatch):
    # Linear's own uniform draws (123M here, its parity is tests/nn's business) are skipped on
    # both sides to halve the time; VGG's He-normal / N(0, 0.01) draws, in torchvision's
    # module order, are all compared. resnet18 and alexnet below keep every default draw.
    for lib in (numtorch.nn, tnn):
        monkeypatch.setattr(lib.Linear, "reset_parameters", lambda self: None)
    numtorch.manual_seed(7)
    model = models.vgg11()
    torch.manual_seed(7)
    ref = torch_vgg("vgg11")
    assert_same_params(model, ref)
    # He-normal fan_out convolutions, N(0, 0.01) Linear weights, zero biases
    assert float(model.classifier[0].bias.abs().sum()) == 0.0
    # and the same forward: eval mode (no dropout), a 32x32 input pooled up to 7x7
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32), dtype=np.float32)
    model.eval()
    ref.eval()
    out = model(numtorch.from_numpy(x))
    np.testing.assert_allclose(out.detach().numpy(), ref(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-6)


def test_vgg11_bn_forward_and_backward_match_with_copied_weights(no_default_init):
    torch.manual_seed(0)
    ref = torch_vgg("vgg11_bn", num_classes=10, dropout=0.0)
    for m in ref.modules():  # non-trivial running statistics and affine parameters
        if isinstance(m, tnn.BatchNorm2d):
            for t in (m.running_mean, m.running_var, m.weight, m.bias):
                t.data.uniform_(0.5, 1.5)
    model = models.vgg11_bn(num_classes=10, dropout=0.0, init_weights=False)
    copy_into(model, ref)
    x = np.random.default_rng(1).standard_normal((2, 3, 32, 32), dtype=np.float32)
    for train in (False, True):  # eval: running statistics; train: batch statistics
        model.train(train)
        ref.train(train)
        xt = torch.from_numpy(x).requires_grad_()
        xn = numtorch.from_numpy(x).requires_grad_()
        out_t, out_n = ref(xt), model(xn)
        np.testing.assert_allclose(out_n.detach().numpy(), out_t.detach().numpy(),
                                   rtol=1e-3, atol=1e-4)
        g = np.random.default_rng(2).standard_normal(out_t.shape, dtype=np.float32)
        out_t.backward(torch.from_numpy(g))
        out_n.backward(numtorch.from_numpy(g))
        np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-3, atol=1e-5)
        w_t, w_n = ref.features[0].weight, model.features[0].weight
        np.testing.assert_allclose(w_n.grad.numpy(), w_t.grad.numpy(), rtol=1e-3, atol=1e-4)
        ref.zero_grad()
        model.zero_grad()
    # train-mode forward updated the running statistics the same way
    np.testing.assert_allclose(model.features[1].running_mean.numpy(),
                               ref.features[1].running_mean.numpy(), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- weights enums

def test_weights_enum_members_names_and_meta():
    w = models.VGG16_Weights.IMAGENET1K_V1
    assert models.VGG16_Weights.DEFAULT is w
    assert repr(w) == "VGG16_Weights.IMAGENET1K_V1" and str(w) == "VGG16_Weights.IMAGENET1K_V1"
    assert w.url == "https://download.pytorch.org/models/vgg16-397923af.pth"
    assert w.meta["num_params"] == 138357544 and w.meta["min_size"] == (32, 32)
    categories = w.meta["categories"]
    assert len(categories) == 1000 and len(set(categories)) == 1000
    assert (categories[0], categories[207], categories[281], categories[999]) == (
        "tench", "golden retriever", "tabby", "toilet tissue")
    assert models.VGG16_Weights.IMAGENET1K_FEATURES.meta["categories"] is None
    assert [m.name for m in models.VGG16_Weights] == ["IMAGENET1K_V1", "IMAGENET1K_FEATURES"]
    assert models.get_weight("VGG16_Weights.DEFAULT") is w
    assert models.get_model_weights(models.vgg16) is models.VGG16_Weights


def test_weights_transforms_is_the_imagenet_preset():
    preset = models.VGG16_Weights.DEFAULT.transforms()
    assert repr(preset) == ("ImageClassification(\n    crop_size=[224]\n    resize_size=[256]\n"
                            "    mean=[0.485, 0.456, 0.406]\n    std=[0.229, 0.224, 0.225]\n"
                            "    interpolation=InterpolationMode.BILINEAR\n)")
    img = numtorch.from_numpy(np.full((3, 300, 260), 128, dtype=np.uint8))
    out = preset(img)
    assert tuple(out.shape) == (3, 224, 224) and out.dtype == numtorch.float32
    expected = (128 / 255 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(out.numpy()[:, 100, 100], expected, rtol=1e-5)


def test_verify_accepts_members_names_and_none():
    enum = models.VGG11_Weights
    for given in (enum.IMAGENET1K_V1, "IMAGENET1K_V1", "DEFAULT", "VGG11_Weights.IMAGENET1K_V1"):
        assert enum.verify(given) is enum.IMAGENET1K_V1
    assert enum.verify(None) is None


def test_bad_weights_raise_torchvisions_errors(no_default_init):
    with pytest.raises(KeyError, match="IMAGENET1K_V2"):
        models.vgg11(weights="IMAGENET1K_V2")
    with pytest.raises(TypeError, match=r"^Invalid Weight class provided; expected VGG16_Weights "
                                        r"but received VGG11_Weights\.$"):
        models.vgg16(weights=models.VGG11_Weights.DEFAULT)
    with pytest.raises(ValueError, match=r"^The parameter 'num_classes' expected value 1000 but "
                                         r"got 10 instead\.$"):
        models.vgg11(weights="DEFAULT", num_classes=10)
    with pytest.raises(ValueError, match="Unknown model resnet9000"):
        models.get_model("ResNet9000")
    with pytest.raises(ValueError, match="Invalid weight name provided: 'VGG16_Weights'"):
        models.get_weight("VGG16_Weights")


def test_registry_lists_and_builds_models(no_default_init):
    assert {"vgg11", "vgg16_bn", "vgg19"} <= set(models.list_models())
    assert models.list_models(include="vgg1?_bn", exclude="*13*") == [
        "vgg11_bn", "vgg16_bn", "vgg19_bn"]
    model = models.get_model("VGG11", num_classes=3, init_weights=False)
    assert type(model) is models.VGG and model.classifier[6].out_features == 3



@pytest.mark.parametrize("name", ["alexnet", "vgg11", "vgg19_bn", "resnet18", "resnet152"])
def test_builders_look_hand_written(name):
    # vgg/resnet builders come from a factory: name, module, signature, docstring and the
    # weights enum must still be what a ``def`` in the family's module would give
    import inspect
    fn = getattr(models, name)
    family = name.rstrip("0123456789_bn") or name
    assert fn.__name__ == fn.__qualname__ == name and repr(fn).startswith(f"<function {name} ")
    assert fn.__module__ == f"numtorch.vision.models.{family}"
    assert models.list_models(module=models).count(name) == 1
    params = inspect.signature(fn).parameters
    assert list(params) == ["weights", "progress", "kwargs"]
    assert params["weights"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["weights"].default is None and params["progress"].default is True
    enum = models.get_model_weights(fn)
    assert enum.__name__.lower() == name + "_weights" and f"``{enum.__name__}``" in fn.__doc__

# ---------------------------------------------------------------- the download cache

@pytest.fixture(scope="module")
def vgg11_cache(tmp_path_factory):
    """A TORCH_HOME holding a vgg11 checkpoint under torchvision's file name, written by
    torch.save in torch's legacy (pre-zip) format as the 2017 download.pytorch.org files are
    (one 530 MB file shared by the tests that load it)."""
    home = tmp_path_factory.mktemp("torch_home")
    path = home / "hub" / "checkpoints" / "vgg11-8a719046.pth"
    path.parent.mkdir(parents=True)
    torch.manual_seed(3)
    ref = torch_vgg("vgg11", init_weights=False)
    torch.save(ref.state_dict(), path, _use_new_zipfile_serialization=False)
    return home, ref


@pytest.fixture
def cached_vgg11(vgg11_cache, torch_home, monkeypatch):
    home, ref = vgg11_cache
    monkeypatch.setenv("TORCH_HOME", str(home))
    return ref


def test_pretrained_weights_load_from_the_torch_hub_cache(cached_vgg11, no_default_init, capsys):
    model = models.vgg11(weights="IMAGENET1K_V1")
    assert_same_params(model, cached_vgg11)
    assert "Downloading" not in capsys.readouterr().out  # the cached file was used


def test_weights_get_state_dict_loads_weights_only_unlike_torch_hub(torch_home):
    # A numtorch choice: torchvision passes torch.hub's weights_only=False through; numtorch
    # (get_state_dict and hub.load_state_dict_from_url alike) runs no code from a downloaded
    # file unless asked. A checkpoint of tensors loads the same either way.
    weights = models.ResNet18_Weights.IMAGENET1K_V1
    torch_home.mkdir(parents=True)
    numtorch.save({"w": numtorch.zeros(2), "note": fractions.Fraction(1, 2)},
                  str(torch_home / os.path.basename(weights.url)))
    with pytest.raises(pickle.UnpicklingError, match="^Weights only load failed"):
        weights.get_state_dict(progress=False)
    assert weights.get_state_dict(progress=False, weights_only=False)["note"] == 0.5
    with pytest.raises(pickle.UnpicklingError, match="^Weights only load failed"):
        numtorch.hub.load_state_dict_from_url(weights.url, progress=False)
    assert numtorch.hub.load_state_dict_from_url(weights.url, progress=False,
                                                 weights_only=False)["note"] == 0.5


def test_torch_home_defaults_to_the_xdg_cache_then_home(monkeypatch, tmp_path):
    monkeypatch.delenv("TORCH_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _api._checkpoint_dir() == os.path.join(str(tmp_path), "torch", "hub", "checkpoints")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _api._checkpoint_dir() == os.path.join(str(tmp_path / "home"), ".cache", "torch",
                                                  "hub", "checkpoints")


def test_offline_download_names_the_url_and_where_to_put_the_file(torch_home, no_default_init,
                                                                  capsys):
    url = "https://download.pytorch.org/models/vgg11-8a719046.pth"
    target = torch_home / "vgg11-8a719046.pth"
    with pytest.raises(RuntimeError, match="Could not download") as info:
        models.vgg11(weights="DEFAULT")
    assert url in str(info.value) and str(target) in str(info.value)
    assert f'Downloading: "{url}" to {target}' in capsys.readouterr().out
    assert os.listdir(torch_home) == []  # nothing half-written is left behind


def test_download_is_atomic_and_checks_the_hash_in_the_file_name(tmp_path, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", urllib.request.urlopen)  # file:// URLs
    src = tmp_path / "src"
    src.mkdir()
    payload = src / "payload.pth"
    numtorch.save({"w": numtorch.arange(4.0)}, str(payload))
    digest = hashlib.sha256(payload.read_bytes()).hexdigest()
    good = src / f"tiny-{digest[:8]}.pth"
    bad = src / "tiny-deadbeef.pth"
    for f in (good, bad):
        f.write_bytes(payload.read_bytes())
    cache = tmp_path / "cache"
    state = _api.load_state_dict_from_url(good.as_uri(), model_dir=str(cache), progress=False,
                                          check_hash=True)
    np.testing.assert_array_equal(state["w"].numpy(), np.arange(4.0, dtype=np.float32))
    assert os.listdir(cache) == [good.name]
    with pytest.raises(RuntimeError, match=r'invalid hash value \(expected "deadbeef"'):
        _api.load_state_dict_from_url(bad.as_uri(), model_dir=str(cache), progress=False,
                                      check_hash=True)
    assert os.listdir(cache) == [good.name]


# ---------------------------------------------------------------- the deprecated interface

def test_pretrained_true_means_the_default_weights_with_torchvisions_warnings(
        cached_vgg11, no_default_init):
    with pytest.warns(UserWarning) as record:
        model = models.vgg11(pretrained=True)
    assert [str(w.message) for w in record] == [
        "The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, "
        "please use 'weights' instead.",
        "Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 "
        "and may be removed in the future. The current behavior is equivalent to passing "
        "`weights=VGG11_Weights.IMAGENET1K_V1`. You can also use "
        "`weights=VGG11_Weights.DEFAULT` to get the most up-to-date weights."]
    assert all(w.filename == __file__ for w in record)  # attributed to the caller's line
    assert_same_params(model, cached_vgg11)


def test_pretrained_false_and_positional_flags(no_default_init):
    with pytest.warns(UserWarning) as record:
        models.vgg11(pretrained=False, init_weights=False)
    assert str(record[-1].message).endswith("The current behavior is equivalent to passing "
                                            "`weights=None`.")
    with pytest.warns(UserWarning) as record:
        models.vgg11(False, init_weights=False)
    assert [str(w.message) for w in record] == [
        "Using 'weights' as positional parameter(s) is deprecated since 0.13 and may be removed "
        "in the future. Please use keyword parameter(s) instead.",
        "Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 "
        "and may be removed in the future. The current behavior is equivalent to passing "
        "`weights=None`."]


# ---------------------------------------------------------------- AlexNet

def test_alexnet_repr_state_dict_and_num_params_match_torchvision(no_default_init):
    model, ref = models.alexnet(), AlexNet()
    assert repr(model) == repr(ref)
    assert shapes(model) == shapes(ref)
    assert sum(p.numel() for p in model.parameters()) == (
        models.AlexNet_Weights.DEFAULT.meta["num_params"])
    assert repr(models.alexnet(num_classes=5, dropout=0.1)) == repr(AlexNet(5, 0.1))


def test_alexnet_default_initialisation_and_forward_match_torch():
    numtorch.manual_seed(11)
    model = models.alexnet(num_classes=10)
    torch.manual_seed(11)
    ref = AlexNet(num_classes=10)
    assert_same_params(model, ref)
    x = np.random.default_rng(0).standard_normal((2, 3, 63, 63), dtype=np.float32)  # min size
    model.eval()
    ref.eval()
    np.testing.assert_allclose(model(numtorch.from_numpy(x)).detach().numpy(),
                               ref(torch.from_numpy(x)).detach().numpy(), rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- ResNet

@pytest.mark.parametrize("name", list(RESNETS) + list(RESNET_VARIANTS))
def test_resnet_repr_state_dict_and_num_params_match_torchvision(name, no_init):
    model, ref = getattr(models, name)(), torch_resnet(name)
    assert repr(model) == repr(ref)
    assert shapes(model) == shapes(ref)
    enum = models.get_model_weights(name)
    assert sum(p.numel() for p in model.parameters()) == enum.DEFAULT.meta["num_params"]


def test_resnet18_initialisation_after_manual_seed_and_forward_match_torchvision():
    numtorch.manual_seed(5)
    model = models.resnet18()
    torch.manual_seed(5)
    ref = torch_resnet("resnet18")
    assert_same_params(model, ref)
    # 64x64 leaves layer4 2x2: at 1x1 a batch of two normalises to +-1 and amplifies rounding
    x = np.random.default_rng(3).standard_normal((2, 3, 64, 64), dtype=np.float32)
    for train in (False, True):
        model.train(train)
        ref.train(train)
        xt = torch.from_numpy(x).requires_grad_()
        xn = numtorch.from_numpy(x).requires_grad_()
        out_t, out_n = ref(xt), model(xn)
        np.testing.assert_allclose(out_n.detach().numpy(), out_t.detach().numpy(),
                                   rtol=1e-3, atol=1e-4)
        out_t.sum().backward()
        out_n.sum().backward()
        np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-3, atol=1e-4)
        np.testing.assert_allclose(model.layer1[0].conv1.weight.grad.numpy(),
                                   ref.layer1[0].conv1.weight.grad.numpy(), rtol=1e-3, atol=1e-3)
        model.zero_grad()
        ref.zero_grad()


def test_resnet50_bottleneck_forward_matches_with_copied_weights():
    torch.manual_seed(1)
    ref = torch_resnet("resnet50", num_classes=7, zero_init_residual=True)
    model = models.resnet50(num_classes=7, zero_init_residual=True)
    assert float(model.layer1[0].bn3.weight.abs().sum()) == 0.0  # identity blocks at start
    for m in ref.modules():  # give every BatchNorm non-trivial statistics and affine values
        if isinstance(m, tnn.BatchNorm2d):
            for t in (m.running_mean, m.running_var, m.weight, m.bias):
                t.data.uniform_(0.5, 1.5)
    copy_into(model, ref)
    model.eval()
    ref.eval()
    x = np.random.default_rng(4).standard_normal((1, 3, 32, 32), dtype=np.float32)
    np.testing.assert_allclose(model(numtorch.from_numpy(x)).detach().numpy(),
                               ref(torch.from_numpy(x)).detach().numpy(), rtol=1e-3, atol=1e-4)


def test_resnext_initialisation_after_manual_seed_and_forward_match_torchvision(no_default_init):
    numtorch.manual_seed(2)
    model = models.resnext50_32x4d(num_classes=5)
    torch.manual_seed(2)
    ref = torch_resnet("resnext50_32x4d", num_classes=5)
    for (name, p), q in zip(model.named_parameters(), ref.parameters()):
        if "fc" not in name:  # the kaiming draws of every (grouped) convolution, in order
            np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy(), err_msg=name)
    copy_into(model, ref)
    model.eval()
    ref.eval()
    x = np.random.default_rng(5).standard_normal((1, 3, 32, 32), dtype=np.float32)
    np.testing.assert_allclose(model(numtorch.from_numpy(x)).detach().numpy(),
                               ref(torch.from_numpy(x)).detach().numpy(), rtol=1e-3, atol=1e-4)


def test_resnet_variants_weights_and_fixed_shape_arguments():
    assert models.ResNeXt50_32X4D_Weights.DEFAULT is models.ResNeXt50_32X4D_Weights.IMAGENET1K_V2
    assert models.ResNeXt101_64X4D_Weights.DEFAULT is models.ResNeXt101_64X4D_Weights.IMAGENET1K_V1
    assert models.ResNeXt101_64X4D_Weights.DEFAULT.transforms().resize_size == [232]
    assert models.Wide_ResNet50_2_Weights.IMAGENET1K_V1.url.endswith(
        "/wide_resnet50_2-95faca4d.pth")
    assert models.get_model_weights("wide_resnet101_2") is models.Wide_ResNet101_2_Weights
    assert {"resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2",
            "wide_resnet101_2"} <= set(models.list_models())
    with pytest.raises(ValueError, match="The parameter 'groups' expected value 32 but got 8 "
                                         "instead."):
        models.resnext50_32x4d(groups=8)
    assert models.wide_resnet50_2(width_per_group=128, num_classes=3).fc.out_features == 3
    with pytest.raises(ValueError, match="The parameter 'width_per_group' expected value 128 "
                                         "but got 64 instead."):
        models.wide_resnet101_2(width_per_group=64)


def test_wide_resnet_leaves_groups_to_the_caller_as_torchvision(no_init):
    # torchvision's wide_resnet*_2 fix only width_per_group (ResNeXt builders fix both)
    model = models.wide_resnet50_2(groups=2)
    ref = torch_resnet("wide_resnet50_2", groups=2)
    assert model.layer1[0].conv2.groups == 2 and shapes(model) == shapes(ref)


def test_resnet_weights_defaults_and_block_errors():
    assert models.ResNet50_Weights.DEFAULT is models.ResNet50_Weights.IMAGENET1K_V2
    assert models.ResNet18_Weights.DEFAULT.url.endswith("/resnet18-f37072fd.pth")
    assert models.ResNet50_Weights.IMAGENET1K_V2.transforms().resize_size == [232]
    with pytest.raises(ValueError, match="BasicBlock only supports groups=1 and base_width=64"):
        models.ResNet(models.BasicBlock, [1, 1, 1, 1], groups=2)
    with pytest.raises(ValueError, match="replace_stride_with_dilation should be None or a "
                                         r"3-element tuple, got \[True\]"):
        models.ResNet(models.Bottleneck, [1, 1, 1, 1], replace_stride_with_dilation=[True])
    # torchvision's BasicBlock refuses dilation too (so resnet18/34 cannot dilate): parity
    with pytest.raises(NotImplementedError, match="Dilation > 1 not supported in BasicBlock"):
        # a stage's first block keeps the previous dilation, so the second one raises
        models.ResNet(models.BasicBlock, [1, 1, 1, 2],
                      replace_stride_with_dilation=[False, False, True])
