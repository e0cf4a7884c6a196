"""Named tuples returned by ops with several results, as ``torch.return_types``.

``values, indices = x.max(0)`` unpacks like a tuple; ``x.max(0).values`` reads
a field by name; and the repr is PyTorch's::

    numtorch.return_types.max(
    values=tensor([3., 4.]),
    indices=tensor([1, 1]))
"""

from __future__ import annotations

import operator

__all__ = [
    "max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "mode", "aminmax",
    "cummax", "cummin", "frexp", "histogram", "histogram_out", "histogramdd", "slogdet",
    "linalg_slogdet", "qr", "linalg_qr", "svd", "linalg_svd", "linalg_eigh", "linalg_eig",
]


class _ReturnType(tuple):
    """A tuple whose items also have names (``_fields``)."""

    __slots__ = ()
    _fields: tuple = ()
    n_fields = n_sequence_fields = 0
    n_unnamed_fields = 0

    def __new__(cls, sequence):
        items = tuple(sequence)
        if len(items) != len(cls._fields):
            raise TypeError(f"numtorch.return_types.{cls.__name__}() takes a "
                            f"{len(cls._fields)}-sequence ({len(items)}-sequence given)")
        return tuple.__new__(cls, items)

    def __repr__(self) -> str:
        body = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"numtorch.return_types.{type(self).__name__}(\n{body})"

    def __reduce__(self):
        return (type(self), (tuple(self),))


def _define(name: str, fields: tuple) -> type:
    attrs = {"__slots__": (), "_fields": fields, "n_fields": len(fields),
             "n_sequence_fields": len(fields), "__module__": __name__,
             "__qualname__": name}
    for i, field in enumerate(fields):
        attrs[field] = property(operator.itemgetter(i), doc=f"Alias for item {i}.")
    return type(name, (_ReturnType,), attrs)


max = _define("max", ("values", "indices"))  # noqa: A001 - PyTorch's name
min = _define("min", ("values", "indices"))  # noqa: A001
sort = _define("sort", ("values", "indices"))
topk = _define("topk", ("values", "indices"))
kthvalue = _define("kthvalue", ("values", "indices"))
median = _define("median", ("values", "indices"))
nanmedian = _define("nanmedian", ("values", "indices"))
mode = _define("mode", ("values", "indices"))
cummax = _define("cummax", ("values", "indices"))
cummin = _define("cummin", ("values", "indices"))
aminmax = _define("aminmax", ("min", "max"))
# Used by other families (linear algebra, math); defined here so there is one home.
frexp = _define("frexp", ("mantissa", "exponent"))
histogram = _define("histogram", ("hist", "bin_edges"))
histogram_out = _define("histogram_out", ("hist", "bin_edges"))  # histogram(..., out=...)
histogramdd = _define("histogramdd", ("hist", "bin_edges"))
slogdet = _define("slogdet", ("sign", "logabsdet"))
linalg_slogdet = _define("linalg_slogdet", ("sign", "logabsdet"))
qr = _define("qr", ("Q", "R"))
linalg_qr = _define("linalg_qr", ("Q", "R"))
svd = _define("svd", ("U", "S", "V"))
linalg_svd = _define("linalg_svd", ("U", "S", "Vh"))
linalg_eigh = _define("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_eig = _define("linalg_eig", ("eigenvalues", "eigenvectors"))
linalg_inv_ex = _define("linalg_inv_ex", ("inverse", "info"))
linalg_solve_ex = _define("linalg_solve_ex", ("result", "info"))
linalg_cholesky_ex = _define("linalg_cholesky_ex", ("L", "info"))
linalg_lstsq = _define("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
