"""Reverse-mode differentiation over the graph that tensor operations record.

Every recorded result knows its `_parents` (the input tensors) and one
`_grad_fns[i]` per parent: a function mapping the upstream gradient ∂L/∂y to
that parent's share ∂L/∂xᵢ (a vector-Jacobian product). `backpropagate`
visits the recorded results from the output back towards the inputs, so each
one's gradient is complete (summed over all its uses) before it is passed on.
Leaves (tensors not produced by a recorded operation) add each share into `.grad`.
"""
from .ops.broadcast import sum_to_shape


def _is_recorded(node):
    return node._grad_fns is not None and node._requires_grad


def topological_order(root):
    """The recorded results `root` depends on (root included), each after all of its inputs.

    Leaves are left out: they only collect gradients. An explicit stack instead
    of recursion, so long chains (unrolled loops) cannot hit the recursion limit.
    """
    order, expanded = [], set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        # Mark when expanded, not when pushed: a node pushed early may be reached again
        # through a later path, and must then still come after everything it feeds.
        if id(node) in expanded:
            continue
        expanded.add(id(node))
        stack.append((node, True))
        for parent in node._parents:
            if _is_recorded(parent) and id(parent) not in expanded:
                stack.append((parent, False))
    return order


def backpropagate(root, root_grad):
    """Push ∂L/∂root = `root_grad` (an array shaped like root) back to every leaf."""
    if root._grad_fns is None:
        root._accumulate_grad(root_grad)
        return
    pending = {id(root): root_grad}
    for node in reversed(topological_order(root)):
        grad = pending.pop(id(node), None)
        if grad is None:
            continue
        for parent, grad_fn in zip(node._parents, node._grad_fns):
            if grad_fn is None or not parent._requires_grad:
                continue
            share = grad_fn(grad)
            parent_array = parent._data
            if share.shape != parent_array.shape:
                # The operation broadcast this input: sum the gradient back over the copies.
                share = sum_to_shape(share, parent_array.shape)
            if share.dtype != parent_array.dtype:
                share = share.astype(parent_array.dtype)
            if parent._grad_fns is None:
                parent._accumulate_grad(share)
                continue
            key = id(parent)
            # `a + b` allocates: a share may alias another node's gradient, so never add in place here.
            pending[key] = pending[key] + share if key in pending else share
