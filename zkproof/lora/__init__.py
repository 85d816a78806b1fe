"""LoRA adapters: the low-rank delta prover, the adapter commitment, the contributor
server and the base-model client (docs/lora.md).

    quantize     4-bit per-row weights, fixed-point activations, the integer forward pass
    commitment   hiding adapter commitment, commitment-time range proof, the manifest
    prover       prove / verify that returned deltas are the committed adapter applied to x
    dense        the same statement with the merged s B A committed (for comparison)
    batched_lookup  one LogUp over many power-of-two parts
    frames       the wire format;  server (LoRAServer, LoRAServerSocket);  client (BaseModelClient)
    adapters     reading peft adapters;  models  offline GPT-2 / MiniLM with LoRA
"""
from .client import BaseModelClient, ContributorError
from .commitment import AdapterManifest, commit_adapter, verify_manifest
from .prover import Call, prove, verify
from .quantize import quantize_activations, quantize_module
from .server import LoRAServer, LoRAServerSocket

__all__ = ["BaseModelClient", "ContributorError", "AdapterManifest", "commit_adapter", "verify_manifest",
           "Call", "prove", "verify", "quantize_activations", "quantize_module", "LoRAServer", "LoRAServerSocket"]
