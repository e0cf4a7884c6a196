"""Download, checksum and unpack helpers shared by the datasets.

Every file lands atomically: it is written to ``<name>.part-<pid>`` beside its
final place and moved there with ``os.replace`` only when complete (and, when an
md5 is given, verified), so an interrupted download never leaves a file that a
later run would take for a good one.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import shutil
import socket
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable

# Seconds to wait for a server before giving up on one attempt; overridable so a
# slow link can be given more patience (NUMTORCH_DOWNLOAD_TIMEOUT=60). It bounds each
# socket operation, so a large file on a slow but live link still arrives.
DOWNLOAD_TIMEOUT = float(os.environ.get("NUMTORCH_DOWNLOAD_TIMEOUT", "5"))
DOWNLOAD_RETRIES = 3
_USER_AGENT = "numtorch"


def calculate_md5(fpath: str, chunk_size: int = 1024 * 1024) -> str:
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath: str, md5: str, **kwargs) -> bool:
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath: str, md5: str | None = None) -> bool:
    """True when ``fpath`` is a file and, if ``md5`` is given, its checksum matches."""
    if not os.path.isfile(fpath):
        return False
    if md5 is None:
        return True
    return check_md5(fpath, md5)


def verify_str_arg(value, arg: str | None = None, valid_values: Iterable[str] | None = None,
                   custom_msg: str | None = None) -> str:
    """Check that ``value`` is a str and one of ``valid_values`` (torchvision's wording)."""
    if not isinstance(value, str):
        if arg is None:
            msg = "Expected type str, but got type {type}."
        else:
            msg = "Expected type str for argument {arg}, but got type {type}."
        raise ValueError(msg.format(type=type(value), arg=arg))
    if valid_values is None:
        return value
    if value not in valid_values:
        if custom_msg is not None:
            msg = custom_msg
        else:
            msg = ("Unknown value '{value}' for argument {arg}. "
                   "Valid values are {{{valid_values}}}.")
            msg = msg.format(value=value, arg=arg,
                             valid_values=", ".join(repr(v) for v in valid_values))
        raise ValueError(msg)
    return value


def _is_transient(error: BaseException) -> bool:
    """Worth another try: a timeout, a dropped connection or a server-side (5xx) error.

    A name that does not resolve, a refused or unanswered connection means no
    network (or no server): retrying only makes an offline user wait.
    """
    if isinstance(error, urllib.error.HTTPError):
        return error.code >= 500
    reason = getattr(error, "reason", error)
    if isinstance(reason, socket.gaierror | ConnectionRefusedError):
        return False
    if isinstance(error, urllib.error.URLError) and isinstance(reason, TimeoutError):
        return False  # no answer to the connection at all: most likely no network
    if isinstance(reason, OSError) and reason.errno in (101, 113):  # network/host unreachable
        return False
    return isinstance(reason, OSError)  # timeouts, resets and other socket errors


def _fetch(url: str, dest: str, timeout: float) -> None:
    """Stream ``url`` into ``dest`` (which is overwritten), with a tqdm bar when it is there."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response, open(dest, "wb") as out:
        total = getattr(response, "length", None)  # file:// responses have none
        try:
            from tqdm import tqdm
            bar = tqdm(total=total, unit="B", unit_scale=True)
        except ImportError:  # pragma: no cover - tqdm is optional
            bar = None
        try:
            while chunk := response.read(1024 * 256):
                out.write(chunk)
                if bar is not None:
                    bar.update(len(chunk))
        finally:
            if bar is not None:
                bar.close()


def download_url(url: str, root: str, filename: str | None = None, md5: str | None = None,
                 timeout: float | None = None, retries: int = DOWNLOAD_RETRIES) -> None:
    """Download ``url`` into ``root/filename`` unless a verified copy is already there.

    Transient failures are retried (with a short back-off); an unreachable
    network fails at once with the ``urllib.error.URLError``. A file whose md5
    does not match is removed and reported with a RuntimeError.
    """
    root = os.path.expanduser(os.fspath(root))
    filename = filename or os.path.basename(url)
    fpath = os.path.join(root, filename)
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        print("Using downloaded and verified file: " + fpath)
        return
    timeout = DOWNLOAD_TIMEOUT if timeout is None else timeout
    tmp = f"{fpath}.part-{os.getpid()}"
    print(f"Downloading {url} to {fpath}")
    try:
        for attempt in range(retries):
            try:
                _fetch(url, tmp, timeout)
                break
            except (urllib.error.URLError, OSError) as error:
                if attempt + 1 == retries or not _is_transient(error):
                    if isinstance(error, urllib.error.URLError):
                        raise
                    raise urllib.error.URLError(error) from error
                time.sleep(0.5 * 2 ** attempt)
        if md5 is not None and not check_md5(tmp, md5):
            raise RuntimeError(f"The MD5 checksum of the download of {url} does not match "
                               f"(expected {md5}, got {calculate_md5(tmp)}).")
        os.replace(tmp, fpath)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _decompress_file(from_path: str, to_path: str) -> None:
    """Uncompress one .gz/.xz/.bz2 file to ``to_path``, atomically."""
    openers = {".gz": gzip.open, ".xz": lzma.open, ".bz2": bz2.open}
    opener = openers[os.path.splitext(from_path)[1]]
    tmp = f"{to_path}.part-{os.getpid()}"
    try:
        with opener(from_path, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        os.replace(tmp, to_path)
    except (OSError, EOFError, lzma.LZMAError) as error:
        raise RuntimeError(f"Could not decompress {from_path}: {error}") from error
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def extract_archive(from_path: str, to_path: str | None = None,
                    remove_finished: bool = False) -> str:
    """Unpack a .tar(.gz/.xz/.bz2), .tgz or .zip archive, or uncompress a single .gz/.xz/.bz2.

    Returns the folder (archives) or the file (single compressed files) written.
    """
    from_path = os.fspath(from_path)
    if to_path is None:
        to_path = os.path.dirname(from_path)
    print(f"Extracting {from_path} to {to_path}")
    lower = from_path.lower()
    if lower.endswith((".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".tbz2")):
        with tarfile.open(from_path) as tar:
            tar.extractall(to_path, filter="data")
        result = to_path
    elif lower.endswith(".zip"):
        with zipfile.ZipFile(from_path) as archive:
            archive.extractall(to_path)
        result = to_path
    elif lower.endswith((".gz", ".xz", ".bz2")):
        name = os.path.splitext(os.path.basename(from_path))[0]
        result = to_path if not os.path.isdir(to_path) else os.path.join(to_path, name)
        _decompress_file(from_path, result)
    else:
        raise RuntimeError(f"Extraction of {from_path} not supported")
    if remove_finished:
        os.remove(from_path)
    return result


def download_and_extract_archive(url: str, download_root: str, extract_root: str | None = None,
                                 filename: str | None = None, md5: str | None = None,
                                 remove_finished: bool = False) -> None:
    download_root = os.path.expanduser(os.fspath(download_root))
    extract_root = extract_root or download_root
    filename = filename or os.path.basename(url)
    download_url(url, download_root, filename, md5)
    archive = os.path.join(download_root, filename)
    extract_archive(archive, extract_root, remove_finished)
