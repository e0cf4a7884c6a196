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
  ``scale_tril``), ``LowRankMultivariateNormal``, ``Independent``, ``LogNormal``,
  ``TransformedDistribution`` and ``MixtureSameFamily``.
* The distributions PyTorch builds from ``uniform_``, ``exponential_``, ``normal_``,
  ``cauchy_`` and transforms: ``Cauchy``, ``HalfCauchy``, ``HalfNormal``, ``Gumbel``,
  ``Geometric``, ``Pareto``, ``GeneralizedPareto``, ``Weibull``, ``Kumaraswamy``,
  ``RelaxedBernoulli``, ``RelaxedOneHotCategorical``, ``LogisticNormal``,
  ``ContinuousBernoulli``. Cauchy, HalfCauchy, HalfNormal and Geometric draw PyTorch's
  numbers bit for bit; the others draw PyTorch's random numbers and pass them through a
  log, exp, power or sigmoid that NumPy may round differently in the last bit (each
  class's docstring says which).
* The distributions whose samplers are PyTorch's own C++ algorithms, replayed draw for
  draw: ``Gamma`` and ``Chi2`` (``numtorch._standard_gamma``, Marsaglia-Tsang, with its
  reparameterised gradient ``_standard_gamma_grad``, numtorch/ops/reparam.py);
  ``Dirichlet`` and ``Beta`` (a two-category Dirichlet, as in PyTorch;
  ``numtorch._sample_dirichlet`` and ``_dirichlet_grad``); ``Poisson``
  (``numtorch.poisson``); ``StudentT`` (a normal over the root of a Chi2); ``Binomial``
  (``numtorch.binomial``, PyTorch's inversion / BTRS sampler); ``FisherSnedecor`` (a ratio
  of Gamma draws); ``Multinomial`` (counted Categorical draws): all bit for bit.
  ``NegativeBinomial`` (a Poisson count at a Gamma-drawn rate), ``LKJCholesky`` (Beta
  draws times normal directions), ``VonMises`` (a rejection loop on uniforms, in
  double) and ``InverseGamma`` (a Gamma draw to the power -1, where PyTorch's vectorised
  pow is not correctly rounded): the same draws, to the rounding of NumPy's exp, cos,
  log, pow and reductions.
* ``Wishart``: Bartlett's decomposition on PyTorch's Chi2 and normal draws, with PyTorch's
  correction loop (which redraws the samples that pass its check and warns), to the
  rounding of NumPy's matrix products.
* Every transform PyTorch defines (``ExpTransform``, ``PowerTransform``,
  ``AffineTransform``, ``SigmoidTransform``, ``SoftplusTransform``, ``TanhTransform``,
  ``AbsTransform``, ``SoftmaxTransform``, ``StickBreakingTransform``,
  ``LowerCholeskyTransform``, ``PositiveDefiniteTransform``, ``CorrCholeskyTransform``,
  ``ReshapeTransform``, ``IndependentTransform``, ``CatTransform``, ``StackTransform``,
  ``CumulativeDistributionTransform``, ``ComposeTransform``, ``identity_transform``)
  and the ``biject_to`` / ``transform_to`` registries.
* ``kl_divergence`` and ``register_kl``, with PyTorch's closed forms for every pair it
  registers.

Every distribution ``torch.distributions`` has is here.
"""

from . import constraint_registry, constraints, transforms
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .cauchy import Cauchy
from .chi2 import Chi2
from .constraint_registry import biject_to, transform_to
from .continuous_bernoulli import ContinuousBernoulli
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .fishersnedecor import FisherSnedecor
from .gamma import Gamma
from .generalized_pareto import GeneralizedPareto
from .geometric import Geometric
from .gumbel import Gumbel
from .half_cauchy import HalfCauchy
from .half_normal import HalfNormal
from .independent import Independent
from .inverse_gamma import InverseGamma
from .kl import kl_divergence, register_kl
from .kumaraswamy import Kumaraswamy
from .laplace import Laplace
from .lkj_cholesky import LKJCholesky
from .log_normal import LogNormal
from .logistic_normal import LogisticNormal
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .mixture_same_family import MixtureSameFamily
from .multinomial import Multinomial
from .multivariate_normal import MultivariateNormal
from .negative_binomial import NegativeBinomial
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .pareto import Pareto
from .poisson import Poisson
from .relaxed_bernoulli import RelaxedBernoulli
from .relaxed_categorical import RelaxedOneHotCategorical
from .studentT import StudentT
from .transformed_distribution import TransformedDistribution
from .transforms import (
    AbsTransform,
    AffineTransform,
    CatTransform,
    ComposeTransform,
    CorrCholeskyTransform,
    CumulativeDistributionTransform,
    ExpTransform,
    IndependentTransform,
    LowerCholeskyTransform,
    PositiveDefiniteTransform,
    PowerTransform,
    ReshapeTransform,
    SigmoidTransform,
    SoftmaxTransform,
    SoftplusTransform,
    StackTransform,
    StickBreakingTransform,
    TanhTransform,
    Transform,
    identity_transform,
)
from .uniform import Uniform
from .von_mises import VonMises
from .weibull import Weibull
from .wishart import Wishart

__all__ = [
    "AffineTransform", "Bernoulli", "Categorical", "ComposeTransform", "Distribution",
    "ExpTransform", "Exponential", "ExponentialFamily", "Independent", "Laplace",
    "LogNormal", "MultivariateNormal", "Normal", "OneHotCategorical",
    "OneHotCategoricalStraightThrough", "SigmoidTransform", "TanhTransform", "Transform",
    "TransformedDistribution", "Uniform", "identity_transform", "kl_divergence",
    "register_kl",
    "Cauchy", "ContinuousBernoulli", "GeneralizedPareto", "Geometric", "Gumbel",
    "HalfCauchy", "HalfNormal",
    "Kumaraswamy", "LogisticNormal", "LowRankMultivariateNormal", "MixtureSameFamily",
    "Pareto", "RelaxedBernoulli", "RelaxedOneHotCategorical", "Weibull",
    # transforms and the constraint registries
    "AbsTransform", "CatTransform", "CorrCholeskyTransform",
    "CumulativeDistributionTransform", "IndependentTransform", "LowerCholeskyTransform",
    "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform", "SoftmaxTransform",
    "SoftplusTransform", "StackTransform", "StickBreakingTransform", "biject_to",
    "transform_to",
    "Beta", "Binomial", "Chi2", "Dirichlet", "FisherSnedecor", "Gamma", "LKJCholesky",
    "Multinomial", "NegativeBinomial", "Poisson", "StudentT", "VonMises", "InverseGamma",
    "Wishart",
]
