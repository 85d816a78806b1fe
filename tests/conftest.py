import pytest

import zkproof


def pytest_collection_modifyitems(config, items):
    if zkproof.cuda_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU (none available)")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip)
