"""``autograd.graph``: the Node type of the backward graph, for inspection."""

from .function import Node

__all__ = ["Node"]
