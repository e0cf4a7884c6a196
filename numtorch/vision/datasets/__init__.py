"""vision.datasets: torchvision's datasets, same constructor arguments and on-disk layout."""

from .cifar import CIFAR10, CIFAR100
from .fakedata import FakeData
from .folder import IMG_EXTENSIONS, DatasetFolder, ImageFolder, default_loader
from .mnist import EMNIST, KMNIST, MNIST, QMNIST, FashionMNIST
from .vision import StandardTransform, VisionDataset

__all__ = ["VisionDataset", "StandardTransform", "MNIST", "FashionMNIST", "KMNIST", "EMNIST",
           "QMNIST", "CIFAR10", "CIFAR100", "DatasetFolder", "ImageFolder", "FakeData",
           "IMG_EXTENSIONS", "default_loader"]
