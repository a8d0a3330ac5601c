"""Shared fixtures. PyTorch is only a reference: tests that need it take the `torch` fixture."""
import os

import pytest


@pytest.fixture(scope="session")
def torch():
    """The torch module in float64; skipped when missing, unless GRU_LAB_REQUIRE_TORCH=1 demands it."""
    try:
        import torch as torch_module
    except ImportError:
        if os.environ.get("GRU_LAB_REQUIRE_TORCH") == "1":
            pytest.fail("GRU_LAB_REQUIRE_TORCH=1 but PyTorch is not installed: pip install torch==2.13.0")
        pytest.skip("PyTorch not installed: pip install torch==2.13.0")
    torch_module.set_default_dtype(torch_module.float64)
    return torch_module
