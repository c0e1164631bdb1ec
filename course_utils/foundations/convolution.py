"""Convolution and max-pooling from scratch in NumPy (the layers of a CNN, chapter 08).

Layout is PyTorch's, channels first: images ``x`` (N, C, H, W), filters
``weight`` (F, C, kh, kw). Like every deep-learning framework, "convolution"
here is cross-correlation (the filter is not flipped):

    out[n, f, i, j] = b[f] + sum_{c, u, v} weight[f, c, u, v] * x_pad[n, c, i*s + u, j*s + v]

with ``x_pad`` the input padded by ``padding`` zeros on each side and ``s``
the stride; the output is (N, F, H', W') with H' = (H + 2p - kh) // s + 1.
Keras keeps channels last: transpose (N, H, W, C) -> (N, C, H, W) and its
kernel (kh, kw, C, F) -> (F, C, kh, kw) to use these functions.
"""

from __future__ import annotations

import numpy as np


def conv2d(x, weight, bias=None, padding: int = 0, stride: int = 1) -> np.ndarray:
    """2-D cross-correlation of a batch of images with a bank of filters (formula in the module docstring).

    One loop over the kh*kw filter offsets: each offset (u, v) adds
    ``weight[:, :, u, v]`` times the input shifted by (u, v), for every output pixel at once.
    """
    x, weight = np.asarray(x), np.asarray(weight)
    if x.ndim != 4:
        raise ValueError(f"expected images of shape (N, C, H, W), got {x.shape}")
    if weight.ndim != 4:
        raise ValueError(f"expected filters of shape (F, C, kh, kw), got {weight.shape}")
    if weight.shape[1] != x.shape[1]:
        raise ValueError(
            f"the filters have {weight.shape[1]} input channels but the images have {x.shape[1]}"
        )
    if padding < 0 or stride < 1:
        raise ValueError(
            f"expected padding >= 0 and stride >= 1, got padding={padding}, stride={stride}"
        )
    n_filters, _, kh, kw = weight.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    height = (x_pad.shape[2] - kh) // stride + 1
    width = (x_pad.shape[3] - kw) // stride + 1
    if height < 1 or width < 1:
        raise ValueError(
            f"a {kh}x{kw} filter does not fit in {x.shape[2]}x{x.shape[3]} images with padding {padding}"
        )
    out = np.zeros((x.shape[0], n_filters, height, width), dtype=np.result_type(x, weight))
    for u in range(kh):
        for v in range(kw):
            window = x_pad[:, :, u : u + stride * height : stride, v : v + stride * width : stride]
            out += np.einsum("nchw,fc->nfhw", window, weight[:, :, u, v])
    if bias is not None:
        bias = np.asarray(bias)
        if bias.shape != (n_filters,):
            raise ValueError(
                f"expected one bias per filter, shape ({n_filters},), got {bias.shape}"
            )
        out += bias[None, :, None, None]
    return out


def max_pool2d(x, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max over each ``size`` x ``size`` window, moving by ``stride`` (default: ``size``).

    out[n, c, i, j] = max_{0 <= u, v < size} x[n, c, i*s + u, j*s + v]; (N, C, H, W) -> (N, C, H', W')
    with H' = (H - size) // s + 1 (a leftover edge row or column is dropped, as in PyTorch and Keras).
    """
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"expected images of shape (N, C, H, W), got {x.shape}")
    stride = size if stride is None else stride
    if size < 1 or stride < 1 or size > min(x.shape[2:]):
        raise ValueError(
            f"expected 1 <= size <= {min(x.shape[2:])} and stride >= 1, got size={size}, stride={stride}"
        )
    height = (x.shape[2] - size) // stride + 1
    width = (x.shape[3] - size) // stride + 1
    windows = (
        x[:, :, u : u + stride * height : stride, v : v + stride * width : stride]
        for u in range(size)
        for v in range(size)
    )
    out = next(windows).copy()
    for window in windows:
        np.maximum(out, window, out=out)
    return out
