"""Training steps per second: gru_core's NumPy BPTT against the same model trained in PyTorch.

    python benchmarks/bench_train.py            # full run, a few minutes
    python benchmarks/bench_train.py --quick    # fewer steps, a smoke test
    python benchmarks/bench_train.py --breakdown  # also time each part of a step (always done for a missed target)

One training step on the adding problem (I = 2), batch 32, float64, single thread, for GRU, vanilla
RNN and LSTM at H ∈ {16, 32}, T ∈ {30, 100}:

- numpy: `gru_core.training.train_step`, the body of `train`'s loop: the model's forward → read-out on
  h_T (MSE) → `batched.direct_backward` → `clip_by_norm(·, 1.0)` over all parameters → `Adam(0.01)`.
- torch: `nn.GRU` / `nn.RNN` / `nn.LSTM` (batch_first) + `nn.Linear(H, 1)` on the last step,
  `F.mse_loss`, `loss.backward()`, `clip_grad_norm_(·, 1.0)`, `torch.optim.Adam(lr=0.01)`.

Both start from the same weights and see the same pre-sampled batches (sampling is not timed). First,
a few steps on both sides must agree (loss and parameters to 1e-6 relative or 1e-7 absolute: PyTorch
adds 1e-6 to the norm it clips by, we do not, and Adam turns that into a few 1e-9 on weights whose
gradient changes sign, against a wrong gradient's ~lr). ratio = numpy steps/s ÷ torch steps/s by wall
clock, target ≥ 1.0, and by thread CPU time, steadier on a busy machine.
"""
from __future__ import annotations

import argparse
import sys
import time

from _reference import environment, interleaved, load_torch, mark, median_ms, shares  # before NumPy

torch = load_torch("bench_train.py")

import numpy as np  # noqa: E402

from gru_core import MODELS, batched, tasks  # noqa: E402
from gru_core.optim import Adam, clip_by_norm  # noqa: E402
from gru_core.params import NAMES  # noqa: E402
from gru_core.readout import Readout, loss_and_grads  # noqa: E402
from gru_core.training import train_step  # noqa: E402

TORCH = {"GRU": torch.nn.GRU, "RNN": torch.nn.RNN, "LSTM": torch.nn.LSTM}
SIZES = [(H, T) for H in (16, 32) for T in (30, 100)]
I, BATCH, LR, CLIP, N_BATCHES = 2, 32, 0.01, 1.0, 16  # N_BATCHES pre-sampled batches, cycled
CHECK_STEPS, CHECK_RTOL, CHECK_ATOL = 3, 1e-6, 1e-7
TARGET = 1.0
FULL = dict(rounds=15, per_round=10, parts=30)
QUICK = dict(rounds=3, per_round=3, parts=5)


class NumpySide:
    def __init__(self, model, readout: Readout, batches):
        self.model, self.readout, self.opt, self.batches, self.k = model, readout, Adam(LR), batches, 0

    def step(self) -> float:
        X, y = self.batches[self.k % N_BATCHES]
        self.k += 1
        self.model, self.readout, loss, _, _ = train_step(self.model, self.readout, self.opt, X, y, "regression",
                                                          CLIP)
        return loss

    def state(self) -> dict[str, np.ndarray]:
        return {**self.model.to_torch(), "V": self.readout.V, "c": self.readout.c}

    def parts(self, repeats: int) -> dict[str, float]:
        """Median CPU ms of each part of a step, each timed on its own (on the current weights)."""
        (X, y), m, ro = self.batches[0], self.model, self.readout
        tr = batched.forward(m, X)
        _, _, ro_grads, dh_T = loss_and_grads(ro, tr.H[-1], y, "regression")
        dH = np.zeros_like(tr.H)
        dH[-1] = dh_T
        grads = {**batched.direct_backward(tr, dH), **ro_grads}
        params, opt = {**dict(zip(NAMES, m.params, strict=True)), "V": ro.V, "c": ro.c}, Adam(LR)
        opt.step(params, grads)  # moments exist, as in every step after the first
        ms = lambda f: median_ms(f, repeats, clock=time.thread_time)  # noqa: E731
        return {"forward loop": ms(lambda: batched.forward(m, X)),
                "read-out + loss": ms(lambda: loss_and_grads(ro, tr.H[-1], y, "regression")),
                "backward loop": ms(lambda: batched.direct_backward(tr, dH)),
                "clip": ms(lambda: clip_by_norm(grads, CLIP)), "Adam": ms(lambda: opt.step(params, grads))}


class TorchSide:
    def __init__(self, kind: str, model, readout: Readout, batches):
        H = model.hidden_size
        self.rnn = TORCH[kind](I, H, batch_first=True).double()
        self.rnn.load_state_dict({k: torch.from_numpy(v) for k, v in model.to_torch().items()})
        self.lin = torch.nn.Linear(H, 1).double()
        self.lin.load_state_dict({"weight": torch.tensor(readout.V), "bias": torch.tensor(readout.c)})
        self.params = [*self.rnn.parameters(), *self.lin.parameters()]
        self.opt = torch.optim.Adam(self.params, lr=LR)
        self.batches, self.k = [(torch.from_numpy(X), torch.from_numpy(y)) for X, y in batches], 0

    def loss(self, X, y):
        return torch.nn.functional.mse_loss(self.lin(self.rnn(X)[0][:, -1])[:, 0], y)

    def step(self) -> float:
        X, y = self.batches[self.k % N_BATCHES]
        self.k += 1
        self.opt.zero_grad(set_to_none=True)
        loss = self.loss(X, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, CLIP)
        self.opt.step()
        return loss.item()

    def state(self) -> dict[str, np.ndarray]:
        sd = {k: v.detach().numpy() for k, v in self.rnn.state_dict().items()}
        return {**sd, "V": self.lin.weight.detach().numpy(), "c": self.lin.bias.detach().numpy()}

    def parts(self, repeats: int) -> dict[str, float]:
        """Forward, backward and update, each timed on its own; this moves the weights, so it runs last."""
        X, y = self.batches[0]
        ms = lambda f: median_ms(f, repeats, clock=time.thread_time)  # noqa: E731
        f = ms(lambda: self.loss(X, y))
        fb = ms(lambda: (self.opt.zero_grad(set_to_none=True), self.loss(X, y).backward()))
        u = ms(lambda: (torch.nn.utils.clip_grad_norm_(self.params, CLIP), self.opt.step()))
        return {"forward + loss": f, "backward": fb - f, "clip + Adam": u}


def check(np_side: NumpySide, t_side: TorchSide) -> None:
    """Same loss and the same parameters after each of the first steps: both sides do the same work."""
    for k in range(CHECK_STEPS):
        np.testing.assert_allclose(np_side.step(), t_side.step(), rtol=CHECK_RTOL, err_msg=f"loss at step {k}")
        theirs = t_side.state()
        for name, ours in np_side.state().items():
            np.testing.assert_allclose(ours, theirs[name], rtol=CHECK_RTOL, atol=CHECK_ATOL,
                                       err_msg=f"{name} after step {k}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="few steps: a smoke test, not a measurement")
    ap.add_argument("--breakdown", action="store_true", help="show where the time goes even when the target is met")
    args = ap.parse_args()
    cfg = QUICK if args.quick else FULL
    start = time.perf_counter()
    rows, breakdowns = [], []
    for kind, cls in MODELS.items():
        for H, T in SIZES:
            rng = np.random.default_rng(0)
            model, readout = cls.init(I, H, seed=0), Readout.init(H, 1, rng)
            batches = [tasks.adding(T).sample(BATCH, rng) for _ in range(N_BATCHES)]
            np_side, t_side = NumpySide(model, readout, batches), TorchSide(kind, model, readout, batches)
            check(np_side, t_side)
            s_np, s_t, c_np, c_t = interleaved(np_side.step, t_side.step, cfg["rounds"], cfg["per_round"])
            ratio, cpu_ratio = s_t / s_np, c_t / c_np
            rows.append((kind, H, T, 1 / s_np, 1 / s_t, ratio, cpu_ratio))
            print(f"{kind} H={H} T={T}: check ok; numpy {1 / s_np:.0f} steps/s, torch {1 / s_t:.0f} steps/s, "
                  f"ratio {ratio:.2f} (by CPU time {cpu_ratio:.2f})", flush=True)
            if ratio < TARGET or args.breakdown:
                breakdowns.append((f"{kind} H={H} T={T}", np_side.parts(cfg["parts"]), t_side.parts(cfg["parts"])))

    print("\n| model | H | T | numpy steps/s | torch steps/s | ratio numpy/torch (target ≥1.0) | ratio by CPU time |")
    print("|---|---:|---:|---:|---:|---|---:|")
    for kind, H, T, sn, st, ratio, cpu_ratio in rows:
        print(f"| {kind} | {H} | {T} | {sn:.0f} | {st:.0f} | {ratio:.2f} {mark(ratio >= TARGET)} | {cpu_ratio:.2f} |")
    print(f"\n{environment(torch)}; float64; I={I}, batch {BATCH}, Adam lr {LR}, clip {CLIP}; median of "
          f"{cfg['rounds']} rounds of {cfg['per_round']} steps{' (quick)' if args.quick else ''}")
    if breakdowns:
        print("\nWhere the time goes, median CPU ms of each part timed on its own:")
    for label, np_parts, t_parts in breakdowns:
        print(f"- {label} numpy: {shares(np_parts)}\n- {label} torch: {shares(t_parts)}")
    print(f"wall time {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
