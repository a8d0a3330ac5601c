"""A one-layer GRU in NumPy that records every intermediate, in PyTorch's weight layout.

Equations (one step, h = h_{t−1}, x = x_t, PyTorch block order r, z, n):

    r  = σ(W_ir x + b_ir + W_hr h + b_hr)                 reset gate
    z  = σ(W_iz x + b_iz + W_hz h + b_hz)                 update gate
    a  = W_hn h + b_hn                                    reset after  (PyTorch, cuDNN)
    a  = W_hn (r ⊙ h) + b_hn                              reset before (Cho et al. 2014)
    n  = tanh(W_in x + b_in + r ⊙ a)   /   tanh(W_in x + b_in + a)
    h' = g ⊙ h + (1 − g) ⊙ n,   g = z (update "keep") or g = 1 − z (update "take", Chung et al. 2014)

g is the fraction of the past that is kept; writing the update through g lets one code path serve
both conventions. Its derivative is ∂g/∂z = s with s = +1 (keep) or −1 (take).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from . import bptt, gru_jacobian
from .activations import sigmoid
from .base import Record, Recurrent
from .checks import as_gate, as_matrix, as_vector, freeze
from .state import Params

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
    def _block(self, arr: np.ndarray, k: int) -> np.ndarray:
        H = self.hidden_size
        return arr[k * H:(k + 1) * H]

    W_ir = property(lambda self: self._block(self.params.W_ih, 0))
    W_iz = property(lambda self: self._block(self.params.W_ih, 1))
    W_in = property(lambda self: self._block(self.params.W_ih, 2))
    W_hr = property(lambda self: self._block(self.params.W_hh, 0))
    W_hz = property(lambda self: self._block(self.params.W_hh, 1))
    W_hn = property(lambda self: self._block(self.params.W_hh, 2))
    b_hn = property(lambda self: self._block(self.params.b_hh, 2))

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
        W_ih, W_hh, b_ih, b_hh = self.params
        GI = x @ W_ih.T + b_ih  # (T, 3H) every input projection in one product
        N = np.empty((T, H))
        Hs = np.empty((T, H))
        if self.reset_after:
            G = self._loop_after(GI, h0, Fz, Fr, N, Hs)  # (T, 3H): r, z, a side by side
            r, z, a = G[:, :H], G[:, H:2 * H], G[:, 2 * H:]
        else:
            RZ, a = self._loop_before(GI, h0, Fz, Fr, N, Hs)
            r, z = RZ[:, :H], RZ[:, H:]
        return GRURecord(
            model=self, x=x, h0=h0, h=freeze(Hs), r=freeze(r), z=freeze(z),
            n=freeze(N), a=freeze(a), z_pinned=Fz is not None, r_pinned=Fr is not None,
        )

    def _loop_after(self, GI, h, Fz, Fr, N, Hs) -> np.ndarray:
        H = self.hidden_size
        W_hh, b_hh = self.params.W_hh, self.params.b_hh
        # Everything added to W_hh h at step t, so one add per step completes r, z pre-activations and a:
        # [gi_r + b_hr, gi_z + b_hz, b_hn]. gi_n stays outside, since the reset multiplies only a.
        P = np.concatenate([GI[:, :2 * H] + b_hh[:2 * H], np.broadcast_to(b_hh[2 * H:], (len(GI), H))], axis=1)
        G = np.empty((len(GI), 3 * H))
        keep = self.update == "keep"
        for t in range(len(GI)):
            g = G[t]
            np.dot(W_hh, h, out=g)  # one fused recurrent product for r, z and n
            g += P[t]
            rz = g[:2 * H]
            sigmoid(rz, out=rz)  # g now holds [r, z, a]
            if Fr is not None:
                rz[:H] = Fr[t]
            if Fz is not None:
                rz[H:] = Fz[t]
            n = N[t]
            np.multiply(rz[:H], g[2 * H:], out=n)  # r ⊙ a
            n += GI[t, 2 * H:]
            np.tanh(n, out=n)
            h = _update(h, n, rz[H:], keep, Hs[t])
        return G

    def _loop_before(self, GI, h, Fz, Fr, N, Hs) -> tuple[np.ndarray, np.ndarray]:
        H = self.hidden_size
        W_hrz, W_hn = self.params.W_hh[:2 * H], self.W_hn
        P = GI[:, :2 * H] + self.params.b_hh[:2 * H]  # (T, 2H) all but W_hr h, W_hz h
        b_hn = self.b_hn
        RZ = np.empty((len(GI), 2 * H))
        A = np.empty((len(GI), H))
        keep = self.update == "keep"
        rh = np.empty(H)
        for t in range(len(GI)):
            rz = RZ[t]
            np.dot(W_hrz, h, out=rz)
            rz += P[t]
            sigmoid(rz, out=rz)
            if Fr is not None:
                rz[:H] = Fr[t]
            if Fz is not None:
                rz[H:] = Fz[t]
            np.multiply(rz[:H], h, out=rh)  # the reset acts on h before the product
            a = A[t]
            np.dot(W_hn, rh, out=a)
            a += b_hn
            n = N[t]
            np.add(GI[t, 2 * H:], a, out=n)
            np.tanh(n, out=n)
            h = _update(h, n, rz[H:], keep, Hs[t])
        return RZ, A

    # ---- backward (BPTT) --------------------------------------------------------------------
    def backward(self, rec: GRURecord, dh: Any) -> dict[str, np.ndarray]:
        """Gradients of L given dh[t] = ∂L/∂h_t from outside, by backpropagation through time.

        δ_t = dh_t + J_{t+1}ᵀ δ_{t+1} is returned as "h"; the rest are PyTorch-named parameter
        gradients plus "h0" and "x".
        """
        if not isinstance(rec, GRURecord) or rec.model is not self:
            raise ValueError("rec must be the GRURecord returned by this model's forward()")
        T, H = rec.h.shape
        dh = as_matrix(dh, "dh", H, "hidden units (H)")
        if dh.shape[0] != T:
            raise ValueError(f"dh must have shape (T, H) = ({T}, {H}); got {dh.shape}")
        c = gru_jacobian.coefficients(rec)
        delta, dh0 = bptt.deltas(lambda steps: gru_jacobian.exact(rec, steps, c), dh)
        dn = delta * c.n  # dn_pre = δ (1−g)(1−n²): the candidate's pre-activation
        dz = delta * c.z  # dz_pre = δ (h−n) s z(1−z)
        if self.reset_after:
            # n = tanh(gi_n + r ⊙ a), a = W_hn h + b_hn:  da = dn_pre r,  dr_pre = dn_pre a r(1−r) = δ c_r
            dGH = np.hstack([delta * c.r, dz, dn * rec.r])  # (T, 3H) w.r.t. W_hh h + b_hh
            dGI = np.hstack([dGH[:, :2 * H], dn])  # (T, 3H) w.r.t. W_ih x + b_ih
            dW_hh = dGH.T @ rec.h_prev
        else:
            # n = tanh(gi_n + W_hn (r⊙h) + b_hn):  d(r⊙h) = W_hnᵀ dn_pre,  dr_pre = d(r⊙h) ⊙ h r(1−r) = ⋯ c_r
            dr = (dn @ self.W_hn) * c.r
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


@dataclass(frozen=True, eq=False)
class GRURecord(Record):
    """Everything one forward pass computed; all arrays (T, H) and read-only, h[t] = h_{t+1}."""

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
        return gru_jacobian.exact(self, steps)

    def frozen_gate_jacobians(self, steps: Any = None) -> np.ndarray:
        """(T, H, H): the same with z and r held constant, the seed articles' simplification."""
        return gru_jacobian.frozen(self, steps)
