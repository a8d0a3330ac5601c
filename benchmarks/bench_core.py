"""Benchmark gru_core's NumPy GRU against PyTorch, single thread, float64, batch 1.

    python benchmarks/bench_core.py            # full run, about 1-3 minutes
    python benchmarks/bench_core.py --quick    # fewer repeats, a smoke test

Two comparisons for each (T, I, H):

1. forward: `gru.forward(x)` (which records every gate) against `torch.nn.GRU(I, H).double()` on
   the same weights under `torch.no_grad()`. ratio = numpy / torch, target ≤ 1.0.
2. analysis: numpy = forward + `rec.jacobians()` + `gru.backward(rec, dh)`; PyTorch = what it takes
   to get the same numbers there: a `torch.nn.GRUCell` loop with autograd over the sequence (keeping
   every hidden state), `torch.autograd.grad` of L = Σ_t h_t·dh_t with respect to the parameters,
   h0 and every state (δ_t), plus `vmap(jacrev(cell, argnums=1))` for all step Jacobians.
   speed-up = torch / numpy, target ≥ 20×.

Both sides are checked against each other in the same run (h, Jacobians, δ, weight, bias and h0
gradients, rtol 1e-8) so the timings compare equal work. Each time is the median of repeated runs
after warm-up; numpy and torch runs are interleaved so drift in machine load hits both alike.
"""
from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time

from _reference import WARMUP, environment, load_torch, mark, median_call, shares  # sets one thread: before NumPy

torch = load_torch("bench_core.py")

import numpy as np  # noqa: E402

from gru_core import GRU  # noqa: E402

SHAPES = ((64, 8, 16), (256, 16, 64), (512, 32, 128))
# (forward repeats, analysis repeats) per shape; --quick uses QUICK. Chosen for ~1-3 min in total.
FULL = {(64, 8, 16): (600, 100), (256, 16, 64): (300, 40), (512, 32, 128): (100, 25)}
QUICK = {(64, 8, 16): (20, 3), (256, 16, 64): (10, 2), (512, 32, 128): (5, 2)}
RTOL = 1e-8
ATOL = 1e-13  # only for entries that are ~0 on both sides (cancellation); everything else is held to rtol
FORWARD_TARGET = 1.0
ANALYSIS_TARGET = 20.0
PARAM_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


# ---- the two sides ------------------------------------------------------------------------------
def numpy_analysis(gru: GRU, x: np.ndarray, dh: np.ndarray):
    rec = gru.forward(x)
    J = rec.jacobians()
    grads = gru.backward(rec, dh)
    return rec, J, grads


class TorchSide:
    """Modules built once from gru.to_torch(); only the work to be timed runs in the methods."""

    def __init__(self, gru: GRU, x: np.ndarray, dh: np.ndarray):
        state = {k: torch.from_numpy(v) for k, v in gru.to_torch().items()}
        I, H = gru.input_size, gru.hidden_size
        self.gru = torch.nn.GRU(I, H).double()
        self.gru.load_state_dict(state)
        self.gru.eval()
        self.cell = torch.nn.GRUCell(I, H).double()
        self.cell.load_state_dict({name: state[f"{name}_l0"] for name in PARAM_NAMES})
        self.params = [getattr(self.cell, name) for name in PARAM_NAMES]
        for p in self.params:
            p.requires_grad_(True)
        self.x = torch.from_numpy(np.array(x))  # (T, I)
        self.x3 = self.x[:, None, :].contiguous()  # (T, 1, I): seq-first, batch 1
        self.dh = torch.from_numpy(np.array(dh))  # (T, H)
        self.H = H

    def forward(self) -> torch.Tensor:
        with torch.no_grad():
            out, _ = self.gru(self.x3)
        return out

    def _step(self, x_t: torch.Tensor, h_prev: torch.Tensor) -> torch.Tensor:
        return self.cell(x_t, h_prev)  # unbatched: x_t (I,), h_prev (H,)

    def analysis(self):
        h0 = torch.zeros(self.H, requires_grad=True)
        states = []
        h = h0
        for t in range(self.x.shape[0]):  # the autograd graph over the whole sequence
            h = self.cell(self.x[t], h)
            states.append(h)
        loss = (torch.stack(states) * self.dh).sum()
        grads = torch.autograd.grad(loss, [*self.params, h0, *states])  # δ_t = ∂L/∂h_t, the total
        n = len(self.params)
        param_grads, dh0, delta = grads[:n], grads[n], torch.stack(grads[n + 1:])
        Hs = torch.stack(states).detach()
        H_prev = torch.cat([h0.detach()[None], Hs[:-1]])
        J = torch.func.vmap(torch.func.jacrev(self._step, argnums=1))(self.x, H_prev)  # (T, H, H)
        return Hs, J, param_grads, dh0, delta


# ---- checks ---------------------------------------------------------------------------------------
def check(gru: GRU, side: TorchSide, x: np.ndarray, dh: np.ndarray) -> None:
    rec, J, grads = numpy_analysis(gru, x, dh)
    close = dict(rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(rec.h, side.forward()[:, 0].numpy(), **close, err_msg="forward h vs nn.GRU")
    Hs, Jt, pgrads, dh0, delta = side.analysis()
    np.testing.assert_allclose(rec.h, Hs.numpy(), **close, err_msg="h vs GRUCell loop")
    np.testing.assert_allclose(J, Jt.detach().numpy(), **close, err_msg="step Jacobians")
    for name, g in zip(PARAM_NAMES, pgrads, strict=True):
        np.testing.assert_allclose(grads[f"{name}_l0"], g.numpy(), **close, err_msg=name)
    np.testing.assert_allclose(grads["h0"], dh0.numpy(), **close, err_msg="h0 gradient")
    np.testing.assert_allclose(grads["h"], delta.numpy(), **close, err_msg="delta_t = dL/dh_t")


# ---- timing ----------------------------------------------------------------------------------------
def time_pair(f_np, f_torch, repeats: int) -> tuple[float, float]:
    """Median seconds of each, after warm-up, with the two interleaved (garbage collector off, as timeit)."""
    for _ in range(WARMUP):
        f_np()
        f_torch()
    t_np, t_torch = [], []
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            t0 = time.perf_counter()
            f_np()
            t1 = time.perf_counter()
            f_torch()
            t2 = time.perf_counter()
            t_np.append(t1 - t0)
            t_torch.append(t2 - t1)
    finally:
        gc.enable()
    return statistics.median(t_np), statistics.median(t_torch)


def numpy_breakdown(gru: GRU, x: np.ndarray, dh: np.ndarray, repeats: int) -> dict[str, float]:
    """Where the numpy analysis spends its time (median ms of each part on its own)."""
    rec = gru.forward(x)
    return {
        "forward": 1e3 * median_call(lambda: gru.forward(x), repeats),
        "jacobians": 1e3 * median_call(rec.jacobians, repeats),
        "backward": 1e3 * median_call(lambda: gru.backward(rec, dh), repeats),
    }


def torch_breakdown(side: TorchSide, repeats: int) -> dict[str, float]:
    """The PyTorch side's two halves: the autograd loop (h, δ, gradients) and vmap(jacrev) (Jacobians)."""
    Hs, *_ = side.analysis()
    H_prev = torch.cat([torch.zeros(1, side.H), Hs[:-1]])
    jac = torch.func.vmap(torch.func.jacrev(side._step, argnums=1))

    def loop_and_grad():
        h0 = torch.zeros(side.H, requires_grad=True)
        states, h = [], h0
        for t in range(side.x.shape[0]):
            h = side.cell(side.x[t], h)
            states.append(h)
        loss = (torch.stack(states) * side.dh).sum()
        torch.autograd.grad(loss, [*side.params, h0, *states])

    return {
        "GRUCell loop + autograd.grad": 1e3 * median_call(loop_and_grad, repeats),
        "vmap(jacrev)": 1e3 * median_call(lambda: jac(side.x, H_prev), repeats),
    }



def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="few repeats: a smoke test, not a measurement")
    args = ap.parse_args()
    repeats = QUICK if args.quick else FULL
    start = time.perf_counter()

    rows, breakdowns = [], {}
    for T, I, H in SHAPES:
        n_fwd, n_ana = repeats[(T, I, H)]
        gru = GRU.init(I, H, seed=0)
        rng = np.random.default_rng(1)
        x = rng.standard_normal((T, I))
        dh = np.zeros((T, H))
        dh[-1] = 1.0  # L = Σ h_T: a loss at the last step only
        side = TorchSide(gru, x, dh)
        check(gru, side, x, dh)
        print(f"check: ok  (T={T}, I={I}, H={H}: h, Jacobians, δ, weight/bias/h0 gradients, rtol {RTOL:g})",
              flush=True)

        f_np, f_t = time_pair(lambda: gru.forward(x), side.forward, n_fwd)  # noqa: B023
        a_np, a_t = time_pair(lambda: numpy_analysis(gru, x, dh), side.analysis, n_ana)  # noqa: B023
        rows.append((T, I, H, f_np * 1e3, f_t * 1e3, f_np / f_t, a_np * 1e3, a_t * 1e3, a_t / a_np))
        if f_np / f_t > FORWARD_TARGET or a_t / a_np < ANALYSIS_TARGET:
            n = max(n_ana, 10)
            breakdowns[(T, I, H)] = (numpy_breakdown(gru, x, dh, n), torch_breakdown(side, max(n_ana // 2, 3)))

    print()
    print("| T | I | H | numpy forward ms | torch forward ms | ratio (target ≤1.0) "
          "| numpy analysis ms | torch analysis ms | speed-up (target ≥20×) |")
    print("|---:|---:|---:|---:|---:|---|---:|---:|---|")
    for T, I, H, fn, ft, ratio, an, at, speed in rows:
        print(f"| {T} | {I} | {H} | {fn:.3f} | {ft:.3f} | {ratio:.2f} {mark(ratio <= FORWARD_TARGET)} "
              f"| {an:.3f} | {at:.2f} | {speed:.1f}× {mark(speed >= ANALYSIS_TARGET)} |")
    print()
    print(f"{environment(torch)}; float64, batch 1; "
          f"median of {'quick ' if args.quick else ''}repeats after {WARMUP} warm-up runs")
    for (T, I, H), (np_parts, torch_parts) in breakdowns.items():
        print(f"breakdown T={T}, I={I}, H={H} (a target missed), each part timed on its own:")
        for side_name, parts in (("numpy", np_parts), ("torch", torch_parts)):
            print(f"  {side_name}: {shares(parts, ' ms')}")
    print(f"wall time {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
