"""Optimizer: the base class (param_groups, state, state_dict, zero_grad)."""

__all__: list[str] = []
