"""Generate tests/fixtures/core_*.npz with real PyTorch (run once; the tests never import torch).

    pip install torch==2.13.0      # CPU build; plain `pip install torch` pulls GBs of CUDA
    python tools/make_core_fixtures.py

Inputs come from a seeded NumPy generator and are stored in the fixture next
to what PyTorch computed from them: forward values, losses and gradients.
"""
import pathlib

import numpy as np
import torch

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def leaf(array):
    return torch.tensor(array, requires_grad=True)


def mlp_cross_entropy(rng, dtype):
    """Linear(5,7) → ReLU → Linear(7,6) → Tanh → Linear(6,4) → CrossEntropyLoss, batch 8."""
    shapes = {"w1": (7, 5), "b1": (7,), "w2": (6, 7), "b2": (6,), "w3": (4, 6), "b3": (4,)}
    arrays = {name: rng.uniform(-0.6, 0.6, shape).astype(dtype) for name, shape in shapes.items()}
    arrays["x"] = rng.standard_normal((8, 5)).astype(dtype)
    arrays["y"] = rng.integers(0, 4, 8).astype(np.int64)
    t = {name: leaf(a) for name, a in arrays.items() if name != "y"}
    hidden = torch.tanh(torch.relu(t["x"] @ t["w1"].T + t["b1"]) @ t["w2"].T + t["b2"])
    logits = hidden @ t["w3"].T + t["b3"]
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(arrays["y"]))
    loss.backward()
    out = {f"in_{k}": v for k, v in arrays.items()}
    out["logits"] = logits.detach().numpy()
    out["loss"] = loss.detach().numpy()
    out.update({f"grad_{k}": v.grad.numpy() for k, v in t.items()})
    return out


def mlp_mse(rng):
    """Linear(5,6) → Sigmoid → Linear(6,2) → MSELoss against (8, 2) targets, float64."""
    shapes = {"w1": (6, 5), "b1": (6,), "w2": (2, 6), "b2": (2,), "x": (8, 5), "target": (8, 2)}
    arrays = {name: rng.standard_normal(shape) for name, shape in shapes.items()}
    t = {name: leaf(a) for name, a in arrays.items()}
    prediction = torch.sigmoid(t["x"] @ t["w1"].T + t["b1"]) @ t["w2"].T + t["b2"]
    loss = torch.nn.functional.mse_loss(prediction, t["target"])
    loss.backward()
    out = {f"in_{k}": v for k, v in arrays.items()}
    out["prediction"] = prediction.detach().numpy()
    out["loss"] = loss.detach().numpy()
    out.update({f"grad_{k}": v.grad.numpy() for k, v in t.items()})
    return out


def tie_conventions():
    """Points where the derivative is a convention, not a limit: PyTorch's choices at ties and kinks."""
    a_np = np.array([[1.0, 3.0, 3.0], [0.0, -1.0, 0.0]])
    b_np = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    out = {"a": a_np, "b": b_np}
    cases = {
        "relu": lambda a, b: torch.relu(a - 1),
        "abs": lambda a, b: torch.abs(a),
        "maximum": lambda a, b: torch.maximum(a, b),
        "amax_rows": lambda a, b: torch.amax(a, dim=1),
        "amax_all": lambda a, b: torch.amax(a),
        "pow0": lambda a, b: a**0,
        "sqrt_sum": lambda a, b: torch.sqrt(a * a + 1).sum(0),
    }
    for name, fn in cases.items():
        a, b = leaf(a_np), leaf(b_np)
        y = fn(a, b)
        y.backward(torch.ones_like(y))
        out[f"{name}_value"] = y.detach().numpy()
        out[f"{name}_grad_a"] = a.grad.numpy()
        out[f"{name}_grad_b"] = b.grad.numpy() if b.grad is not None else np.zeros_like(b_np)
    return out


def main():
    FIXTURES.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261121)
    files = {
        "core_mlp_ce_float64.npz": mlp_cross_entropy(rng, np.float64),
        "core_mlp_ce_float32.npz": mlp_cross_entropy(rng, np.float32),
        "core_mlp_mse_float64.npz": mlp_mse(rng),
        "core_tie_conventions.npz": tie_conventions(),
    }
    for name, arrays in files.items():
        np.savez(FIXTURES / name, torch_version=np.array(torch.__version__), **arrays)
        print(f"wrote {FIXTURES / name} ({(FIXTURES / name).stat().st_size} bytes)")


if __name__ == "__main__":
    main()
