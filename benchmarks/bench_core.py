"""Benchmark gru_core's NumPy GRU against PyTorch, single thread, float64, batch 1.

    python benchmarks/bench_core.py            # full run, about 1-3 minutes
    python benchmarks/bench_core.py --quick    # fewer repeats, a smoke test

For each (T, I, H):

1. forward: `gru.forward(x)` (which records every gate) against `torch.nn.GRU(I, H).double()` on
   the same weights under `torch.no_grad()`. ratio = numpy / torch, target ≤ 1.0.
2. analysis: numpy = forward + `rec.jacobians()` + `gru.backward(rec, dh)`; PyTorch = what it takes
   to get the same numbers there: a `GRUCell` loop with autograd keeping every state,
   `torch.autograd.grad` of L = Σ_t h_t·dh_t with respect to the parameters, h0 and every state (δ_t),
   plus `vmap(jacrev(cell))` for all step Jacobians. speed-up = torch / numpy, target ≥ 20×.

Both sides are checked against each other first (h, Jacobians, δ, weight, bias and h0 gradients,
rtol 1e-8), so the timings compare equal work. Times are medians, numpy and torch interleaved.
"""
from __future__ import annotations

import argparse
import sys
import time

from _reference import WARMUP, environment, interleaved, load_torch, mark, median_ms, shares  # before NumPy

torch = load_torch("bench_core.py")

import numpy as np  # noqa: E402

from gru_core import GRU  # noqa: E402

# (T, I, H): (forward repeats, analysis repeats), chosen for ~1-3 min in total; --quick divides them
SHAPES = {(64, 8, 16): (600, 100), (256, 16, 64): (300, 40), (512, 32, 128): (100, 25)}
RTOL, ATOL = 1e-8, 1e-13  # ATOL only for entries ~0 on both sides (cancellation)
FORWARD_TARGET, ANALYSIS_TARGET = 1.0, 20.0
PARAM_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def numpy_analysis(gru: GRU, x: np.ndarray, dh: np.ndarray):
    rec = gru.forward(x)
    return rec, rec.jacobians(), gru.backward(rec, dh)


class TorchSide:
    """Modules built once from gru.to_torch(); only the work to be timed runs in the methods."""

    def __init__(self, gru: GRU, x: np.ndarray, dh: np.ndarray):
        state = {k: torch.from_numpy(v) for k, v in gru.to_torch().items()}
        I, self.H = gru.input_size, gru.hidden_size
        self.gru = torch.nn.GRU(I, self.H).double().eval()
        self.gru.load_state_dict(state)
        self.cell = torch.nn.GRUCell(I, self.H).double()
        self.cell.load_state_dict({name: state[f"{name}_l0"] for name in PARAM_NAMES})
        self.params = [getattr(self.cell, name).requires_grad_(True) for name in PARAM_NAMES]
        self.x = torch.from_numpy(np.array(x))  # (T, I)
        self.x3 = self.x[:, None, :].contiguous()  # (T, 1, I): seq-first, batch 1
        self.dh = torch.from_numpy(np.array(dh))
        self.jac = torch.func.vmap(torch.func.jacrev(self.cell, argnums=1))  # cell(x_t, h_prev), unbatched

    def forward(self) -> torch.Tensor:
        with torch.no_grad():
            return self.gru(self.x3)[0]

    def loop_and_grad(self):
        """The autograd graph over the whole sequence, then ∂L/∂(parameters, h0, every h_t)."""
        h0 = torch.zeros(self.H, requires_grad=True)
        states, h = [], h0
        for t in range(self.x.shape[0]):
            h = self.cell(self.x[t], h)
            states.append(h)
        grads = torch.autograd.grad((torch.stack(states) * self.dh).sum(), [*self.params, h0, *states])
        n = len(self.params)
        return torch.stack(states).detach(), grads[:n], grads[n], torch.stack(grads[n + 1:])

    def analysis(self):
        Hs, param_grads, dh0, delta = self.loop_and_grad()
        J = self.jac(self.x, torch.cat([torch.zeros(1, self.H), Hs[:-1]]))  # (T, H, H)
        return Hs, J, param_grads, dh0, delta


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


def breakdown(gru: GRU, side: TorchSide, x: np.ndarray, dh: np.ndarray, n: int) -> tuple[dict, dict]:
    """Where each side's analysis time goes, each part timed on its own (median ms)."""
    rec, (Hs, *_) = gru.forward(x), side.loop_and_grad()
    H_prev = torch.cat([torch.zeros(1, side.H), Hs[:-1]])
    return ({"forward": median_ms(lambda: gru.forward(x), n), "jacobians": median_ms(rec.jacobians, n),
             "backward": median_ms(lambda: gru.backward(rec, dh), n)},
            {"GRUCell loop + autograd.grad": median_ms(side.loop_and_grad, max(n // 2, 3)),
             "vmap(jacrev)": median_ms(lambda: side.jac(side.x, H_prev), max(n // 2, 3))})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="few repeats: a smoke test, not a measurement")
    args = ap.parse_args()
    start = time.perf_counter()
    rows, breakdowns = [], {}
    for (T, I, H), (n_fwd, n_ana) in SHAPES.items():
        if args.quick:
            n_fwd, n_ana = max(n_fwd // 30, 3), max(n_ana // 30, 2)
        gru = GRU.init(I, H, seed=0)
        x = np.random.default_rng(1).standard_normal((T, I))
        dh = np.zeros((T, H))
        dh[-1] = 1.0  # L = Σ h_T: a loss at the last step only
        side = TorchSide(gru, x, dh)
        check(gru, side, x, dh)
        print(f"check: ok  (T={T}, I={I}, H={H}: h, Jacobians, δ, weight/bias/h0 gradients, rtol {RTOL:g})",
              flush=True)
        f_np, f_t, _, _ = interleaved(lambda: gru.forward(x), side.forward, n_fwd)  # noqa: B023
        a_np, a_t, _, _ = interleaved(lambda: numpy_analysis(gru, x, dh), side.analysis, n_ana)  # noqa: B023
        rows.append((T, I, H, f_np * 1e3, f_t * 1e3, f_np / f_t, a_np * 1e3, a_t * 1e3, a_t / a_np))
        if f_np / f_t > FORWARD_TARGET or a_t / a_np < ANALYSIS_TARGET:
            breakdowns[(T, I, H)] = breakdown(gru, side, x, dh, max(n_ana, 10))

    print("\n| T | I | H | numpy forward ms | torch forward ms | ratio (target ≤1.0) "
          "| numpy analysis ms | torch analysis ms | speed-up (target ≥20×) |")
    print("|---:|---:|---:|---:|---:|---|---:|---:|---|")
    for T, I, H, fn, ft, ratio, an, at, speed in rows:
        print(f"| {T} | {I} | {H} | {fn:.3f} | {ft:.3f} | {ratio:.2f} {mark(ratio <= FORWARD_TARGET)} "
              f"| {an:.3f} | {at:.2f} | {speed:.1f}× {mark(speed >= ANALYSIS_TARGET)} |")
    print(f"\n{environment(torch)}; float64, batch 1; median of {'quick ' if args.quick else ''}repeats "
          f"after {WARMUP} warm-up runs")
    for (T, I, H), parts in breakdowns.items():
        print(f"breakdown T={T}, I={I}, H={H} (a target missed), each part timed on its own:")
        for side_name, p in zip(("numpy", "torch"), parts, strict=True):
            print(f"  {side_name}: {shares(p)}")
    print(f"wall time {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
