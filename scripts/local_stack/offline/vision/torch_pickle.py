"""Read a PyTorch state dict (legacy, non-zip ``torch.save`` format) into NumPy arrays without importing torch.

The EfficientNet-Lite0 weights ship as such a file; torch itself is a ~1 GB install we do not want for a
local stand-in. Only the pickle globals a plain state dict needs are allowed, so a hostile file cannot run code.
"""

from __future__ import annotations

import collections
import pickle
import struct
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

_STORAGE_DTYPES: dict[str, type[np.generic]] = {
    "FloatStorage": np.float32,
    "HalfStorage": np.float16,
    "DoubleStorage": np.float64,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
}
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


class _Storage:
    __slots__ = ("data", "dtype", "size")

    def __init__(self, dtype: type[np.generic], size: int) -> None:
        self.dtype = dtype
        self.size = size
        self.data: npt.NDArray[Any] | None = None


class _TensorRef:
    """A tensor as pickled: a view (offset, size, stride) on a storage whose bytes come after the pickle."""

    __slots__ = ("offset", "shape", "storage", "stride")

    def __init__(self, storage: _Storage, offset: int, shape: tuple[int, ...], stride: tuple[int, ...]) -> None:
        self.storage = storage
        self.offset = offset
        self.shape = shape
        self.stride = stride

    def to_numpy(self) -> npt.NDArray[Any]:
        data = self.storage.data
        if data is None:
            raise ValueError("tensor storage missing from file")
        itemsize = data.itemsize
        if not self.shape:
            return np.array(data[self.offset])
        # Converted-from-TF weights are stored transposed (non-contiguous strides): honour them, then copy.
        view = np.lib.stride_tricks.as_strided(
            data[self.offset :],
            shape=self.shape,
            strides=tuple(s * itemsize for s in self.stride),
            writeable=False,
        )
        return np.ascontiguousarray(view)


def _rebuild_tensor_v2(storage: _Storage, offset: int, size: Any, stride: Any, *_rest: Any) -> _TensorRef:
    return _TensorRef(storage, int(offset), tuple(int(s) for s in size), tuple(int(s) for s in stride))


class _StateDictUnpickler(pickle.Unpickler):
    def __init__(self, file: BinaryIO) -> None:
        super().__init__(file)
        self.storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch" and name in _STORAGE_DTYPES:
            return name
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"refusing pickle global {module}.{name}")

    def persistent_load(self, pid: Any) -> _Storage:
        _kind, storage_type, key, _location, size, _view = pid
        storage = self.storages.get(key)
        if storage is None:
            storage = self.storages[key] = _Storage(_STORAGE_DTYPES[storage_type], int(size))
        return storage


def load_state_dict(path: Path) -> dict[str, npt.NDArray[Any]]:
    """All tensors of the state dict at ``path``, by name (``num_batches_tracked`` counters included)."""
    with path.open("rb") as f:
        # Every pickle in the file goes through the restricted unpickler: the header holds only plain values.
        if _StateDictUnpickler(f).load() != _LEGACY_MAGIC:
            raise ValueError(f"{path.name}: not a legacy torch.save file")
        _StateDictUnpickler(f).load()  # protocol version
        _StateDictUnpickler(f).load()  # sys info
        unpickler = _StateDictUnpickler(f)
        state = unpickler.load()
        keys: list[str] = _StateDictUnpickler(f).load()
        for key in keys:
            storage = unpickler.storages[key]
            (count,) = struct.unpack("<q", f.read(8))
            nbytes = count * np.dtype(storage.dtype).itemsize
            storage.data = np.frombuffer(f.read(nbytes), dtype=storage.dtype)
    return {name: ref.to_numpy() for name, ref in state.items() if isinstance(ref, _TensorRef)}
