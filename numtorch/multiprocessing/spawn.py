"""``spawn``: run ``fn(i, *args)`` in ``nprocs`` fresh processes and wait for them.

A child that raises writes its formatted traceback to its own temporary file, as text
(PyTorch pickles it; nothing read from the shared temporary folder is unpickled here),
and exits with code 1; the parent, on the first child that exits non-zero, stops the others and
raises ``ProcessRaisedException`` carrying that traceback (or ``ProcessExitedException``
for a child that died without one, by a signal or ``sys.exit``).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import tempfile
import warnings

__all__ = ["ProcessContext", "ProcessException", "ProcessExitedException",
           "ProcessRaisedException", "spawn", "start_processes"]


class ProcessException(Exception):
    """A spawned process failed; ``error_index`` is its ``i``, ``error_pid`` its pid."""

    def __init__(self, msg: str, error_index: int, error_pid: int):
        super().__init__(msg)
        self.msg = msg
        self.error_index = error_index
        self.error_pid = error_pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.error_pid)


class ProcessRaisedException(ProcessException):
    """The process's function raised; the message holds the child's traceback."""


class ProcessExitedException(ProcessException):
    """The process ended with a non-zero exit code or a signal, without a traceback."""

    def __init__(self, msg: str, error_index: int, error_pid: int, exit_code: int,
                 signal_name: str | None = None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code
        self.signal_name = signal_name

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.error_pid, self.exit_code,
                            self.signal_name)


def _run(fn, i, args, error_file):
    """The child's entry point: ``fn(i, *args)``, its traceback saved if it raises."""
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass  # the parent stopped us
    except Exception:
        import traceback

        with open(error_file, "w", encoding="utf-8") as fh:
            fh.write(traceback.format_exc())
        sys.exit(1)


class ProcessContext:
    """The processes ``start_processes(join=False)`` started; ``join()`` waits for them."""

    def __init__(self, processes, error_files):
        self.processes = processes
        self.error_files = error_files
        self.sentinels = {p.sentinel: i for i, p in enumerate(processes)}

    def pids(self) -> list[int]:
        return [int(p.pid) for p in self.processes]

    def join(self, timeout: float | None = None, grace_period: float | None = None) -> bool:
        """Wait up to ``timeout`` for a process to end; ``True`` once all ended cleanly.

        On the first process that failed, the others are terminated (after
        ``grace_period`` seconds, if given) and the failure is raised.
        """
        if not self.sentinels:
            return True
        ready = multiprocessing.connection.wait(self.sentinels.keys(), timeout=timeout)
        failed = None
        for sentinel in ready:
            index = self.sentinels.pop(sentinel)
            process = self.processes[index]
            process.join()
            if process.exitcode != 0:
                failed = index
                break
        if failed is None:
            return not self.sentinels
        for process in self.processes:
            if grace_period is not None:
                process.join(grace_period)
            if process.is_alive():
                process.terminate()
            process.join()
        process = self.processes[failed]
        if not os.access(self.error_files[failed], os.R_OK):
            code = process.exitcode
            if code < 0:
                try:
                    name = signal.Signals(-code).name
                except ValueError:
                    name = f"<Unknown signal {-code}>"
                raise ProcessExitedException(f"process {failed:d} terminated with signal "
                                             f"{name}", failed, process.pid, code, name)
            raise ProcessExitedException(f"process {failed:d} terminated with exit code "
                                         f"{code:d}", failed, process.pid, code)
        # plain text, never a pickle: the file sits in the shared temporary folder
        with open(self.error_files[failed], encoding="utf-8", errors="replace") as fh:
            trace = fh.read()
        raise ProcessRaisedException(
            f"\n\n-- Process {failed:d} terminated with the following error:\n{trace}",
            failed, process.pid)


def start_processes(fn, args=(), nprocs: int = 1, join: bool = True, daemon: bool = False,
                    start_method: str = "spawn"):
    """Start ``nprocs`` processes running ``fn(i, *args)`` with ``start_method``.

    Returns None after all ended when ``join``, else the ``ProcessContext``.
    """
    context = multiprocessing.get_context(start_method)
    processes, error_files = [], []
    for i in range(nprocs):
        # a name for the child's traceback file, which exists only if the child raised
        fd, error_file = tempfile.mkstemp(prefix="numtorch-errorfile-", suffix=".txt")
        os.close(fd)
        os.unlink(error_file)
        process = context.Process(target=_run, args=(fn, i, args, error_file), daemon=daemon)
        process.start()
        processes.append(process)
        error_files.append(error_file)
    handle = ProcessContext(processes, error_files)
    if not join:
        return handle
    while not handle.join():
        pass
    return None


def spawn(fn, args=(), nprocs: int = 1, join: bool = True, daemon: bool = False,
          start_method: str = "spawn"):
    """Run ``fn(i, *args)`` for ``i`` in ``range(nprocs)``, each in a spawned process.

    Args:
        fn: a top-level (picklable) function called as ``fn(i, *args)``.
        args: the arguments after the process index.
        nprocs: how many processes.
        join: wait for all of them (default); else return the ``ProcessContext``.
        daemon: make the processes daemonic.
        start_method: deprecated; always ``"spawn"`` (use ``start_processes`` otherwise).
    """
    if start_method != "spawn":
        warnings.warn(f"This method only supports start_method=spawn (got: {start_method}).\n"
                      "To use a different start_method use:\n\t\t"
                      " numtorch.multiprocessing.start_processes(...)", FutureWarning,
                      stacklevel=2)
    return start_processes(fn, args, nprocs, join, daemon, start_method="spawn")
