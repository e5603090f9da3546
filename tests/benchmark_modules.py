"""Load a script of benchmarks/ as a module, for tests that use its checks."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from locations import BENCHMARKS


def load_benchmark(name: str) -> ModuleType:
    """``benchmarks/NAME.py`` as a module (registered in sys.modules, as dataclasses need)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
