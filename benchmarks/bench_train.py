"""Training steps per second: gru_core's NumPy BPTT against the same model trained in PyTorch.

    python benchmarks/bench_train.py            # full run, a few minutes
    python benchmarks/bench_train.py --quick    # fewer steps, a smoke test
    python benchmarks/bench_train.py --breakdown  # also time each part of a step (always done for a missed target)

One training step on the adding problem (I = 2), batch 32, float64, single thread, for GRU, vanilla
RNN and LSTM at H ∈ {16, 32}, T ∈ {30, 100}:

- numpy: the loop body of `gru_core.training.train`: `batched.forward` → read-out on h_T (MSE) →
  `batched.backward` → `clip_by_norm(·, 1.0)` over all parameters → `Adam(0.01).step`.
- torch: `nn.GRU` / `nn.RNN` / `nn.LSTM` (batch_first) + `nn.Linear(H, 1)` on the last step,
  `F.mse_loss`, `loss.backward()`, `clip_grad_norm_(·, 1.0)`, `torch.optim.Adam(lr=0.01)`.

Both start from the same weights and see the same pre-sampled batches (sampling is not timed; the
end-to-end `train()` column includes it). Before timing, a few steps on both sides are compared (loss
and parameters after each step agree to 1e-6 relative or 1e-7 absolute; PyTorch's clipping adds 1e-6
to the norm, ours does not), so the two sides do the same work. Timings are medians over rounds of
steps, numpy and torch interleaved so that drift in machine load hits both alike.

ratio = numpy steps/s ÷ torch steps/s by wall clock, target ≥ 1.0; the same ratio by thread CPU time
is shown too, steadier on a busy machine. When a target is missed (or with --breakdown), each part of
a step is timed on its own to show where the time goes.
"""
from __future__ import annotations

import argparse
import dataclasses
import gc
import statistics
import sys
import time

from _reference import environment, load_torch, mark, median_call, shares  # sets one thread: before NumPy

torch = load_torch("bench_train.py")

import numpy as np  # noqa: E402

from gru_core import GRU, LSTM, RNN, batched, tasks  # noqa: E402
from gru_core.optim import Adam, clip_by_norm  # noqa: E402
from gru_core.readout import Readout, loss_and_grads  # noqa: E402
from gru_core.state import NAMES, Params  # noqa: E402
from gru_core.training import TrainConfig, train  # noqa: E402

MODELS = {"GRU": (GRU, torch.nn.GRU), "RNN": (RNN, torch.nn.RNN), "LSTM": (LSTM, torch.nn.LSTM)}
SIZES = [(H, T) for H in (16, 32) for T in (30, 100)]
I, BATCH, LR, CLIP = 2, 32, 0.01, 1.0
N_BATCHES = 16  # pre-sampled batches, cycled
# PyTorch clips by max_norm / (norm + 1e-6), we by max_norm / norm; Adam turns that into differences of a few
# 1e-9 after 3 steps on weights whose gradient changes sign. 1e-7 is 1e-5 of one Adam step (lr 0.01), while a
# wrong gradient moves weights by ~lr.
CHECK_STEPS, CHECK_RTOL, CHECK_ATOL = 3, 1e-6, 1e-7
TARGET = 1.0
FULL = dict(rounds=15, per_round=10, train_steps=40, train_repeats=3, parts=30)
QUICK = dict(rounds=3, per_round=3, train_steps=10, train_repeats=1, parts=5)
WARMUP = 3


# ---- the two sides ------------------------------------------------------------------------------
class NumpySide:
    """The body of gru_core.training.train, one step per call."""

    def __init__(self, model, readout: Readout):
        self.model, self.readout = model, readout
        self.params = {**dict(zip(NAMES, model.params, strict=True)), "V": readout.V, "c": readout.c}
        self.opt = Adam(LR)

    def step(self, X: np.ndarray, y: np.ndarray) -> float:
        tr = batched.forward(self.model, X)
        loss, _, ro_grads, dh_T = loss_and_grads(self.readout, tr.H[-1], y, "regression")
        dH = np.zeros_like(tr.H)
        dH[-1] = dh_T
        grads, _ = clip_by_norm({**batched.backward(tr, dH), **ro_grads}, CLIP)
        self.params = self.opt.step(self.params, grads)
        self.model = dataclasses.replace(self.model, params=Params(*(self.params[k] for k in NAMES)))
        self.readout = Readout(self.params["V"], self.params["c"])
        return loss

    def parts(self, X: np.ndarray, y: np.ndarray, repeats: int) -> dict[str, float]:
        """Median ms of each part of a step, each timed on its own (on the current weights)."""
        tr = batched.forward(self.model, X)
        _, _, ro_grads, dh_T = loss_and_grads(self.readout, tr.H[-1], y, "regression")
        dH = np.zeros_like(tr.H)
        dH[-1] = dh_T
        grads = {**batched.backward(tr, dH), **ro_grads}
        clipped, _ = clip_by_norm(grads, CLIP)
        opt = Adam(LR)
        opt.step(self.params, clipped)  # moments exist, as in every step after the first

        def rebuild():
            params = opt.step(self.params, clipped)
            dataclasses.replace(self.model, params=Params(*(params[k] for k in NAMES)))
            Readout(params["V"], params["c"])

        return {
            "forward loop": time_ms(lambda: batched.forward(self.model, X), repeats),
            "read-out + loss": time_ms(lambda: loss_and_grads(self.readout, tr.H[-1], y, "regression"), repeats),
            "backward loop": time_ms(lambda: batched.backward(tr, dH), repeats),
            "clip": time_ms(lambda: clip_by_norm(grads, CLIP), repeats),
            "Adam + rebuild": time_ms(rebuild, repeats),
        }


class TorchSide:
    def __init__(self, kind: str, model, readout: Readout):
        H = model.hidden_size
        self.rnn = MODELS[kind][1](I, H, batch_first=True).double()
        self.rnn.load_state_dict({k: torch.from_numpy(v) for k, v in model.to_torch().items()})
        self.lin = torch.nn.Linear(H, 1).double()
        self.lin.load_state_dict({"weight": torch.tensor(readout.V), "bias": torch.tensor(readout.c)})
        self.params = [*self.rnn.parameters(), *self.lin.parameters()]
        self.opt = torch.optim.Adam(self.params, lr=LR)

    def step(self, X: torch.Tensor, y: torch.Tensor) -> float:
        self.opt.zero_grad(set_to_none=True)
        out, _ = self.rnn(X)
        loss = torch.nn.functional.mse_loss(self.lin(out[:, -1])[:, 0], y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, CLIP)
        self.opt.step()
        return loss.item()

    def state(self) -> dict[str, np.ndarray]:
        sd = {k: v.detach().numpy() for k, v in self.rnn.state_dict().items()}
        return {**sd, "V": self.lin.weight.detach().numpy(), "c": self.lin.bias.detach().numpy()}

    def parts(self, X: torch.Tensor, y: torch.Tensor, repeats: int) -> dict[str, float]:
        def fwd():
            out, _ = self.rnn(X)
            return torch.nn.functional.mse_loss(self.lin(out[:, -1])[:, 0], y)

        def fwd_bwd():
            self.opt.zero_grad(set_to_none=True)
            fwd().backward()

        fb = time_ms(fwd_bwd, repeats)
        f = time_ms(fwd, repeats)

        def update():  # on the gradients fwd_bwd left; this moves the weights, so parts() runs after the timing
            torch.nn.utils.clip_grad_norm_(self.params, CLIP)
            self.opt.step()

        u = time_ms(update, repeats)
        return {"forward + loss": f, "backward": fb - f, "clip + Adam": u}


# ---- timing ---------------------------------------------------------------------------------------
def time_ms(f, repeats: int) -> float:
    """Median CPU milliseconds of this thread per call: on a shared machine, waiting for a core is left out."""
    return 1e3 * median_call(f, repeats, clock=time.thread_time)


def time_steps(np_side: NumpySide, t_side: TorchSide, batches_np, batches_t, rounds: int, per_round: int):
    """Median seconds per step for each side, by wall clock and by this thread's CPU time; rounds of
    `per_round` steps, the sides interleaved. On a shared machine the CPU time is the steadier of the two:
    it leaves out the time the process waits for a core."""
    k = 0
    for _ in range(WARMUP):
        np_side.step(*batches_np[k % N_BATCHES])
        t_side.step(*batches_t[k % N_BATCHES])
        k += 1
    wall = {"np": [], "t": []}
    cpu = {"np": [], "t": []}
    gc.collect()
    gc.disable()
    try:
        for _ in range(rounds):
            for key, side, batches in (("np", np_side, batches_np), ("t", t_side, batches_t)):
                w0, c0 = time.perf_counter(), time.thread_time()
                for j in range(per_round):
                    side.step(*batches[(k + j) % N_BATCHES])
                wall[key].append((time.perf_counter() - w0) / per_round)
                cpu[key].append((time.thread_time() - c0) / per_round)
            k += per_round
    finally:
        gc.enable()
    med = statistics.median
    return med(wall["np"]), med(wall["t"]), med(cpu["np"]), med(cpu["t"])


def time_train(model, task, steps: int, repeats: int) -> float:
    """Median wall seconds per step of gru_core.training.train itself (sampling and one small evaluation included)."""
    cfg = TrainConfig(steps=steps, batch=BATCH, lr=LR, clip=CLIP, eval_size=BATCH)
    train(model, task, TrainConfig(steps=2, batch=BATCH, eval_size=BATCH))  # warm-up
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        train(model, task, cfg)
        ts.append((time.perf_counter() - t0) / steps)
    return statistics.median(ts)


def check(np_side: NumpySide, t_side: TorchSide, batches_np, batches_t) -> None:
    """Same loss and the same parameters after each of the first steps: both sides do the same work."""
    for k in range(CHECK_STEPS):
        l_np = np_side.step(*batches_np[k])
        l_t = t_side.step(*batches_t[k])
        np.testing.assert_allclose(l_np, l_t, rtol=CHECK_RTOL, err_msg=f"loss at step {k}")
        theirs = t_side.state()
        for name, ours in np_side.params.items():
            np.testing.assert_allclose(ours, theirs[name], rtol=CHECK_RTOL, atol=CHECK_ATOL,
                                       err_msg=f"{name} after step {k}")



def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="few steps: a smoke test, not a measurement")
    ap.add_argument("--breakdown", action="store_true", help="show where the time goes even when the target is met")
    args = ap.parse_args()
    cfg = QUICK if args.quick else FULL
    start = time.perf_counter()

    rows, breakdowns = [], {}
    for kind, (np_cls, _) in MODELS.items():
        for H, T in SIZES:
            task = tasks.adding(T)
            rng = np.random.default_rng(0)
            model = np_cls.init(I, H, seed=0)
            readout = Readout.init(H, 1, rng)
            batches_np = [task.sample(BATCH, rng) for _ in range(N_BATCHES)]
            batches_t = [(torch.from_numpy(X), torch.from_numpy(y)) for X, y in batches_np]
            np_side, t_side = NumpySide(model, readout), TorchSide(kind, model, readout)
            check(np_side, t_side, batches_np, batches_t)
            s_np, s_t, c_np, c_t = time_steps(np_side, t_side, batches_np, batches_t, cfg["rounds"],
                                              cfg["per_round"])
            s_train = time_train(model, task, cfg["train_steps"], cfg["train_repeats"])
            ratio, cpu_ratio = s_t / s_np, c_t / c_np
            rows.append((kind, H, T, 1 / s_np, 1 / s_t, ratio, cpu_ratio, 1 / s_train))
            print(f"{kind} H={H} T={T}: check ok; numpy {1 / s_np:.0f} steps/s, torch {1 / s_t:.0f} steps/s, "
                  f"ratio {ratio:.2f} (by CPU time {cpu_ratio:.2f})", flush=True)
            if ratio < TARGET or args.breakdown:
                X, y = batches_np[0]
                breakdowns[(kind, H, T)] = (np_side.parts(X, y, cfg["parts"]),
                                            t_side.parts(*batches_t[0], cfg["parts"]), 1e3 * c_np, 1e3 * c_t)

    print()
    print("| model | H | T | numpy steps/s | torch steps/s | ratio numpy/torch (target ≥1.0) "
          "| ratio by CPU time | numpy train() steps/s |")
    print("|---|---:|---:|---:|---:|---|---:|---:|")
    for kind, H, T, sn, st, ratio, cpu_ratio, strain in rows:
        print(f"| {kind} | {H} | {T} | {sn:.0f} | {st:.0f} | {ratio:.2f} {mark(ratio >= TARGET)} "
              f"| {cpu_ratio:.2f} | {strain:.0f} |")
    print()
    print(f"{environment(torch)}; float64; I={I}, batch {BATCH}, "
          f"Adam lr {LR}, clip {CLIP}; median of {cfg['rounds']} rounds of {cfg['per_round']} steps "
          f"after {WARMUP} warm-up steps{' (quick)' if args.quick else ''}")
    if breakdowns:
        print()
        print("Where the time goes, median CPU ms of each part timed on its own:")
        for (kind, H, T), (np_parts, t_parts, ms_np, ms_t) in breakdowns.items():
            for side, parts, ms in (("numpy", np_parts, ms_np), ("torch", t_parts, ms_t)):
                print(f"- {kind} H={H} T={T} {side}: {shares(parts)} (whole step {ms:.3f} CPU ms)")
    print(f"wall time {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
