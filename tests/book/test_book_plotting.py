"""tinytorch.plotting: the course's single figure style."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from tinytorch import plotting  # noqa: E402

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


def test_palette_is_okabe_ito():
    assert set(plotting.OKABE_ITO.values()) == OKABE_ITO
    assert set(plotting.PALETTE) == OKABE_ITO and len(plotting.PALETTE) == 8
    assert set(plotting.OPTIMIZER_COLORS.values()) <= OKABE_ITO


def test_use_style_sets_rcparams():
    with matplotlib.rc_context():
        plotting.use_style()
        rc = matplotlib.rcParams
        assert [c.lower() for c in rc["axes.prop_cycle"].by_key()["color"]] == [c.lower() for c in plotting.PALETTE]
        assert rc["figure.dpi"] == 110
        assert rc["axes.grid"] is True
        assert rc["axes.spines.top"] is False
        fig = plt.figure()
        # fixed size -> a stable "<Figure size 704x440 with 0 Axes>" repr
        assert repr(fig) == "<Figure size 704x440 with 0 Axes>"
        plt.close(fig)


def test_the_same_optimizer_always_gets_the_same_colour():
    assert plotting.color_for("Adam") == plotting.color_for("adam") == plotting.OKABE_ITO["vermillion"]
    assert plotting.color_for("momentum 0.9") == plotting.OPTIMIZER_COLORS["momentum"]
    assert plotting.color_for("AdamW") != plotting.color_for("Adam")
    assert plotting.color_for("some label") == plotting.color_for("some label")


def test_line_plot_labels_axes_and_keeps_lines_distinct():
    with matplotlib.rc_context():
        plotting.use_style()
        ax = plotting.line_plot(
            {"SGD lr=0.1": [3, 2, 1], "SGD lr=0.5": [3, 1, 0.5], "Adam": [3, 1.5, 0.2]},
            xlabel="step", ylabel="loss", logy=True, title="t",
        )
        colors = [line.get_color() for line in ax.get_lines()]
        assert len(set(colors)) == 3
        assert ax.get_xlabel() == "step" and ax.get_ylabel() == "loss"
        assert ax.get_yscale() == "log"
        assert ax.get_legend() is not None
        plt.close(ax.figure)


def test_contour_with_trajectories():
    with matplotlib.rc_context():
        plotting.use_style()
        path = np.array([[-1.5, 1.0], [-1.0, 0.5], [0.0, 0.0]])
        ax = plotting.contour_with_trajectories(
            lambda x, y: x**2 + 4 * y**2 + 1e-3, {"SGD": path, "Momentum": path * 0.5},
            minimum=(0, 0), resolution=50,
        )
        assert ax.get_xlabel() and ax.get_ylabel()
        labelled = [l for l in ax.get_lines() if not l.get_label().startswith("_")]
        assert {l.get_label() for l in labelled} >= {"SGD", "Momentum"}
        plt.close(ax.figure)


@pytest.mark.parametrize("module", ["tinytorch", "tinytorch.optim", "tinytorch.core.optimizers", "tinytorch.nn"])
def test_core_never_imports_matplotlib(module):
    code = f"import sys, {module}; assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_glue_falls_back_to_display_without_myst_nb(monkeypatch):
    shown = []
    import builtins
    import IPython.display

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "myst_nb":
            raise ImportError("no myst_nb here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    monkeypatch.setattr(IPython.display, "display", lambda v: shown.append(v))
    figure = object()                      # anything that is not a number or text
    plotting.glue("fig", figure)
    assert shown == [figure]


def test_glue_without_myst_nb_prints_numbers_with_their_name(monkeypatch, capsys):
    # Colab and the browser (JupyterLite) have no myst-nb: the reader sees which
    # number of the prose each printed value is.
    monkeypatch.setitem(sys.modules, "myst_nb", None)
    plotting.glue("gd_floor_ratio", "5.9 ± 0.7", display=False)
    plotting.glue("gd_n_seeds", np.int64(5), display=False)
    plotting.glue("eta", np.float64(0.25), display=False)
    assert capsys.readouterr().out == "gd_floor_ratio: 5.9 ± 0.7\ngd_n_seeds: 5\neta: 0.25\n"


def test_glue_stores_numpy_scalars_as_plain_numbers(monkeypatch):
    import myst_nb

    stored = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: stored.append(value))
    plotting.glue("x", np.float64(0.25), display=False)
    plotting.glue("n", np.int64(3), display=False)
    assert stored == [0.25, 3] and type(stored[0]) is float and type(stored[1]) is int


def test_labels_without_an_optimizer_never_get_the_faint_yellow():
    from tinytorch.plotting import OKABE_ITO, color_for

    labels = [f"run {i}" for i in range(200)] + ["η = 0.05", "constant", "cosine", "warm restarts"]
    assert OKABE_ITO["yellow"] not in {color_for(label) for label in labels}
