"""Reading peft LoRA adapters (no network, never pickle).

An adapter is a mapping  base-model module name -> (kind, A, B, scaling)  with
A = lora_A.weight (r x in), B = lora_B.weight (out x r), scaling = lora_alpha / r
(lora_alpha / sqrt(r) with rslora). kind is "conv1d" for GPT-2's Conv1D targets
(peft's fan_in_fan_out) and "linear" otherwise; the delta is s B A x for both.

Sources: a live peft model (`from_peft_model`), or a local adapter directory holding
adapter_config.json and adapter_model.safetensors (`load_adapter_dir`; pickled
adapter_model.bin files are refused).
"""
from __future__ import annotations

import json
import math
import os
import re

import numpy as np

PREFIX = "base_model.model."
_KEY = re.compile(r"^(?P<mod>.+)\.lora_(?P<ab>[AB])(?:\.(?P<adapter>[^.]+))?\.weight$")


def _strip(name: str) -> str:
    return name[len(PREFIX):] if name.startswith(PREFIX) else name


def _scaling(cfg: dict, r: int) -> float:
    alpha = cfg.get("lora_alpha", r)
    return alpha / math.sqrt(r) if cfg.get("use_rslora") else alpha / r


def _assemble(weights: dict, cfg: dict, adapter: str = "default") -> dict:
    mods: dict = {}
    for key, w in weights.items():
        m = _KEY.match(key)
        if not m or (m.group("adapter") not in (None, adapter)):
            continue
        mods.setdefault(_strip(m.group("mod")), {})[m.group("ab")] = np.asarray(w, dtype=np.float64)
    kind = "conv1d" if cfg.get("fan_in_fan_out") else "linear"
    out = {}
    for name in sorted(mods, key=_natural):
        ab = mods[name]
        if set(ab) != {"A", "B"}:
            raise ValueError(f"adapter module {name}: needs both lora_A and lora_B")
        A, B = ab["A"], ab["B"]
        if A.ndim != 2 or B.ndim != 2 or B.shape[1] != A.shape[0]:
            raise ValueError(f"adapter module {name}: shapes {A.shape} and {B.shape} are not r x in, out x r")
        out[name] = (kind, A, B, _scaling(cfg, A.shape[0]))
    if not out:
        raise ValueError("no LoRA modules found in the adapter")
    return out


def _natural(s: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s)]


def from_peft_model(model, adapter: str = "default") -> dict:
    """name -> (kind, A, B, scaling) from a live peft model (PeftModel)."""
    cfg = model.peft_config[adapter]
    cfgd = {"lora_alpha": cfg.lora_alpha, "use_rslora": getattr(cfg, "use_rslora", False),
            "fan_in_fan_out": getattr(cfg, "fan_in_fan_out", False)}
    weights = {k: v.detach().cpu().double().numpy() for k, v in model.state_dict().items() if ".lora_" in k}
    return _assemble(weights, cfgd, adapter)


def load_adapter_dir(path: str) -> dict:
    """name -> (kind, A, B, scaling) from a local peft adapter directory."""
    cfg_path = os.path.join(path, "adapter_config.json")
    st_path = os.path.join(path, "adapter_model.safetensors")
    if not os.path.isfile(cfg_path):
        raise FileNotFoundError(f"{cfg_path} not found (a peft adapter directory holds adapter_config.json)")
    if not os.path.isfile(st_path):
        raise FileNotFoundError(f"{st_path} not found (only safetensors adapters are read; pickles are refused)")
    with open(cfg_path) as f:
        cfg = json.load(f)
    from safetensors.numpy import load_file
    return _assemble(load_file(st_path), cfg)
