"""The course's data: MNIST (:mod:`.mnist`), 2-D toy sets (:mod:`.toy`), a biased credit set (:mod:`.credit`)."""

from course_utils.data.credit import CREDIT_FEATURES, CreditData, make_credit_data
from course_utils.data.mnist import (
    MnistDownloadError,
    accuracy_floor,
    active_source,
    describe_source,
    is_course_subset,
    is_standin,
    load_mnist,
    scale_images,
)
from course_utils.data.toy import TOY_DATA, make_two_blobs, make_xor, toy_data

__all__ = [
    "load_mnist",
    "scale_images",
    "active_source",
    "describe_source",
    "is_course_subset",
    "is_standin",
    "accuracy_floor",
    "MnistDownloadError",
    "make_xor",
    "make_two_blobs",
    "toy_data",
    "TOY_DATA",
    "make_credit_data",
    "CreditData",
    "CREDIT_FEATURES",
]
