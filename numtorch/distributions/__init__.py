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
* Every transform PyTorch defines (``ExpTransform``, ``PowerTransform``,
  ``AffineTransform``, ``SigmoidTransform``, ``SoftplusTransform``, ``TanhTransform``,
  ``AbsTransform``, ``SoftmaxTransform``, ``StickBreakingTransform``,
  ``LowerCholeskyTransform``, ``PositiveDefiniteTransform``, ``CorrCholeskyTransform``,
  ``ReshapeTransform``, ``IndependentTransform``, ``CatTransform``, ``StackTransform``,
  ``CumulativeDistributionTransform``, ``ComposeTransform``, ``identity_transform``)
  and the ``biject_to`` / ``transform_to`` registries.
* ``kl_divergence`` and ``register_kl``, with PyTorch's closed forms for every pair it
  registers among the classes above.

What PyTorch has that numtorch lacks:

* Distributions whose samplers are PyTorch's own C++ algorithms (Gamma, Beta,
  Dirichlet, Chi2, StudentT, Binomial, Poisson, Multinomial's relatives, VonMises,
  LKJCholesky, Wishart ...): their draws could not be matched exactly without
  re-deriving those kernels, so they are left out rather than given different numbers.
* The distributions built on those: FisherSnedecor, InverseGamma, NegativeBinomial,
  Multinomial (which needs Binomial), and the KL pairs that involve them.
"""

from . import constraint_registry, constraints, transforms
from .bernoulli import Bernoulli
from .categorical import Categorical
from .cauchy import Cauchy
from .constraint_registry import biject_to, transform_to
from .continuous_bernoulli import ContinuousBernoulli
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .generalized_pareto import GeneralizedPareto
from .geometric import Geometric
from .gumbel import Gumbel
from .half_cauchy import HalfCauchy
from .half_normal import HalfNormal
from .independent import Independent
from .kl import kl_divergence, register_kl
from .kumaraswamy import Kumaraswamy
from .laplace import Laplace
from .log_normal import LogNormal
from .logistic_normal import LogisticNormal
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .mixture_same_family import MixtureSameFamily
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .pareto import Pareto
from .relaxed_bernoulli import RelaxedBernoulli
from .relaxed_categorical import RelaxedOneHotCategorical
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
from .weibull import Weibull

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
]
