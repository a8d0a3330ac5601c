"""A one-layer GRU in NumPy that records every intermediate, in PyTorch's weight layout.

Equations (one step, h = h_{t−1}, x = x_t, PyTorch block order r, z, n):

    r  = σ(W_ir x + b_ir + W_hr h + b_hr)                 reset gate
    z  = σ(W_iz x + b_iz + W_hz h + b_hz)                 update gate
    a  = W_hn h + b_hn                                    reset after  (PyTorch, cuDNN)
    a  = W_hn (r ⊙ h) + b_hn                              reset before (Cho et al. 2014)
    n  = tanh(W_in x + b_in + r ⊙ a)   /   tanh(W_in x + b_in + a)
    h' = g ⊙ h + (1 − g) ⊙ n,   g = z (update "keep") or g = 1 − z (update "take", Chung et al. 2014)

g is the fraction of the past that is kept; writing the update through g lets one code path serve
both conventions. Its derivative is ∂g/∂z = s with s = +1 (keep) or −1 (take). docs/MATH.md
derives all of this, both conventions included.

The step Jacobian, for all t at once:

    J  = diag(g) + diag(h − n) ∂g/∂h + diag(1 − g) ∂n/∂h
    ∂g/∂h = s diag(z(1−z)) W_hz                                       (0 when z is pinned)
    reset after:  ∂n/∂h = diag(1−n²) [diag(r) W_hn + diag(a r(1−r)) W_hr]
    reset before: ∂n/∂h = diag(1−n²) W_hn [diag(r) + diag(h r(1−r)) W_hr]

Every term is a weight matrix scaled row-wise by a (T, H) coefficient (`Coeffs`), so the whole
(T, H, H) stack comes from a few broadcast products instead of a Python loop over time.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np

from . import bptt
from .activations import sigmoid
from .base import Record, Recurrent, Trace, block, time_major_input
from .checks import as_gate, as_matrix, as_vector, check_jacobian_budget, freeze, select_steps
from .params import Params

Update = Literal["keep", "take"]


@dataclass(frozen=True, eq=False)
class GRU(Recurrent):
    params: Params
    reset_after: bool = True
    update: Update = "keep"
    GATES = 3

    def __post_init__(self) -> None:
        if self.update not in ("keep", "take"):
            raise ValueError(
                f"update must be 'keep' (z keeps the past) or 'take' (z takes the new); got {self.update!r}"
            )
        if not isinstance(self.reset_after, (bool, np.bool_)):
            raise ValueError(f"reset_after must be True or False; got {self.reset_after!r}")

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def init(cls, input_size: int, hidden_size: int, seed: int = 0,
             reset_after: bool = True, update: Update = "keep") -> GRU:
        return cls(cls.random_params(input_size, hidden_size, seed), reset_after, update)

    @classmethod
    def from_torch(cls, state: Any, reset_after: bool = True, update: Update = "keep") -> GRU:
        return cls(cls.parse(state), reset_after, update)

    # ---- named blocks, the symbols of the equations -----------------------------------------
    W_ir, W_iz, W_in = block("W_ih", 0), block("W_ih", 1), block("W_ih", 2)
    W_hr, W_hz, W_hn = block("W_hh", 0), block("W_hh", 1), block("W_hh", 2)
    b_hn = block("b_hh", 2)

    @property
    def s(self) -> float:
        """∂g/∂z: +1 when z keeps the past, −1 when z takes the new."""
        return 1.0 if self.update == "keep" else -1.0

    # ---- forward --------------------------------------------------------------------------------
    def forward(self, x: Any, h0: Any = None, force_z: Any = None, force_r: Any = None) -> GRURecord:
        """Run over x (T, I) from h0 (H,); pinned gates (force_z/force_r in [0, 1]) have zero derivative."""
        H, I = self.hidden_size, self.input_size
        x = as_matrix(x, "x", I, "input features (I)")
        T = x.shape[0]
        h0 = freeze(np.zeros(H)) if h0 is None else as_vector(h0, "h0", H)
        Fz = as_gate(force_z, "force_z", (T, H))
        Fr = as_gate(force_r, "force_r", (T, H))
        tr = self.run(x[:, None], h0[None], None if Fz is None else Fz[:, None], None if Fr is None else Fr[:, None])
        one = {name: freeze(part[:, 0]) for name, part in tr.parts.items()}  # the batch of one, as (T, H)
        return GRURecord(model=self, x=x, h0=h0, h=freeze(tr.H[:, 0]), **one,
                         z_pinned=Fz is not None, r_pinned=Fr is not None)

    def run(self, X: np.ndarray, h0: np.ndarray | None = None, force_z: Any = None, force_r: Any = None) -> Trace:
        """The GRU's one forward pass: X (T, B, I) time-major from h0 (B, H) (zeros if None), with gates
        pinned to arrays broadcastable to (T, B, H). Arguments are trusted (`forward` checks them; training
        passes its own arrays). parts: r, z, n, a, each (T, B, H)."""
        T, B, _ = X.shape
        H = self.hidden_size
        Fz = None if force_z is None else np.broadcast_to(force_z, (T, B, H))
        Fr = None if force_r is None else np.broadcast_to(force_r, (T, B, H))
        h0 = np.zeros((B, H)) if h0 is None else h0
        GI = time_major_input(X, self.params.W_ih, self.params.b_ih)  # (T, B, 3H)
        N, Hs = np.empty((T, B, H)), np.empty((T, B, H))
        loop = self._loop_after if self.reset_after else self._loop_before
        R, Z, A = loop(GI, h0, Fz, Fr, N, Hs)
        pinned = frozenset(name for name, F in (("z", Fz), ("r", Fr)) if F is not None)
        return Trace(self, X, h0, Hs, {"r": R, "z": Z, "n": N, "a": A}, pinned)

    # The loops write each step into preallocated (B, ·) slabs, in place: at batch 1 the per-step
    # ufunc overhead is the whole cost, so every temporary array saved shows in bench_core.py.
    def _loop_after(self, GI, h, Fz, Fr, N, Hs):
        T, B, _ = GI.shape
        H = self.hidden_size
        W_hhT, b_hh = self.params.W_hh.T, self.params.b_hh
        # Everything added to W_hh h at step t, so one add per step completes r, z pre-activations and a:
        # [gi_r + b_hr, gi_z + b_hz, b_hn]. gi_n stays outside, since the reset multiplies only a.
        P = np.empty_like(GI)
        np.add(GI[..., :2 * H], b_hh[:2 * H], out=P[..., :2 * H])
        P[..., 2 * H:] = b_hh[2 * H:]
        G = np.empty((T, B, 3 * H))  # [r, z, a] side by side
        RZ, R, Z, A, GI_n = G[..., :2 * H], G[..., :H], G[..., H:2 * H], G[..., 2 * H:], GI[..., 2 * H:]
        keep = self.update == "keep"
        for t in range(T):
            g = G[t]
            np.dot(h, W_hhT, out=g)  # one fused recurrent product for r, z and n
            g += P[t]
            sigmoid(RZ[t], out=RZ[t])  # g now holds [r, z, a]
            if Fr is not None:
                R[t] = Fr[t]
            if Fz is not None:
                Z[t] = Fz[t]
            n = N[t]
            np.multiply(R[t], A[t], out=n)  # r ⊙ a
            n += GI_n[t]
            np.tanh(n, out=n)
            h = _update(h, n, Z[t], keep, Hs[t])
        return R, Z, A

    def _loop_before(self, GI, h, Fz, Fr, N, Hs):
        T, B, _ = GI.shape
        H = self.hidden_size
        W_hrzT, W_hnT, b_hn = self.params.W_hh[:2 * H].T, self.W_hn.T, self.b_hn
        P = np.add(GI[..., :2 * H], self.params.b_hh[:2 * H])  # (T, B, 2H) all but W_hr h, W_hz h
        RZ, A = np.empty((T, B, 2 * H)), np.empty((T, B, H))
        R, Z, GI_n = RZ[..., :H], RZ[..., H:], GI[..., 2 * H:]
        keep = self.update == "keep"
        rh = np.empty((B, H))
        for t in range(T):
            rz = RZ[t]
            np.dot(h, W_hrzT, out=rz)
            rz += P[t]
            sigmoid(rz, out=rz)
            if Fr is not None:
                R[t] = Fr[t]
            if Fz is not None:
                Z[t] = Fz[t]
            np.multiply(R[t], h, out=rh)  # the reset acts on h before the product
            a = A[t]
            np.dot(rh, W_hnT, out=a)
            a += b_hn
            n = N[t]
            np.add(GI_n[t], a, out=n)
            np.tanh(n, out=n)
            h = _update(h, n, Z[t], keep, Hs[t])
        return R, Z, A

    # ---- backward through the step Jacobians (the lesson's BPTT) ------------------------------
    def backward(self, rec: GRURecord, dh: Any) -> dict[str, np.ndarray]:
        """Gradients of L given dh[t] = ∂L/∂h_t from outside, by BPTT through the step Jacobians.

        δ_t = dh_t + J_{t+1}ᵀ δ_{t+1} is returned as "h"; the rest are PyTorch-named parameter
        gradients plus "h0" and "x". (Training uses `batched.direct_backward`, without Jacobians.)
        """
        if not isinstance(rec, GRURecord) or rec.model is not self:
            raise ValueError("rec must be the GRURecord returned by this model's forward()")
        T, H = rec.h.shape
        dh = as_matrix(dh, "dh", H, "hidden units (H)")
        if dh.shape[0] != T:
            raise ValueError(f"dh must have shape (T, H) = ({T}, {H}); got {dh.shape}")
        c = rec.coefficients()
        delta, dh0 = bptt.deltas(lambda steps: rec._exact_jacobians(steps, c), dh)
        dn = delta * c.c_n  # dn_pre = δ (1−g)(1−n²): the candidate's pre-activation
        dz = delta * c.c_z  # dz_pre = δ (h−n) s z(1−z)
        if self.reset_after:
            # n = tanh(gi_n + r ⊙ a), a = W_hn h + b_hn:  da = dn_pre r,  dr_pre = dn_pre a r(1−r) = δ c_r
            dGH = np.hstack([delta * c.c_r, dz, dn * rec.r])  # (T, 3H) w.r.t. W_hh h + b_hh
            dGI = np.hstack([dGH[:, :2 * H], dn])  # (T, 3H) w.r.t. W_ih x + b_ih
            dW_hh = dGH.T @ rec.h_prev
        else:
            # n = tanh(gi_n + W_hn (r⊙h) + b_hn):  d(r⊙h) = W_hnᵀ dn_pre,  dr_pre = d(r⊙h) ⊙ h r(1−r) = ⋯ c_r
            dr = (dn @ self.W_hn) * c.c_r
            dGH = dGI = np.hstack([dr, dz, dn])
            dW_hh = np.vstack([dGH[:, :2 * H].T @ rec.h_prev, dn.T @ (rec.r * rec.h_prev)])
        return {
            "weight_ih_l0": dGI.T @ rec.x,  # (3H, I)
            "weight_hh_l0": dW_hh,  # (3H, H)
            "bias_ih_l0": dGI.sum(0),
            "bias_hh_l0": dGH.sum(0),
            "h0": dh0,
            "x": dGI @ self.params.W_ih,  # (T, I)
            "h": delta,
        }


def _update(h: np.ndarray, n: np.ndarray, z: np.ndarray, keep: bool, out: np.ndarray) -> np.ndarray:
    """keep: h' = n + z(h − n);  take: h' = h + z(n − h)."""
    if keep:
        np.subtract(h, n, out=out)
        out *= z
        out += n
    else:
        np.subtract(n, h, out=out)
        out *= z
        out += h
    return out


class Coeffs(NamedTuple):
    """The (T, H) row scales of the step Jacobian's terms (see the module docstring)."""

    g: np.ndarray  # kept fraction of h: diag(g) is the copy path
    c_n: np.ndarray  # (1 − g)(1 − n²): scales everything that passes through the candidate
    c_z: np.ndarray  # s (h − n) z(1 − z): row scale of W_hz
    c_r: np.ndarray  # reset after: c_n a r(1 − r), row scale of W_hr;
    #                  reset before: h r(1 − r), column scale between W_hn and W_hr


@dataclass(frozen=True, eq=False)
class GRURecord(Record):
    """Everything one forward pass computed; all arrays (T, H) and read-only (time index: base.Record)."""

    model: GRU
    x: np.ndarray  # (T, I)
    h0: np.ndarray  # (H,)
    h: np.ndarray  # (T, H)
    r: np.ndarray
    z: np.ndarray
    n: np.ndarray
    a: np.ndarray  # W_hn h + b_hn (reset after) or W_hn (r⊙h) + b_hn (reset before)
    z_pinned: bool
    r_pinned: bool

    def jacobians(self, steps: Any = None) -> np.ndarray:
        """(T, H, H): [t] = exact ∂h_t/∂h_{t−1}; `steps` (indices or slice) picks a subset."""
        return self._exact_jacobians(steps, self.coefficients())

    def jacobian_source(self) -> Callable[[slice, np.ndarray], None]:
        """Writes the steps' Jacobians into `out`, the coefficients computed once for every chunk."""
        c, W = self.coefficients(), self._jacobian_weights()
        return lambda steps, out: self._exact_jacobians(steps, c, out, W)

    def frozen_gate_jacobians(self, steps: Any = None) -> np.ndarray:
        """(T, H, H): the same with z and r held constant, as if the gates did not depend on h.

        diag(g) + diag((1−g)(1−n²)) · (reset-weighted W_hn): the simplification that textbook
        accounts of the GRU's gradient make; exact whenever both gates are pinned.
        """
        sel = select_steps(steps, self.h.shape[0])
        check_jacobian_budget(len(sel), self.h.shape[1])
        m, c = self.model, self.coefficients()
        if m.reset_after:
            J = (c.c_n * self.r)[sel, :, None] * m.W_hn  # diag(r) W_hn
        else:
            J = c.c_n[sel, :, None] * (m.W_hn * self.r[sel, None, :])  # W_hn diag(r)
        _add_diagonal(J, c.g[sel])
        return freeze(J)

    def coefficients(self) -> Coeffs:
        m = self.model
        z, r, n, hp = self.z, self.r, self.n, self.h_prev
        g = z if m.update == "keep" else 1.0 - z
        c_n = (1.0 - g) * (1.0 - n * n)
        c_z = np.zeros_like(z) if self.z_pinned else m.s * (hp - n) * z * (1.0 - z)
        if self.r_pinned:
            c_r = np.zeros_like(r)
        elif m.reset_after:
            c_r = c_n * self.a * r * (1.0 - r)
        else:
            c_r = hp * r * (1.0 - r)
        return Coeffs(g, c_n, c_z, c_r)

    def _jacobian_weights(self) -> np.ndarray:
        """(H, 4, H): W_hz, W_hn, W_hr and the identity, row by row (reset after)."""
        m = self.model
        return np.stack([m.W_hz, m.W_hn, m.W_hr, np.eye(m.hidden_size)], axis=1)

    def _exact_jacobians(self, steps: Any, c: Coeffs, out: np.ndarray | None = None,
                         W: np.ndarray | None = None) -> np.ndarray:
        """`c` (and `W`, _jacobian_weights) are passed in because BPTT asks for the Jacobians chunk by
        chunk; `out` (S, H, H), which may be a strided view, receives them instead of a new array."""
        sel = select_steps(steps, self.h.shape[0])
        H = self.h.shape[1]
        check_jacobian_budget(len(sel), H)
        m = self.model
        J = np.empty((len(sel), H, H)) if out is None else out
        if m.reset_after:
            # J[t, i, :] = Σ_k C[t, k, i] W_k[i, :] over W_k ∈ (W_hz, W_hn, W_hr, I): for each row i a tiny
            # (S, 4) @ (4, H) product. One batched matmul writes the whole stack in a single pass over
            # memory instead of summing (S, H, H) temporaries.
            C = np.stack([c.c_z[sel], c.c_n[sel] * self.r[sel], c.c_r[sel], c.g[sel]], axis=2)  # (S, H, 4)
            W = self._jacobian_weights() if W is None else W
            np.matmul(C.transpose(1, 0, 2), W, out=J.transpose(1, 0, 2))
        else:
            r = self.r[sel]
            np.multiply(c.c_z[sel, :, None], m.W_hz, out=J)  # (S, H, H) through the update gate
            inner = m.W_hn * r[:, None, :]  # W_hn diag(r)
            inner += (m.W_hn * c.c_r[sel, None, :]) @ m.W_hr  # W_hn diag(h r(1−r)) W_hr: the reset gate's own move
            inner *= c.c_n[sel, :, None]
            J += inner
            _add_diagonal(J, c.g[sel])
        return freeze(J) if out is None else J


def _add_diagonal(J: np.ndarray, d: np.ndarray) -> None:
    idx = np.arange(J.shape[1])
    J[:, idx, idx] += d
