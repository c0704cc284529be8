"""Offline computer vision for the local stack: pixel analysis from models shipped inside PyPI wheels."""

# Imported first so its one-thread settings are in the environment before NumPy, OpenCV or onnxruntime load.
from scripts.local_stack.offline.vision import runtime as runtime
