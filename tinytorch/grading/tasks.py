"""The tasks a student implements: each one's contract and its known mistakes.

A task names the keyword arguments the student's function receives (every value a
float64 array, a number, None, or a list of arrays), the values it returns, in
order, and a hint for each mistake whose numbers the recorded cases carry
(``data/cases.json``, made from PyTorch by ``tools/make_grading_fixtures.py``).
Nothing here computes an answer: the grader only compares numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Task:
    """A function to write: its name, keyword arguments, returned values (in
    order), contract, and a hint for each known mistake."""

    name: str
    arguments: tuple[str, ...]
    returns: tuple[str, ...]
    contract: str
    hints: dict[str, str] = field(default_factory=dict)


_OPTIMIZER_NOTE = ("Return new arrays; do not modify the arguments. Everything is "
                   "float64.")

TASKS = {task.name: task for task in [
    Task("gd_step", ("param", "grad", "lr"), ("param",),
         "One step of gradient descent: the parameter after the step. " + _OPTIMIZER_NOTE,
         {"plus": "the parameter moved *up* the gradient: the step subtracts lr · grad.",
          "lr_squared": "the learning rate enters once, not squared."}),
    Task("sgd_step",
         ("param", "grad", "momentum_buffer", "lr", "momentum", "dampening",
          "weight_decay", "nesterov"),
         ("param", "buf"),
         "One step of torch.optim.SGD: returns (param, buf). momentum_buffer is None "
         "before the first step. " + _OPTIMIZER_NOTE,
         {"ema_momentum": "this is the exponential moving average b = μb + (1 − μ)g; "
                          "PyTorch's buffer is b = μb + (1 − dampening)g, and the "
                          "first step copies g into it.",
          "dampening_on_first_step": "the first step copies the gradient into the buffer "
                                     "as it is: dampening applies from the second step on.",
          "nesterov_ignored": "with nesterov=True the step uses g + μb, not b.",
          "weight_decay_ignored": "weight decay adds weight_decay · param to the gradient "
                                  "before the momentum update."}),
    Task("adagrad_step",
         ("param", "grad", "state_sum", "step", "lr", "lr_decay", "eps", "weight_decay"),
         ("param", "state_sum"),
         "One step of torch.optim.Adagrad (step counts from 1): returns "
         "(param, state_sum). " + _OPTIMIZER_NOTE,
         {"eps_inside_sqrt": "ε is added after the square root: √sum + ε.",
          "sum_of_gradients_not_squares": "the state accumulates the squares g², not g."}),
    Task("rmsprop_step",
         ("param", "grad", "square_avg", "lr", "alpha", "eps", "weight_decay"),
         ("param", "square_avg"),
         "One step of torch.optim.RMSprop without momentum or centering: returns "
         "(param, square_avg). " + _OPTIMIZER_NOTE,
         {"eps_inside_sqrt": "ε is added after the square root: √v + ε.",
          "alpha_swapped": "the average keeps α of the old value: v = αv + (1 − α)g²."}),
    Task("adam_step",
         ("param", "grad", "exp_avg", "exp_avg_sq", "step", "lr", "betas", "eps",
          "weight_decay"),
         ("param", "exp_avg", "exp_avg_sq"),
         "One step of torch.optim.Adam (step counts from 1; weight_decay is added to "
         "the gradient): returns (param, exp_avg, exp_avg_sq). " + _OPTIMIZER_NOTE,
         {"no_bias_correction": "the moments start at zero, so early steps must divide "
                                "by 1 − β₁ᵗ and 1 − β₂ᵗ (bias correction).",
          "eps_inside_sqrt": "ε is added after the square root of the corrected second "
                             "moment: √(v / (1 − β₂ᵗ)) + ε."}),
    Task("adamw_step",
         ("param", "grad", "exp_avg", "exp_avg_sq", "step", "lr", "betas", "eps",
          "weight_decay"),
         ("param", "exp_avg", "exp_avg_sq"),
         "One step of torch.optim.AdamW (decoupled weight decay): returns "
         "(param, exp_avg, exp_avg_sq). " + _OPTIMIZER_NOTE,
         {"decay_added_to_gradient": "that is Adam's L2 penalty: AdamW leaves the gradient "
                                     "alone and multiplies the parameter by 1 − lr · λ.",
          "no_bias_correction": "the moments start at zero, so early steps must divide "
                                "by 1 − β₁ᵗ and 1 − β₂ᵗ (bias correction).",
          "eps_inside_sqrt": "ε is added after the square root of the corrected second "
                             "moment."}),
    Task("amsgrad_step",
         ("param", "grad", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step", "lr",
          "betas", "eps", "weight_decay"),
         ("param", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
         "One step of torch.optim.Adam(amsgrad=True): returns (param, exp_avg, "
         "exp_avg_sq, max_exp_avg_sq). " + _OPTIMIZER_NOTE,
         {"maximum_not_used": "AMSGrad divides by the running maximum of v, not by v.",
          "no_bias_correction": "keep Adam's bias correction.",
          "eps_inside_sqrt": "ε is added after the square root."}),
    Task("step_lr", ("epoch", "base_lr", "step_size", "gamma"), ("lr",),
         "The learning rate torch.optim.lr_scheduler.StepLR gives at `epoch` (from 0).",
         {"one_epoch_late": "the first decay happens at epoch step_size, not one later: "
                            "lr = base_lr · γ^⌊epoch / step_size⌋.",
          "decays_every_epoch": "the rate decays once every step_size epochs."}),
    Task("cosine_lr", ("epoch", "base_lr", "T_max", "eta_min"), ("lr",),
         "The learning rate of CosineAnnealingLR at `epoch` (0 ≤ epoch ≤ T_max).",
         {"no_half": "the cosine term is halved: η_min + (η₀ − η_min)(1 + cos(π e/T))/2.",
          "eta_min_ignored": "the schedule ends at eta_min, not at zero."}),
    Task("linear_warmup_lr", ("step", "base_lr", "start_factor", "total_iters"), ("lr",),
         "The learning rate of LinearLR(start_factor, end_factor=1, total_iters) at "
         "`step`: linear warmup.",
         {"starts_at_zero": "warmup starts at start_factor · base_lr, not at zero.",
          "keeps_growing": "after total_iters the rate stays at base_lr."}),
    Task("clip_grad_norm", ("grads", "max_norm"), ("grads", "total_norm"),
         "clip_grad_norm_ on a list of gradients: returns (the clipped list, the total "
         "norm before clipping).",
         {"per_tensor_norm": "clip by the global norm of all gradients together, not each "
                             "tensor by its own norm.",
          "always_rescaled": "gradients are only scaled *down*: the factor is "
                             "min(1, max_norm / (total + 1e-6)).",
          "no_epsilon": "PyTorch divides by total + 1e-6."}),
    Task("accumulate_gradients", ("micro_grads", "micro_sizes"), ("grad",),
         "The gradient of the mean loss over the whole batch, from the mean-loss "
         "gradients of its micro-batches and their sizes.",
         {"not_divided": "accumulated gradients must be divided: the big batch's loss is "
                         "a mean, not a sum.",
          "plain_mean_of_means": "micro-batches of different sizes weigh by their size: "
                                 "Σ nᵢ gᵢ / Σ nᵢ.",
          "weighted_not_divided": "after weighting by the sizes, divide by their sum."}),
    Task("update_loss_scale",
         ("scale", "growth_tracker", "found_inf", "growth_factor", "backoff_factor",
          "growth_interval"),
         ("scale", "growth_tracker"),
         "GradScaler's update rule: returns (new scale, new growth_tracker).",
         {"grows_after_overflow": "after an overflow the scale must shrink by "
                                  "backoff_factor, never grow.",
          "tracker_not_reset": "the growth tracker restarts at 0 after the scale changes."}),
]}
