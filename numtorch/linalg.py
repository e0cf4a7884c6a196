"""``numtorch.linalg``: PyTorch's linear algebra namespace.

The functions live in ``numtorch/ops/linalg.py`` (forward and backward side by
side); this module gives them their ``numtorch.linalg`` names.
"""

from .ops.linalg import (
    LinAlgError,
    cholesky_ex,
    cond,
    det,
    eigh,
    eigvals,
    eigvalsh,
    householder_product,
    inv,
    inv_ex,
    lstsq,
    lu_factor,
    lu_factor_ex,
    matrix_exp,
    matrix_norm,
    matrix_power,
    matrix_rank,
    multi_dot,
    pinv,
    solve,
    solve_ex,
    solve_triangular,
    svdvals,
    tensorinv,
    tensorsolve,
    vander,
    vecdot,
    vector_norm,
)
from .ops.linalg import linalg_cholesky as cholesky
from .ops.linalg import linalg_cross as cross
from .ops.linalg import linalg_diagonal as diagonal
from .ops.linalg import linalg_eig as eig
from .ops.linalg import linalg_lu as lu
from .ops.linalg import linalg_lu_solve as lu_solve
from .ops.linalg import linalg_matmul as matmul
from .ops.linalg import linalg_norm as norm
from .ops.linalg import linalg_qr as qr
from .ops.linalg import linalg_slogdet as slogdet
from .ops.linalg import linalg_svd as svd

__all__ = [
    "LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "eigh", "eigvalsh", "inv",
    "inv_ex", "lstsq", "matmul", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot",
    "norm", "pinv", "qr", "slogdet", "solve", "solve_ex", "solve_triangular", "svd", "svdvals",
    "vecdot", "vector_norm",
    "diagonal", "eig", "eigvals", "householder_product", "lu", "lu_factor", "lu_factor_ex",
    "lu_solve", "matrix_exp", "tensorinv", "tensorsolve", "vander",
]
