"""A function for the spawn tests of tests/test_multiprocessing.py, in a module of its own
so that the spawned child imports only this (not torch nor the test module)."""

import os


def write_index(i, folder, scale):
    with open(os.path.join(folder, f"{i}.txt"), "w") as f:
        f.write(str(float(i * scale)))
