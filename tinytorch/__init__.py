"""tinytorch: a small, readable, PyTorch-exact framework for learning optimizers."""
