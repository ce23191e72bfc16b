"""Shared fixtures: throw-away plugins that never outlive their test."""

import pytest


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
