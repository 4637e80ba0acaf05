"""Learning-rate schedulers, PyTorch's ``torch.optim.lr_scheduler`` in tinytorch.

Every scheduler rewrites ``group["lr"]`` of an optimizer's parameter groups:

    opt = SGD(model.parameters(), lr=0.1)
    sched = StepLR(opt, step_size=30, gamma=0.1)   # construction = e = 0
    for epoch in range(100):
        train_one_epoch(opt)                        # ... optimizer.step() inside
        sched.step()                                # then the scheduler: e += 1
        sched.get_last_lr()                         # [lr], one value per group

| class | lr at e (scheduler steps since construction) |
|---|---|
| StepLR(step_size, gamma=0.1) | base·γ^⌊e/step_size⌋ |
| MultiStepLR(milestones, gamma=0.1) | base·γ^(milestones ≤ e) |
| ExponentialLR(gamma) | base·γ^e |
| CosineAnnealingLR(T_max, eta_min=0) | η_min + (base−η_min)(1+cos(πe/T_max))/2 |
| LinearLR(start_factor=1/3, end_factor=1, total_iters=5) | base·(s + (f−s)·min(e,T)/T) |
| ConstantLR(factor=1/3, total_iters=5) | base·factor for e < T, then base |
| LambdaLR(lr_lambda) | base·λ(e) |
| SequentialLR(schedulers, milestones) | the i-th scheduler between milestones |
| CosineAnnealingWarmRestarts(T_0, T_mult=1, eta_min=0) | cosine in T_cur/T_i, restarts |
| OneCycleLR(max_lr, total_steps, ...) | 1cycle: warm-up then anneal, momentum inverse |
| ReduceLROnPlateau(mode='min', factor=0.1, patience=10, ...) | decay when the metric stalls |
| MultiplicativeLR(lr_lambda) | lr_{e−1}·λ(e) |
| PolynomialLR(total_iters=5, power=1) | base·(1 − min(e,T)/T)^p |
| ChainedScheduler(schedulers) | every child stepped each step: factors multiply |
| CyclicLR(base_lr, max_lr, step_size_up=2000, ...) | triangular cycles, momentum inverse |

Warmup-stable-decay (WSD), the schedule of many recent training recipes, needs no
class of its own: it is three schedulers in sequence. W warm-up steps from 10 % of the
lr, S steps at the full lr, D steps of linear decay to 1 %::

    wsd = SequentialLR(opt, [LinearLR(opt, start_factor=0.1, total_iters=W),
                             ConstantLR(opt, factor=1.0, total_iters=S),
                             LinearLR(opt, start_factor=1.0, end_factor=0.01, total_iters=D)],
                       milestones=[W, W + S])

The values equal PyTorch 2.13's to float64 round-off (tests/schedulers compares
against recorded torch runs).
"""
from tinytorch.optim.schedulers import (
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)

__all__ = [
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
    "LinearLR", "ConstantLR", "LambdaLR", "SequentialLR",
    "CosineAnnealingWarmRestarts", "OneCycleLR", "ReduceLROnPlateau",
    "MultiplicativeLR", "PolynomialLR", "ChainedScheduler", "CyclicLR",
]
