"""Reference solutions of the grading tasks, with switches that make each known
mistake (the mutation tests use them). Test code only: nothing here ships."""
from __future__ import annotations

import math

import numpy as np


def gd_step(param, grad, lr, *, mistake=None):
    if mistake == "plus":
        return param + lr * grad
    if mistake == "lr_squared":
        return param - lr * lr * grad
    return param - lr * grad


def sgd_step(param, grad, momentum_buffer, lr, momentum, dampening, weight_decay,
             nesterov, *, mistake=None):
    g = grad if mistake == "weight_decay_ignored" else grad + weight_decay * param
    if mistake == "ema_momentum":
        prev = 0.0 if momentum_buffer is None else momentum_buffer
        buf = momentum * prev + (1 - momentum) * g
    elif momentum_buffer is None:
        buf = (1 - dampening) * g if mistake == "dampening_on_first_step" else g.copy()
    else:
        buf = momentum * momentum_buffer + (1 - dampening) * g
    step = g + momentum * buf if nesterov and mistake != "nesterov_ignored" else buf
    return param - lr * step, buf


def adagrad_step(param, grad, state_sum, step, lr, lr_decay, eps, weight_decay, *,
                 mistake=None):
    g = grad + weight_decay * param
    clr = lr / (1 + (step - 1) * lr_decay)
    if mistake == "sum_of_gradients_not_squares":
        s = state_sum + g
        return param - clr * g / (np.sqrt(np.abs(s)) + eps), s
    s = state_sum + g * g
    if mistake == "eps_inside_sqrt":
        return param - clr * g / np.sqrt(s + eps), s
    return param - clr * g / (np.sqrt(s) + eps), s


def rmsprop_step(param, grad, square_avg, lr, alpha, eps, weight_decay, *, mistake=None):
    g = grad + weight_decay * param
    if mistake == "alpha_swapped":
        v = (1 - alpha) * square_avg + alpha * g * g
    else:
        v = alpha * square_avg + (1 - alpha) * g * g
    if mistake == "eps_inside_sqrt":
        return param - lr * g / np.sqrt(v + eps), v
    return param - lr * g / (np.sqrt(v) + eps), v


def _adam(param, g, exp_avg, exp_avg_sq, step, lr, betas, eps, max_exp_avg_sq=None,
          mistake=None):
    b1, b2 = betas
    m = b1 * exp_avg + (1 - b1) * g
    v = b2 * exp_avg_sq + (1 - b2) * g * g
    vmax = None
    if max_exp_avg_sq is not None:
        vmax = v if mistake == "maximum_not_used" else np.maximum(max_exp_avg_sq, v)
    used = v if vmax is None else vmax
    c1, c2 = (1.0, 1.0) if mistake == "no_bias_correction" else (1 - b1 ** step, 1 - b2 ** step)
    if mistake == "eps_inside_sqrt":
        denom = np.sqrt(used / c2 + eps)
    else:
        denom = np.sqrt(used) / math.sqrt(c2) + eps
    return param - lr / c1 * m / denom, m, v, vmax


def adam_step(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps, weight_decay, *,
              mistake=None):
    p, m, v, _ = _adam(param, grad + weight_decay * param, exp_avg, exp_avg_sq, step,
                       lr, betas, eps, mistake=mistake)
    return p, m, v


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps, weight_decay, *,
               mistake=None):
    if mistake == "decay_added_to_gradient":
        return adam_step(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps, weight_decay)
    p, m, v, _ = _adam(param * (1 - lr * weight_decay), grad, exp_avg, exp_avg_sq, step,
                       lr, betas, eps, mistake=mistake)
    return p, m, v


def amsgrad_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, betas, eps,
                 weight_decay, *, mistake=None):
    return _adam(param, grad + weight_decay * param, exp_avg, exp_avg_sq, step, lr, betas,
                 eps, max_exp_avg_sq=max_exp_avg_sq, mistake=mistake)


def step_lr(epoch, base_lr, step_size, gamma, *, mistake=None):
    if mistake == "one_epoch_late":
        return base_lr * gamma ** max(0, (epoch - 1) // step_size)
    if mistake == "decays_every_epoch":
        return base_lr * gamma ** epoch
    return base_lr * gamma ** (epoch // step_size)


def cosine_lr(epoch, base_lr, T_max, eta_min, *, mistake=None):
    c = math.cos(math.pi * epoch / T_max)
    if mistake == "no_half":
        return eta_min + (base_lr - eta_min) * c
    if mistake == "eta_min_ignored":
        return base_lr * (1 + c) / 2
    return eta_min + (base_lr - eta_min) * (1 + c) / 2


def linear_warmup_lr(step, base_lr, start_factor, total_iters, *, mistake=None):
    if mistake == "starts_at_zero":
        return base_lr * min(step, total_iters) / total_iters
    if mistake == "keeps_growing":
        return base_lr * (start_factor + (1 - start_factor) * step / total_iters)
    done = min(step, total_iters) / total_iters
    return base_lr * (start_factor + (1 - start_factor) * done)


def clip_grad_norm(grads, max_norm, *, mistake=None):
    total = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads)))
    if mistake == "per_tensor_norm":
        return [g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for g in grads], total
    if mistake == "always_rescaled":
        return [g * (max_norm / (total + 1e-6)) for g in grads], total
    if mistake == "no_epsilon":
        return [g * min(1.0, max_norm / total) for g in grads], total
    coef = min(1.0, max_norm / (total + 1e-6))
    return [g * coef for g in grads], total


def accumulate_gradients(micro_grads, micro_sizes, *, mistake=None):
    if mistake == "not_divided":
        return sum(micro_grads)
    if mistake == "plain_mean_of_means":
        return sum(micro_grads) / len(micro_grads)
    weighted = sum(n * g for n, g in zip(micro_sizes, micro_grads))
    if mistake == "weighted_not_divided":
        return weighted
    return weighted / sum(micro_sizes)


def update_loss_scale(scale, growth_tracker, found_inf, growth_factor, backoff_factor,
                      growth_interval, *, mistake=None):
    if found_inf and mistake != "grows_after_overflow":
        tracker = growth_tracker if mistake == "tracker_not_reset" else 0
        return scale * backoff_factor, tracker
    tracker = growth_tracker + 1
    if tracker >= growth_interval:
        new_tracker = tracker if mistake == "tracker_not_reset" else 0
        return scale * growth_factor, new_tracker
    return scale, tracker
