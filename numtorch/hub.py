"""torch.hub: the download cache, ``load_state_dict_from_url``, and models published by a
``hubconf.py`` (in a local folder, or in a GitHub repository fetched as a zip archive).

The cache is PyTorch's own folder, ``$TORCH_HOME/hub`` (``~/.cache/torch/hub`` by
default), so a checkpoint or a repository that PyTorch fetched earlier is reused, and a
file copied there by hand on an offline machine is found. ``tqdm`` is the progress bar
(the real one when installed) that programs import from here.
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import importlib.util
import os
import re
import shutil
import sys
import urllib.error
import urllib.request
import zipfile
from typing import Any

__all__ = ["download_url_to_file", "get_dir", "help", "list", "load",
           "load_state_dict_from_url", "set_dir"]


class _Faketqdm:
    """A minimal stand-in for ``tqdm.tqdm`` when tqdm is not installed: it iterates,
    counts and prints a percentage to stderr, and accepts (and ignores) the rest."""

    def __init__(self, iterable=None, desc=None, total=None, disable=False, unit=None,
                 *args, **kwargs):
        self.iterable = iterable
        self.total = len(iterable) if total is None and hasattr(iterable, "__len__") else total
        self.disable = disable
        self.n = 0

    def __iter__(self):
        for item in self.iterable:
            yield item
            self.update(1)

    def update(self, n=1):
        if self.disable:
            return
        self.n += n
        if self.total is None:
            sys.stderr.write(f"\r{self.n:.1f} bytes")
        else:
            sys.stderr.write(f"\r{100 * self.n / float(self.total):.1f}%")
        sys.stderr.flush()

    def set_description(self, *args, **kwargs):
        pass

    def set_postfix(self, *args, **kwargs):
        pass

    def write(self, s):
        sys.stderr.write(f"{s}\n")

    def close(self):
        self.disable = True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        if not self.disable:
            sys.stderr.write("\n")


try:
    from tqdm import tqdm
except ImportError:  # pragma: no cover - tqdm is optional
    tqdm = _Faketqdm

# Seconds to wait for the server on each socket operation (a live but slow link still
# delivers a large file); NUMTORCH_DOWNLOAD_TIMEOUT overrides it.
_DOWNLOAD_TIMEOUT = float(os.environ.get("NUMTORCH_DOWNLOAD_TIMEOUT", "10"))
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")  # vgg16-397923af.pth -> 397923af (sha256 prefix)
MODULE_HUBCONF = "hubconf.py"
VAR_DEPENDENCY = "dependencies"
_hub_dir: str | None = None


# ---------------------------------------------------------------- the cache folder

def _get_torch_home() -> str:
    """``$TORCH_HOME``, else ``$XDG_CACHE_HOME/torch``, else ``~/.cache/torch``."""
    default = os.path.join(os.getenv("XDG_CACHE_HOME", os.path.join("~", ".cache")), "torch")
    return os.path.expanduser(os.getenv("TORCH_HOME", default))


def get_dir() -> str:
    """The hub cache folder: the one given to ``set_dir``, else ``$TORCH_HOME/hub``."""
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_get_torch_home(), "hub")


def set_dir(d: str | os.PathLike) -> None:
    """Use ``d`` as the hub cache folder from now on (``~`` is expanded)."""
    global _hub_dir
    _hub_dir = os.path.expanduser(d)


# ---------------------------------------------------------------- downloads

def download_url_to_file(url: str, dst: str, hash_prefix: str | None = None,
                         progress: bool = True) -> None:
    """Download ``url`` to ``dst`` atomically (a ``.partial`` file renamed when complete).

    Args:
        url: what to download.
        dst: the file to write (``~`` is expanded).
        hash_prefix: if given, the SHA-256 of the download must start with it.
        progress: show a progress bar on stderr.
    """
    dst = os.path.expanduser(dst)
    tmp = f"{dst}.{os.getpid()}.partial"
    sha256 = hashlib.sha256()
    request = urllib.request.Request(url, headers={"User-Agent": "numtorch"})
    try:
        with urllib.request.urlopen(request, timeout=_DOWNLOAD_TIMEOUT) as response, \
                open(tmp, "wb") as out, \
                tqdm(total=getattr(response, "length", None), disable=not progress, unit="B",
                     unit_scale=True, unit_divisor=1024) as bar:
            while chunk := response.read(1 << 20):
                out.write(chunk)
                sha256.update(chunk)
                bar.update(len(chunk))
        if hash_prefix is not None:
            digest = sha256.hexdigest()
            if not digest.startswith(hash_prefix):
                raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got '
                                   f'"{digest}")')
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def load_state_dict_from_url(url: str, model_dir: str | None = None, map_location=None,
                             progress: bool = True, check_hash: bool = False,
                             file_name: str | None = None, weights_only: bool = True):
    """Load the checkpoint at ``url``, downloading it into the cache the first time.

    The cache is ``model_dir`` (default ``get_dir()/checkpoints``) and the file name the
    URL's own (or ``file_name``). With ``check_hash`` a fresh download must have a
    SHA-256 starting with the hex digits after the last ``-`` of the file name. Without a
    network the error names the URL and the path to put the file at.

    Unlike ``torch.hub``, whose ``weights_only`` defaults to False, the default is True:
    a file fetched from the network is unpickled by ``numtorch.load``'s safe loader,
    which rebuilds tensors and containers and runs no code from the file. Pass
    ``weights_only=False`` for a checkpoint you trust that holds other objects.
    """
    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    os.makedirs(model_dir, exist_ok=True)
    filename = file_name or os.path.basename(urllib.request.urlparse(url).path)
    cached_file = os.path.join(model_dir, filename)
    if not os.path.exists(cached_file):
        sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
        match = HASH_REGEX.search(filename) if check_hash else None
        try:
            download_url_to_file(url, cached_file, match.group(1) if match else None, progress)
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise RuntimeError(
                f"Could not download the pretrained weights from {url} ({reason}). "
                f"Without a network, fetch that file elsewhere and put it at {cached_file} "
                f"(the folder is $TORCH_HOME/hub/checkpoints; TORCH_HOME defaults to "
                f"~/.cache/torch).") from error
    import numtorch

    return numtorch.load(cached_file, map_location=map_location, weights_only=weights_only)


# ---------------------------------------------------------------- hubconf entrypoints

@contextlib.contextmanager
def _on_sys_path(folder: str):
    """``folder`` first on ``sys.path`` inside the block (for a hubconf.py's imports)."""
    sys.path.insert(0, folder)
    try:
        yield
    finally:
        sys.path.remove(folder)


def _import_hubconf(hubconf_dir: str):
    """Import ``hubconf_dir/hubconf.py`` with its folder on ``sys.path`` (for its imports)."""
    with _on_sys_path(hubconf_dir):
        path = os.path.join(hubconf_dir, MODULE_HUBCONF)
        spec = importlib.util.spec_from_file_location(MODULE_HUBCONF, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


def _entrypoint(module, model: str):
    if not isinstance(model, str):
        raise ValueError("Invalid input: model should be a string of function name")
    missing = [name for name in getattr(module, VAR_DEPENDENCY, [])
               if importlib.util.find_spec(name) is None]
    if missing:
        raise RuntimeError(f"Missing dependencies: {', '.join(missing)}")
    func = getattr(module, model, None)
    if func is None or not callable(func):
        raise RuntimeError(f"Cannot find callable {model} in hubconf")
    return func


def _github_archive_url(owner: str, name: str, ref: str) -> str:
    return f"https://github.com/{owner}/{name}/zipball/{ref}"


def _default_branch(owner: str, name: str) -> str:
    """``main`` if the repository has it, else ``master``; offline, the one cached."""
    try:
        with urllib.request.urlopen(f"https://github.com/{owner}/{name}/tree/main/",
                                    timeout=_DOWNLOAD_TIMEOUT):
            return "main"
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return "master"
        raise
    except urllib.error.URLError as error:
        for ref in ("main", "master"):
            if os.path.exists(os.path.join(get_dir(), f"{owner}_{name}_{ref}")):
                return ref
        raise RuntimeError("It looks like there is no internet connection and the repo could "
                           f"not be found in the cache ({get_dir()})") from error


_TRUSTED_REPO_OWNERS = ("facebookresearch", "facebookincubator", "pytorch", "fairinternal")


def _check_trusted(owner: str, name: str, cached_name: str, trust_repo) -> None:
    """PyTorch's trust rule: ask (``trust_repo=False``, or ``"check"`` for a repository
    neither listed in ``get_dir()/trusted_list``, already cached, nor owned by PyTorch's
    organisations); a repository used once is added to the list."""
    listing = os.path.join(get_dir(), "trusted_list")
    trusted = []
    if os.path.exists(listing):
        with open(listing) as f:
            trusted = [line.strip() for line in f]
    owner_name = f"{owner}_{name}"
    is_trusted = (owner_name in trusted or owner in _TRUSTED_REPO_OWNERS
                  or os.path.isdir(os.path.join(get_dir(), cached_name)))
    if trust_repo is False or (trust_repo == "check" and not is_trusted):
        response = input(f"The repository {owner_name} does not belong to the list of trusted "
                         "repositories and as such cannot be downloaded. Do you trust this "
                         "repository and wish to add it to the trusted list of repositories "
                         "(y/N)?")
        if response.lower() in ("y", "yes"):
            if is_trusted:
                print("The repository is already trusted.")
        elif response.lower() in ("n", "no", ""):
            raise Exception("Untrusted repository.")
        else:
            raise ValueError(f"Unrecognized response {response}.")
    if not is_trusted:
        with open(listing, "a") as f:
            f.write(owner_name + "\n")


def _safe_extract(archive: zipfile.ZipFile, folder: str) -> str:
    """Extract GitHub's ``archive`` (one top folder, ``owner-name-sha/``, holding every file)
    into ``folder`` and return that top folder's path.

    A member outside that top folder, or a top folder that is not a plain name inside
    ``folder`` (``..``, ``/``), is refused before anything is removed or written.
    """
    root = os.path.realpath(folder)
    names = archive.namelist()
    top = os.path.realpath(os.path.join(root, names[0].split("/")[0]))
    for member in names:
        target = os.path.realpath(os.path.join(root, member))
        if os.path.dirname(top) != root or os.path.commonpath([top, target]) != top:
            raise ValueError(f"The zip file contains a path outside of the extraction folder: "
                             f"{member}")
    shutil.rmtree(top, ignore_errors=True)  # a leftover of an interrupted fetch
    archive.extractall(folder)
    return top


def _github_dir(github: str, force_reload: bool, trust_repo, verbose: bool) -> str:
    """The cached checkout of ``owner/name[:ref]`` under ``get_dir()``, fetched if absent.

    Without a ``ref``, ``main`` is used if the repository has it, else ``master``. The
    ref is not checked against forks (PyTorch asks GitHub's API for that).
    """
    repo, _, ref = github.partition(":")
    owner, name = repo.split("/")
    hub_dir = get_dir()
    os.makedirs(hub_dir, exist_ok=True)
    ref = ref or _default_branch(owner, name)
    branch = ref.replace("/", "_")  # a branch name may hold a slash; a folder name cannot
    repo_dir = os.path.join(hub_dir, f"{owner}_{name}_{branch}")
    _check_trusted(owner, name, f"{owner}_{name}_{branch}", trust_repo)
    if os.path.exists(repo_dir) and not force_reload:
        if verbose:
            sys.stderr.write(f"Using cache found in {repo_dir}\n")
        return repo_dir
    archive = os.path.join(hub_dir, f"{branch}.zip")
    url = _github_archive_url(owner, name, ref)
    sys.stdout.write(f'Downloading: "{url}" to {archive}\n')
    download_url_to_file(url, archive, progress=False)
    try:
        with zipfile.ZipFile(archive) as zf:
            extracted = _safe_extract(zf, hub_dir)  # hub_dir/owner-name-sha
    finally:
        os.remove(archive)
    shutil.rmtree(repo_dir, ignore_errors=True)
    shutil.move(extracted, repo_dir)
    return repo_dir


def _hubconf_dir(repo_or_dir: str, source: str, force_reload: bool, trust_repo,
                 verbose: bool) -> str:
    source = source.lower()
    if source not in ("github", "local"):
        raise ValueError(f'Unknown source: "{source}". Allowed values: "github" | "local".')
    if source == "local":
        return repo_or_dir
    return _github_dir(repo_or_dir, force_reload, trust_repo, verbose)


def list(github: str, force_reload: bool = False, skip_validation: bool = False,
         trust_repo="check", verbose: bool = True) -> builtins.list[str]:
    """The names of the entrypoints (public callables) in the repository's hubconf.py."""
    module = _import_hubconf(_github_dir(github, force_reload, trust_repo, verbose))
    return [name for name in dir(module)
            if callable(getattr(module, name)) and not name.startswith("_")]


def help(github: str, model: str, force_reload: bool = False, skip_validation: bool = False,
         trust_repo="check") -> str | None:
    """The docstring of entrypoint ``model`` in the repository's hubconf.py."""
    module = _import_hubconf(_github_dir(github, force_reload, trust_repo, True))
    return _entrypoint(module, model).__doc__


def load(repo_or_dir: str, model: str, *args: Any, source: str = "github", trust_repo="check",
         force_reload: bool = False, verbose: bool = True, skip_validation: bool = False,
         **kwargs: Any):
    """Call entrypoint ``model`` of a hubconf.py with ``*args`` and ``**kwargs``.

    Args:
        repo_or_dir: ``owner/name[:ref]`` with ``source="github"`` (fetched into
            ``get_dir()`` once, then reused), or a folder with ``source="local"``.
        model: the entrypoint's name.
        source: ``"github"`` (default) or ``"local"``.
        trust_repo: ``"check"`` (default) asks before running code of a repository not
            trusted yet; ``False`` always asks; ``True`` or ``None`` trust it.
        force_reload: fetch the GitHub repository again even if it is cached.
        verbose: say when the cache is used.
        skip_validation: accepted for compatibility.
    """
    hubconf_dir = _hubconf_dir(repo_or_dir, source, force_reload, trust_repo, verbose)
    # The entrypoint runs with the folder still on sys.path, as in torch.hub: it may import
    # the repository's own modules when called.
    with _on_sys_path(hubconf_dir):
        return _entrypoint(_import_hubconf(hubconf_dir), model)(*args, **kwargs)
