"""``numtorch.distributions``: PyTorch's probability distributions.

Each distribution takes PyTorch's constructor arguments, validates them the same way
(``validate_args``, ``Distribution.set_default_validate_args``), and gives
``batch_shape``/``event_shape``, ``sample``/``rsample``, ``log_prob``, ``entropy``,
``mean``/``mode``/``variance``/``stddev``, ``expand``, ``support``, ``arg_constraints``
and PyTorch's ``repr``. Samplers call the same numtorch primitives, with the same
shapes and in the same order, as PyTorch's, so after the same ``manual_seed`` a sample
is PyTorch's bit for bit.

What is here:

* ``Distribution``, ``ExponentialFamily`` and ``constraints`` (``Constraint.check``,
  ``real``, ``positive``, ``interval``, ``simplex``, ``lower_cholesky``,
  ``positive_definite``, ``independent`` ... every constraint PyTorch defines).
* ``Normal``, ``Uniform``, ``Bernoulli``, ``Categorical``, ``OneHotCategorical``
  (and ``OneHotCategoricalStraightThrough``), ``Exponential``, ``Laplace``,
  ``MultivariateNormal`` (``covariance_matrix``, ``precision_matrix`` or
  ``scale_tril``), ``Independent``, ``LogNormal`` and ``TransformedDistribution``.
* ``Gamma`` and ``Chi2``, drawn by ``numtorch._standard_gamma`` (PyTorch's C++
  Marsaglia-Tsang sampler, replayed draw for draw) with its reparameterised gradient
  ``_standard_gamma_grad`` (``numtorch/ops/reparam.py``); ``Dirichlet`` and ``Beta`` (a
  two-category Dirichlet, as in PyTorch), drawn by ``numtorch._sample_dirichlet`` with
  the gradient ``_dirichlet_grad``; ``Poisson``, drawn by ``numtorch.poisson``;
  ``StudentT`` (a normal over the root of a Chi2); ``Binomial``, drawn by
  ``numtorch.binomial`` (PyTorch's inversion / BTRS sampler); ``FisherSnedecor`` (a
  ratio of Gamma draws); ``Multinomial`` (counted Categorical draws): all bit for bit.
  ``NegativeBinomial`` (a Poisson count at a Gamma-drawn rate), ``LKJCholesky`` (Beta
  draws times normal directions) and ``VonMises`` (a rejection loop on uniforms, in
  double): the same draws, to the rounding of NumPy's exp, cos, log and reductions.
* Transforms: ``Transform``, ``ExpTransform``, ``AffineTransform``,
  ``SigmoidTransform``, ``TanhTransform``, ``ComposeTransform``, ``identity_transform``.
* ``kl_divergence`` and ``register_kl``, with PyTorch's closed forms for the pairs of
  the classes above (Normal, Uniform, Bernoulli, Categorical, OneHotCategorical,
  Exponential, Laplace, MultivariateNormal, Independent, TransformedDistribution, Gamma,
  Beta, Dirichlet, Poisson, Binomial, and the cross pairs among Normal, Uniform,
  Exponential, Laplace, Gamma and Beta, and of Poisson with Bernoulli and Binomial).

What PyTorch has that numtorch lacks:

* Wishart: not written yet (its sampler builds on Chi2, which is here).
* The other distributions built on those or not yet written: Cauchy, HalfCauchy,
  HalfNormal, Gumbel, Geometric, Pareto, Weibull, Kumaraswamy, LogisticNormal,
  LowRankMultivariateNormal, MixtureSameFamily, RelaxedBernoulli,
  RelaxedOneHotCategorical, ContinuousBernoulli, GeneralizedPareto, InverseGamma.
* The other transforms (``PowerTransform``, ``SoftmaxTransform``,
  ``StickBreakingTransform``, ``LowerCholeskyTransform``, ``CatTransform`` ...) and
  the ``biject_to`` / ``transform_to`` registries.
"""

from . import constraints, transforms
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .chi2 import Chi2
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .fishersnedecor import FisherSnedecor
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .lkj_cholesky import LKJCholesky
from .log_normal import LogNormal
from .multinomial import Multinomial
from .multivariate_normal import MultivariateNormal
from .negative_binomial import NegativeBinomial
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .poisson import Poisson
from .studentT import StudentT
from .transformed_distribution import TransformedDistribution
from .transforms import (
    AffineTransform,
    ComposeTransform,
    ExpTransform,
    SigmoidTransform,
    TanhTransform,
    Transform,
    identity_transform,
)
from .uniform import Uniform
from .von_mises import VonMises

__all__ = [
    "AffineTransform", "Bernoulli", "Categorical", "ComposeTransform", "Distribution",
    "ExpTransform", "Exponential", "ExponentialFamily", "Independent", "Laplace",
    "LogNormal", "MultivariateNormal", "Normal", "OneHotCategorical",
    "OneHotCategoricalStraightThrough", "SigmoidTransform", "TanhTransform", "Transform",
    "TransformedDistribution", "Uniform", "identity_transform", "kl_divergence",
    "register_kl",
    "Beta", "Binomial", "Chi2", "Dirichlet", "FisherSnedecor", "Gamma", "LKJCholesky",
    "Multinomial", "NegativeBinomial", "Poisson", "StudentT", "VonMises",
]
