//! Adam, written out here (as in `torch.optim.Adam`) so its
//! state can be checkpointed and a resumed run continues exactly where it stopped.

use std::collections::HashMap;

use tch::{nn::VarStore, Tensor};

use crate::{Error, Result};

/// Adam (Kingma & Ba), with PyTorch's defaults: β = (0.9, 0.999), ε = 1e-8.
///
/// All variables live in one flat buffer (each variable a view into it), and so do the
/// gradients and both moments: a step is a handful of kernels whatever the number of layers,
/// as PyTorch's multi-tensor Adam, instead of a handful per variable.
pub struct Adam {
    /// The rate of the next step (the schedule sets it each epoch).
    pub learning_rate: f64,
    /// Decay rates of the first and second moment estimates.
    pub betas: (f64, f64),
    /// Added to the denominator for stability.
    pub eps: f64,
    /// Steps taken so far.
    pub step: i64,
    /// The trainable variables, sorted by name, and their offset in `flat`.
    params: Vec<(String, Tensor, i64)>,
    flat: Tensor,
    moments: (Tensor, Tensor),
}

impl Adam {
    /// Adam over the trainable variables of `vs` (which become views of one buffer).
    pub fn new(vs: &VarStore, learning_rate: f64) -> Self {
        let mut vars: Vec<(String, Tensor)> = vs.variables().into_iter().filter(|(_, t)| t.requires_grad()).collect();
        vars.sort_by(|a, b| a.0.cmp(&b.0));
        let flat = tch::no_grad(|| match vars.is_empty() {
            true => Tensor::zeros([0], (tch::Kind::Float, vs.device())),
            false => Tensor::cat(&vars.iter().map(|(_, t)| t.detach().reshape(-1)).collect::<Vec<_>>(), 0),
        });
        let mut offset = 0;
        let mut params = Vec::with_capacity(vars.len());
        for (name, mut var) in vars {
            let n = var.numel() as i64;
            tch::no_grad(|| var.set_data(&flat.narrow(0, offset, n).view(var.size().as_slice())));
            params.push((name, var, offset));
            offset += n;
        }
        let moments = (flat.zeros_like(), flat.zeros_like());
        Adam { learning_rate, betas: (0.9, 0.999), eps: 1e-8, step: 0, params, flat, moments }
    }

    /// Backpropagates `loss` to the variables and updates them (their `.grad` stays untouched).
    pub fn backward_step(&mut self, loss: &Tensor) -> Result<()> {
        if self.params.is_empty() {
            return Ok(());
        }
        let vars: Vec<&Tensor> = self.params.iter().map(|(_, t, _)| t).collect();
        let grads = Tensor::f_run_backward(&[loss], &vars, false, false)
            .map_err(|e| Error::input("Adam::backward_step", format!("backpropagation failed: {e}")))?;
        // A variable the loss does not reach gets a zero gradient.
        let grads: Vec<Tensor> = grads
            .iter()
            .zip(&vars)
            .map(|(g, v)| if g.defined() { g.reshape(-1) } else { v.detach().zeros_like().reshape(-1) })
            .collect();
        self.step += 1;
        let (b1, b2) = self.betas;
        let bc1 = 1.0 - b1.powi(self.step as i32);
        let bc2 = 1.0 - b2.powi(self.step as i32);
        tch::no_grad(|| -> Result<()> {
            let g = Tensor::f_cat(&grads, 0)?;
            let (m, v) = &mut self.moments;
            let _ = m.f_lerp_(&g, 1.0 - b1)?;
            let _ = v.f_lerp_(&g.square(), 1.0 - b2)?;
            let denom = v.sqrt() / bc2.sqrt() + self.eps;
            let _ = self.flat.f_addcdiv_(&(&*m * (-self.learning_rate / bc1)), &denom)?;
            Ok(())
        })
    }

    /// The moments as named tensors (`m.<var>`, `v.<var>`, views of the flat moments), for
    /// checkpoints.
    pub(crate) fn state(&self) -> Vec<(String, Tensor)> {
        let mut out = Vec::new();
        for (name, var, offset) in &self.params {
            let view = |t: &Tensor| t.narrow(0, *offset, var.numel() as i64).view(var.size().as_slice());
            out.push((format!("m.{name}"), view(&self.moments.0)));
            out.push((format!("v.{name}"), view(&self.moments.1)));
        }
        out
    }

    /// A copy of the moments and the step count, to go back to.
    pub(crate) fn snapshot(&self) -> (Tensor, Tensor, i64) {
        (self.moments.0.copy(), self.moments.1.copy(), self.step)
    }

    /// Goes back to a [`Adam::snapshot`].
    pub(crate) fn restore(&mut self, (m, v, step): &(Tensor, Tensor, i64)) -> Result<()> {
        tch::no_grad(|| -> Result<()> {
            self.moments.0.f_copy_(m)?;
            self.moments.1.f_copy_(v)?;
            Ok(())
        })?;
        self.step = *step;
        Ok(())
    }

    /// Where [`Adam::state`]'s tensors load into.
    pub(crate) fn state_targets(&self) -> HashMap<String, Tensor> {
        self.state().into_iter().collect()
    }
}
