"""Plugins through the page: a file dropped into manifolds/ appears; a broken one is reported."""

from __future__ import annotations

import numpy as np

import manifolds
from app_support import assert_healthy, run_page, two_d_views, widget

DROP_IN = '''
import numpy as np
from manifolds import Param, register

@register("zz_ellipse", label="Ellipse (drop-in test)",
          params={"ratio": Param(0.5, min=0.1, max=1.0, help="minor / major axis")})
def ellipse(n_points, ratio):
    t = np.linspace(0.0, 2 * np.pi, n_points, endpoint=False)
    return np.column_stack([np.cos(t), ratio * np.sin(t)]), t
'''

BROKEN = '''
from manifolds import register
raise RuntimeError("this plugin is broken on purpose")
'''



def test_drop_in_manifold_appears_with_its_param_and_draws(plugin_file):
    plugin_file("zz_test_ellipse", DROP_IN)
    app = run_page({"manifold": "zz_ellipse", "zz_ellipse.ratio": "0.25", "n_points": "400"})
    assert_healthy(app)
    assert widget(app, "manifold").value == "zz_ellipse"
    assert "Ellipse (drop-in test)" in widget(app, "manifold").options  # options show labels
    assert widget(app, "zz_ellipse.ratio").value == 0.25
    original = two_d_views(app)[0]
    np.testing.assert_allclose(original["y"].abs().max(), 0.25, rtol=1e-3)


def test_broken_plugin_is_a_warning_and_everything_else_works(plugin_file):
    plugin_file("zz_test_broken", BROKEN)
    app = run_page({"n_points": "400"})
    assert_healthy(app)
    warnings = [w.value for w in app.sidebar.warning]
    assert any("zz_test_broken" in w and "broken on purpose" in w for w in warnings), warnings
    labels = {manifolds.registry[name].label for name in ("spiral", "trefoil", "circle")}
    assert set(widget(app, "manifold").options) >= labels
    assert len(two_d_views(app)[0]) == 400


def test_plugin_gone_after_its_file_is_removed(plugin_file):
    path = plugin_file("zz_test_ellipse", DROP_IN)
    assert "zz_ellipse" in manifolds.registry
    path.unlink()
    manifolds.registry.rediscover()
    assert "zz_ellipse" not in manifolds.registry
