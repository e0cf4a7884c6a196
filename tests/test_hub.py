"""numtorch.hub: torch.hub's cache folder, downloads, tqdm and hubconf.py entrypoints (the
vision_transformer example does ``from torch.hub import tqdm``)."""

import hashlib
import inspect
import os
import pathlib
import shutil
import urllib.error
import urllib.parse
import urllib.request
import zipfile

import numpy as np
import pytest

import numtorch
from numtorch import hub
from tests.utils import torch

HUBCONF = '''
dependencies = ["numpy"]

from helper import make_linear


def tiny(out_features=2):
    """A seeded Linear(3, out_features)."""
    return make_linear(out_features)


def _private():
    return None
'''

HELPER = '''
import sys

lib = sys.modules.get("numtorch") or sys.modules["torch"]


def make_linear(out_features):
    lib.manual_seed(0)
    return lib.nn.Linear(3, out_features)
'''


@pytest.fixture
def hub_home(tmp_path, monkeypatch):
    """TORCH_HOME in a temporary folder, and no set_dir() carried over between tests."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(hub, "_hub_dir", None)
    monkeypatch.setattr(torch.hub, "_hub_dir", None)
    return tmp_path / "home"


@pytest.fixture
def repo(tmp_path):
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "hubconf.py").write_text(HUBCONF)
    (folder / "helper.py").write_text(HELPER)
    return folder


def test_tqdm_is_importable_and_wraps_an_iterable():
    from numtorch.hub import tqdm

    bar = tqdm(range(3), desc="EPOCH", disable=True)
    seen = []
    for i in bar:
        seen.append(i)
        bar.set_postfix({"Loss": "1.0"})
    assert seen == [0, 1, 2]


def test_fallback_tqdm_iterates_counts_and_prints_percentages(capsys):
    bar = hub._Faketqdm(["a", "b"], desc="x")
    assert list(bar) == ["a", "b"]
    bar.set_postfix({"Loss": "1.0"})
    bar.set_description("y")
    assert bar.n == 2 and bar.total == 2
    assert capsys.readouterr().err == "\r50.0%\r100.0%"
    with hub._Faketqdm(total=4, unit="B") as bar:
        bar.update(1)
    assert capsys.readouterr().err == "\r25.0%\n"


def test_get_dir_is_torch_home_hub_until_set_dir(hub_home, tmp_path):
    assert hub.get_dir() == torch.hub.get_dir() == str(hub_home / "hub")
    hub.set_dir(str(tmp_path / "elsewhere"))
    torch.hub.set_dir(str(tmp_path / "elsewhere"))
    assert hub.get_dir() == torch.hub.get_dir() == str(tmp_path / "elsewhere")


def test_local_hubconf_entrypoint_gives_the_same_model_as_torch_hub(repo):
    nt = numtorch.hub.load(str(repo), "tiny", 4, source="local")
    ref = torch.hub.load(str(repo), "tiny", 4, source="local")
    assert isinstance(nt, numtorch.nn.Linear) and nt.out_features == 4
    np.testing.assert_array_equal(nt.weight.detach().numpy(), ref.weight.detach().numpy())
    assert nt.__class__.__name__ == ref.__class__.__name__


@pytest.mark.parametrize("call", [
    lambda h, d: h.load(d, "nope", source="local"),
    lambda h, d: h.load(d, "dependencies", source="local"),
    lambda h, d: h.load(d, "tiny", source="gitlab"),
], ids=["missing", "not_callable", "unknown_source"])
def test_hub_errors_match_torch(repo, call):
    with pytest.raises(Exception) as ref:
        call(torch.hub, str(repo))
    with pytest.raises(Exception) as got:
        call(numtorch.hub, str(repo))
    assert type(got.value) is type(ref.value)
    assert str(got.value) == str(ref.value)


def test_missing_dependencies_are_named(repo):
    (repo / "hubconf.py").write_text(HUBCONF.replace('["numpy"]', '["numpy", "no_such_mod"]'))
    with pytest.raises(RuntimeError) as ref:
        torch.hub.load(str(repo), "tiny", source="local")
    with pytest.raises(RuntimeError) as got:
        numtorch.hub.load(str(repo), "tiny", source="local")
    assert str(got.value) == str(ref.value) == "Missing dependencies: no_such_mod"


@pytest.fixture
def github(repo, hub_home, tmp_path, monkeypatch):
    """GitHub's archive of ``repo`` (one owner-name-sha folder) served from a file:// URL;
    returns the list of (owner, name, ref) fetched."""
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("hubconf.py", "helper.py"):
            zf.write(repo / name, f"me-models-abc123/{name}")
    fetched = []

    def archive_url(owner, name, ref):
        fetched.append((owner, name, ref))
        return archive.as_uri()

    monkeypatch.setattr(hub, "_github_archive_url", archive_url)
    return fetched


def test_github_repo_is_fetched_once_into_the_hub_dir(github, capsys):
    assert hub.list("me/models:v1", trust_repo=True) == ["make_linear", "tiny"]
    assert 'Downloading: "file://' in capsys.readouterr().out
    assert hub.help("me/models:v1", "tiny") == "A seeded Linear(3, out_features)."
    model = hub.load("me/models:v1", "tiny", out_features=5)
    assert model.out_features == 5
    assert github == [("me", "models", "v1")]  # downloaded once, then the cache is used
    assert sorted(os.listdir(hub.get_dir())) == ["me_models_v1", "trusted_list"]
    assert "Using cache found in" in capsys.readouterr().err
    hub.load("me/models:v1", "tiny", force_reload=True, verbose=False)
    assert len(github) == 2


@pytest.mark.parametrize("answer", ["n", "", "maybe"])
def test_an_untrusted_repo_is_refused_unless_the_user_says_yes(github, monkeypatch, answer):
    prompts = []
    monkeypatch.setattr("builtins.input", lambda text: prompts.append(text) or answer)
    error = ValueError if answer == "maybe" else Exception
    with pytest.raises(error, match="Unrecognized response maybe" if answer == "maybe"
                       else "Untrusted repository"):
        hub.load("me/models:v1", "tiny")
    assert prompts == ["The repository me_models does not belong to the list of trusted "
                       "repositories and as such cannot be downloaded. Do you trust this "
                       "repository and wish to add it to the trusted list of repositories "
                       "(y/N)?"]
    assert github == []


def test_a_yes_adds_the_repo_to_the_trusted_list(github, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda text: "y")
    hub.load("me/models:v1", "tiny")
    assert (pathlib.Path(hub.get_dir()) / "trusted_list").read_text() == "me_models\n"
    monkeypatch.setattr("builtins.input", lambda text: pytest.fail("asked again"))
    hub.load("me/models:v2", "tiny")  # now trusted: no question


def test_default_branch_is_main_else_master_else_the_cached_one(github, monkeypatch):
    def no_main(url, *args, **kwargs):
        raise urllib.error.HTTPError(url, 404, "Not Found", None, None)

    monkeypatch.setattr(urllib.request, "urlopen", no_main)
    monkeypatch.setattr(hub, "download_url_to_file",
                        lambda url, dst, **kw: shutil.copy(urllib.request.url2pathname(
                            urllib.parse.urlparse(url).path), dst))
    hub.load("me/models", "tiny", trust_repo=True)
    assert github == [("me", "models", "master")]

    def offline(url, *args, **kwargs):
        raise urllib.error.URLError(OSError(101, "Network is unreachable"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    assert hub.load("me/models", "tiny", verbose=False).out_features == 2  # the cached master
    with pytest.raises(RuntimeError, match="no internet connection and the repo could not be "
                                           "found in the cache"):
        hub.load("me/other", "tiny", trust_repo=True)


def test_signatures_match_torch_hub():
    for name in ("load", "list", "help", "load_state_dict_from_url", "download_url_to_file",
                 "get_dir", "set_dir"):
        ours = inspect.signature(getattr(hub, name)).parameters
        theirs = inspect.signature(getattr(torch.hub, name)).parameters
        assert list(ours) == list(theirs), name
        defaults = {key: p.default for key, p in ours.items()}
        if name == "load_state_dict_from_url":  # ours is safe by default, torch's is not
            assert defaults.pop("weights_only") is True
            assert theirs["weights_only"].default is False
        assert list(defaults.values()) == [p.default for key, p in theirs.items()
                                           if key in defaults], name


def test_download_url_to_file_checks_the_hash_and_leaves_nothing_half_written(tmp_path):
    src = tmp_path / "payload.bin"
    src.write_bytes(b"numtorch" * 1000)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    dst = tmp_path / "out" / "copy.bin"
    dst.parent.mkdir()
    hub.download_url_to_file(src.as_uri(), str(dst), hash_prefix=digest[:10], progress=False)
    assert dst.read_bytes() == src.read_bytes()
    with pytest.raises(RuntimeError, match=r'invalid hash value \(expected "00"'):
        hub.download_url_to_file(src.as_uri(), str(tmp_path / "out" / "bad.bin"),
                                 hash_prefix="00", progress=False)
    assert os.listdir(dst.parent) == ["copy.bin"]


def test_load_state_dict_from_url_caches_under_hub_dir_checkpoints(hub_home, tmp_path):
    ckpt = tmp_path / "weights.pth"
    numtorch.save({"w": numtorch.arange(3.0)}, str(ckpt))
    state = hub.load_state_dict_from_url(ckpt.as_uri(), progress=False)
    np.testing.assert_array_equal(state["w"].numpy(), np.arange(3.0, dtype=np.float32))
    assert os.listdir(hub_home / "hub" / "checkpoints") == ["weights.pth"]
    from numtorch.vision.models import _api

    assert _api._checkpoint_dir() == str(hub_home / "hub" / "checkpoints")


def test_hub_loads_on_first_use():
    import subprocess
    import sys

    code = ("import sys, numtorch; lazy = [m for m in ('numtorch.hub', 'tqdm') "
            "if m in sys.modules]; print(lazy, callable(numtorch.hub.load))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert out.stdout.strip() == "[] True"


class _RunsCodeWhenUnpickled:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return exec, (f"open({self.marker!r}, 'w').write('ran')",)


def test_load_state_dict_from_url_runs_no_code_from_the_file_by_default(hub_home, tmp_path):
    # torch.hub's weights_only defaults to False (a downloaded pickle may run code); ours
    # does not: only weights_only=False, asked for explicitly, unpickles other objects.
    marker = tmp_path / "ran"
    ckpt = tmp_path / "evil.pth"
    torch.save({"w": torch.arange(3.0), "x": _RunsCodeWhenUnpickled(str(marker))}, str(ckpt))
    with pytest.raises(Exception, match="Weights only load failed"):
        hub.load_state_dict_from_url(ckpt.as_uri(), progress=False)
    assert not marker.exists()
    hub.load_state_dict_from_url(ckpt.as_uri(), progress=False, weights_only=False)
    assert marker.read_text() == "ran"


@pytest.mark.parametrize("top", ["..", ""], ids=["parent", "root"])
def test_an_archive_outside_its_folder_is_refused_before_anything_is_removed(
        github, hub_home, tmp_path, monkeypatch, top):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr(f"{top}/hubconf.py", "raise SystemExit('ran')\n")
    monkeypatch.setattr(hub, "_github_archive_url", lambda owner, name, ref: evil.as_uri())
    keep = hub_home / "keep.txt"
    keep.parent.mkdir(parents=True)
    keep.write_text("mine")
    with pytest.raises(ValueError, match="outside of the extraction folder"):
        hub.load("me/models:v1", "tiny", trust_repo=True)
    assert keep.read_text() == "mine"
    assert os.listdir(hub.get_dir()) == ["trusted_list"]


def test_an_entrypoint_importing_the_repos_modules_when_called_works_as_in_torch(repo):
    (repo / "late_helper_for_hub_test.py").write_text("SIZE = 7\n")
    (repo / "hubconf.py").write_text(HUBCONF + '''

def late():
    from late_helper_for_hub_test import SIZE
    return SIZE
''')
    import sys

    try:
        assert torch.hub.load(str(repo), "late", source="local") == 7
        sys.modules.pop("late_helper_for_hub_test")
        assert numtorch.hub.load(str(repo), "late", source="local") == 7
        assert str(repo) not in sys.path
    finally:
        sys.modules.pop("late_helper_for_hub_test", None)
