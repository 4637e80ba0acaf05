"""The array update functions against hand-derived numbers (worked out in the comments)."""
import math

import numpy as np
import pytest

from tinytorch.optim.functional import adagrad_update, adam_update, rmsprop_update, sgd_update


def arr(*values, dtype=np.float64):
    return np.array(values, dtype=dtype)


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-14, atol=1e-16)


def test_sgd_momentum_dampening_by_hand():
    p, buf = arr(1.0, 2.0), np.empty(2)
    hyper = dict(lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.0, nesterov=False, maximize=False)
    sgd_update(p, arr(0.5, -1.0), buf, init_buffer=True, **hyper)
    close(buf, [0.5, -1.0])                  # first step: b = g, no dampening
    close(p, [0.95, 2.1])                    # p - 0.1 b
    sgd_update(p, arr(1.0, 1.0), buf, init_buffer=False, **hyper)
    close(buf, [0.95, -0.4])                 # 0.9·[0.5, -1] + 0.5·[1, 1]
    close(p, [0.855, 2.14])


def test_sgd_nesterov_weight_decay_maximize_by_hand():
    p, buf, g = arr(1.0), np.empty(1), arr(0.5)
    hyper = dict(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.2, nesterov=True, maximize=True)
    sgd_update(p, g, buf, init_buffer=True, **hyper)
    # g = -0.5 + 0.2·1 = -0.3; b = -0.3; g = -0.3 + 0.9·(-0.3) = -0.57; p = 1 + 0.057
    close(buf, [-0.3])
    close(p, [1.057])
    close(g, [0.5])                          # the gradient is only read


def test_adam_two_steps_by_hand():
    p, m, v = arr(1.0), np.zeros(1), np.zeros(1)
    hyper = dict(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False)
    adam_update(p, arr(0.5), m, v, None, step=1, **hyper)
    close(m, [0.05])
    close(v, [0.00025])
    close(p, [1.0 - 1.0 * 0.05 / (0.5 + 1e-8)])          # lr/bc1 = 1, sqrt(v)/sqrt(bc2) = 0.5
    p1 = p[0]
    adam_update(p, arr(-1.0), m, v, None, step=2, **hyper)
    m2, v2 = 0.9 * 0.05 - 0.1, 0.999 * 0.00025 + 0.001
    expected = p1 - (0.1 / (1 - 0.81)) * m2 / (math.sqrt(v2) / math.sqrt(1 - 0.999 ** 2) + 1e-8)
    close(m, [m2])
    close(v, [v2])
    close(p, [expected])


def test_adam_amsgrad_keeps_the_raw_maximum():
    p, m, v, vmax = arr(0.0), np.zeros(1), np.zeros(1), np.zeros(1)
    hyper = dict(lr=0.1, beta1=0.5, beta2=0.5, eps=0.0, weight_decay=0.0, amsgrad=True, maximize=False)
    adam_update(p, arr(2.0), m, v, vmax, step=1, **hyper)
    close(vmax, [2.0])                       # v = 0.5·4 = 2
    adam_update(p, arr(0.0), m, v, vmax, step=2, **hyper)
    close(v, [1.0])                          # v = 0.5·2 = 1 ...
    close(vmax, [2.0])                       # ... but the raw maximum stays 2
    # step 1: m = 1, p = -0.1/0.5 · 1/(sqrt(2)/sqrt(0.5)) = -0.1; step 2: m = 0.5, bc1 = 0.75, bc2 = 0.75
    close(p, [-0.1 - (0.1 / 0.75) * 0.5 / (math.sqrt(2.0) / math.sqrt(0.75))])


def test_adamw_decays_the_parameter_before_the_moments():
    p, m, v = arr(2.0), np.zeros(1), np.zeros(1)
    adam_update(p, arr(0.0), m, v, None, step=1, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.5,
                amsgrad=False, maximize=False, decoupled_weight_decay=True)
    close(p, [2.0 * (1 - 0.05)])             # zero gradient: only the shrink, and it is a shrink
    close(m, [0.0])
    p, m, v = arr(2.0), np.zeros(1), np.zeros(1)
    adam_update(p, arr(0.0), m, v, None, step=1, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.5,
                amsgrad=False, maximize=False, decoupled_weight_decay=False)
    close(m, [0.1 * 1.0])                    # coupled: g = 0 + 0.5·2 = 1 enters the moments


def test_rmsprop_centered_with_momentum_by_hand():
    p, sq, ga, buf = arr(1.0), np.zeros(1), np.zeros(1), np.zeros(1)
    rmsprop_update(p, arr(2.0), sq, ga, buf, lr=0.1, alpha=0.5, eps=0.0, weight_decay=0.0, momentum=0.9,
                   centered=True, maximize=False)
    # v = 0.5·4 = 2, gbar = 0.5·2 = 1, avg = sqrt(2 - 1) = 1, b = 2/1 = 2, p = 1 - 0.2
    close(sq, [2.0])
    close(ga, [1.0])
    close(buf, [2.0])
    close(p, [0.8])


def test_rmsprop_plain_by_hand():
    p, sq = arr(1.0, 1.0), np.zeros(2)
    rmsprop_update(p, arr(3.0, -4.0), sq, None, None, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0,
                   momentum=0.0, centered=False, maximize=False)
    close(sq, [0.09, 0.16])
    close(p, [1 - 0.01 * 3 / (0.3 + 1e-8), 1 + 0.01 * 4 / (0.4 + 1e-8)])


def test_adagrad_lr_decay_and_initial_accumulator_by_hand():
    p, s = arr(1.0), arr(1.0)                # initial_accumulator_value = 1
    hyper = dict(lr=0.1, lr_decay=0.5, weight_decay=0.0, eps=0.0, maximize=False)
    adagrad_update(p, arr(math.sqrt(3.0)), s, step=1, **hyper)
    close(s, [4.0])                          # 1 + 3
    close(p, [1 - 0.1 * math.sqrt(3.0) / 2])
    p1 = p[0]
    adagrad_update(p, arr(0.0), s, step=3, **hyper)
    close(p, [p1])                           # zero gradient: no move, whatever the decayed rate
    adagrad_update(p, arr(3.0), s, step=3, **hyper)
    close(s, [13.0])
    close(p, [p1 - (0.1 / 2.0) * 3.0 / math.sqrt(13.0)])   # clr = 0.1/(1 + 2·0.5)


@pytest.mark.parametrize("update, args, hyper", [
    (sgd_update, (np.zeros(3),), dict(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.1, nesterov=True,
                                      maximize=True, init_buffer=True)),
    (adam_update, (np.zeros(3), np.zeros(3), np.zeros(3)),
     dict(step=1, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1, amsgrad=True, maximize=True)),
    (rmsprop_update, (np.zeros(3), np.zeros(3), np.zeros(3)),
     dict(lr=0.1, alpha=0.9, eps=1e-8, weight_decay=0.1, momentum=0.9, centered=True, maximize=True)),
    (adagrad_update, (np.zeros(3),), dict(step=1, lr=0.1, lr_decay=0.1, weight_decay=0.1, eps=1e-10,
                                          maximize=True)),
], ids=["sgd", "adam", "rmsprop", "adagrad"])
def test_float32_in_float32_out_and_given_scratch_equals_allocated(update, args, hyper):
    p32 = np.array([1.0, -2.0, 0.5], dtype=np.float32)
    g32 = np.array([0.3, 0.1, -2.0], dtype=np.float32)
    state32 = [a.astype(np.float32) for a in args]
    a, b = p32.copy(), p32.copy()
    state_a, state_b = [s.copy() for s in state32], [s.copy() for s in state32]
    update(a, g32, *state_a, **hyper)
    update(b, g32, *state_b, scratch=(np.empty(3, np.float32), np.empty(3, np.float32)), **hyper)
    assert a.dtype == np.float32 and all(s.dtype == np.float32 for s in state_a)
    np.testing.assert_array_equal(a, b)
