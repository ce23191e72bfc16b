"""Shared fixtures: throw-away plugins that never outlive their test."""

import sys
from pathlib import Path

import pytest

import manifolds

MANIFOLD_DIR = Path(manifolds.__file__).parent


@pytest.fixture
def temp_plugin():
    """``temp_plugin(registry, name, func, **register_kwargs)`` registers ``func`` for one test."""
    added = []

    def add(registry, name, func, **kwargs):
        registry.register(name, **kwargs)(func)
        added.append((registry, name))
        return name

    yield add
    for registry, name in added:
        registry._plugins.pop(name, None)


@pytest.fixture
def plugin_file(monkeypatch):
    """``plugin_file(name, source)`` writes ``manifolds/<name>.py``; removed (and rediscovered) after."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    written = []

    def write(name: str, source: str) -> Path:
        path = MANIFOLD_DIR / f"{name}.py"
        path.write_text(source)
        written.append(path)
        manifolds.registry.rediscover()
        return path

    yield write
    for path in written:
        path.unlink(missing_ok=True)
    manifolds.registry.rediscover()
