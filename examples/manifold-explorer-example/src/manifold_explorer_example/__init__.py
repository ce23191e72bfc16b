"""Example Manifold Explorer plugins: the rose curve (``curves``) and a leaky-ReLU layer (``layers``).

Nothing is imported here: Manifold Explorer imports each module through its entry point.
"""

__version__ = "0.1.0"
