#!/usr/bin/python3
"""PyTorch goldens for the tiny preset (float64 on CPU).

Reads tools/golden/inputs.json (written by make_inputs.ts: config, parameter table, f32 initial parameters,
one masked batch, AdamW cases) and writes tools/golden/tiny.json:
  forward:  loss and logits (B*T, V) on the batch
  grads:    the flat gradient (every tensor, laid out by the table)
  steps:    per case, 3 steps of clip_grad_norm_ + torch.optim.AdamW (betas 0.9/0.95, eps 1e-8, the lrs given),
            decay groups as param groups (weight_decay 0 for tensors the table does not decay): losses, pre-clip
            gradient norms, and the parameters after step 3
  layernorm: the same model with norm 'layer' (LayerNorm without bias): loss and flat gradient
Arrays are base64 little-endian float32 (small files); scalars are full float64 JSON numbers. The math runs in
float64 so the goldens carry no f32 rounding of their own; tests choose their tolerances.

Run: npx tsx tools/golden/make_inputs.ts && /usr/bin/python3 tools/golden/make_golden.py
Needs Debian's python3-torch (1.13) and python3-numpy.
"""
import base64
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def dec_f32(s):
    return np.frombuffer(base64.b64decode(s), dtype='<f4').astype(np.float64)


def enc_f32(a):
    return base64.b64encode(np.asarray(a, dtype='<f4').tobytes()).decode()


def rms_or_layer_norm(x, gain, eps, centered):
    """RMSNorm: x * rsqrt(mean(x^2) + eps) * gain; centered: PyTorch's LayerNorm without bias."""
    if centered:
        return F.layer_norm(x, (x.shape[-1],), weight=gain, bias=None, eps=eps)
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps) * gain


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def rope(x, theta):
    """HF Llama RoPE on (B, NH, T, HS): pairs (i, i + HS/2), freq_i = theta^(-2i/HS), angle t * freq_i."""
    T, HS = x.shape[-2], x.shape[-1]
    inv_freq = theta ** (-torch.arange(0, HS, 2, dtype=torch.float64) / HS)
    angle = torch.arange(T, dtype=torch.float64)[:, None] * inv_freq[None, :]  # (T, HS/2)
    emb = torch.cat([angle, angle], dim=-1)
    return x * emb.cos().to(x.dtype) + rotate_half(x) * emb.sin().to(x.dtype)  # angles in float64, as the engine's table


def causal_attention(q, k, v):
    """softmax(q k^T / sqrt(HS)) v with a causal mask, on (B, NH, T, HS)."""
    T, HS = q.shape[-2], q.shape[-1]
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(HS)
    mask = torch.ones(T, T, dtype=torch.bool).triu(1)
    return torch.softmax(scores.masked_fill(mask, float('-inf')), dim=-1) @ v


def forward(P, cfg, tokens, targets, weights):
    """The Llama block exactly as the engine's flat list; returns (loss, logits (B*T, V))."""
    B, T = tokens.shape
    C, NH, HS, Fh = cfg['C'], cfg['NH'], cfg['HS'], cfg['F']
    centered = cfg['norm'] == 'layer'
    x = P['wte'][tokens]  # (B, T, C)
    for l in range(cfg['L']):
        p = f'layers.{l}.'
        xn = rms_or_layer_norm(x, P[p + 'norm1'], cfg['eps'], centered)
        qkv = (xn @ P[p + 'wqkv'].T).view(B, T, 3, NH, HS)  # the contract's (B, T, 3, NH, HS)
        q, k, v = (qkv[:, :, i].transpose(1, 2) for i in range(3))  # (B, NH, T, HS)
        att = causal_attention(rope(q, cfg['ropeTheta']), rope(k, cfg['ropeTheta']), v)
        x = x + att.transpose(1, 2).reshape(B, T, C) @ P[p + 'wo'].T
        xn = rms_or_layer_norm(x, P[p + 'norm2'], cfg['eps'], centered)
        gu = xn @ P[p + 'wgu'].T  # (B, T, 2F) = [gate | up]
        x = x + (F.silu(gu[..., :Fh]) * gu[..., Fh:]) @ P[p + 'wdown'].T
    xn = rms_or_layer_norm(x, P['normf'], cfg['eps'], centered)
    logits = (xn @ P['wlm'].T).reshape(B * T, -1)
    losses = weights * F.cross_entropy(logits, targets.reshape(-1), reduction='none')
    return losses.sum(), logits


def make_params(flat, table):
    return {s['name']: torch.tensor(flat[s['offset']:s['offset'] + s['size']].reshape(s['shape']), requires_grad=True)
            for s in table}


def flatten(tensors, table, total):
    out = np.zeros(total)
    for s in table:
        out[s['offset']:s['offset'] + s['size']] = tensors[s['name']].detach().numpy().reshape(-1)
    return out


def run_case(case, inp, batch):
    """3 steps of clip_grad_norm_ + AdamW with the case's decay group as param groups."""
    table = inp['tables'][case['decayGroup']]
    P = make_params(dec_f32(inp['params']), table)
    groups = [{'params': [P[s['name']] for s in table if s['decay']], 'weight_decay': case['weightDecay']},
              {'params': [P[s['name']] for s in table if not s['decay']], 'weight_decay': 0.0}]
    opt = torch.optim.AdamW([g for g in groups if g['params']], lr=case['lrs'][0], betas=(0.9, 0.95), eps=1e-8)
    losses, norms = [], []
    for lr in case['lrs']:
        opt.zero_grad()
        loss, _ = forward(P, inp['config'], *batch)
        loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(list(P.values()), case['maxNorm'])))
        losses.append(float(loss))
        for g in opt.param_groups:
            g['lr'] = lr
        opt.step()
    return {**case, 'losses': losses, 'gradNorms': norms,
            'clipped': [n > case['maxNorm'] for n in norms],
            'params': enc_f32(flatten(P, table, inp['total']))}


def loss_and_grads(inp, cfg, batch):
    table = inp['tables']['all']
    P = make_params(dec_f32(inp['params']), table)
    loss, logits = forward(P, cfg, *batch)
    loss.backward()
    return loss, logits, flatten({k: v.grad for k, v in P.items()}, table, inp['total'])


def self_checks(cfg):
    """The PyTorch pieces against the contract's words, independently of the engine."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 5, 8, generator=g)
    gain = torch.randn(8, generator=g)
    manual = (x - x.mean(-1, keepdim=True)) * torch.rsqrt(x.var(-1, unbiased=False, keepdim=True) + 1e-5) * gain
    assert torch.allclose(rms_or_layer_norm(x, gain, 1e-5, True), manual, atol=1e-12)
    # RoPE: rotation of pair (i, i+HS/2) by angle t * theta^(-2i/HS), written as a complex product.
    q = torch.randn(1, 1, 6, 8, generator=g)
    z = torch.complex(q[..., :4], q[..., 4:])
    ang = torch.arange(6.0)[:, None] * cfg['ropeTheta'] ** (-torch.arange(0, 8, 2.0) / 8)
    zr = z * torch.polar(torch.ones_like(ang), ang)
    assert torch.allclose(rope(q, cfg['ropeTheta']), torch.cat([zr.real, zr.imag], -1), atol=1e-12)
    # Causal attention: row t attends to 0..t only (changing a later key leaves earlier rows unchanged).
    k2 = q.clone()
    k2[..., 5, :] += 1
    assert torch.allclose(causal_attention(q, q, q)[..., :5, :], causal_attention(q, k2, k2)[..., :5, :])
    if hasattr(F, 'scaled_dot_product_attention'):  # PyTorch >= 2.0; Debian's 1.13 lacks it
        assert torch.allclose(causal_attention(q, k2, q), F.scaled_dot_product_attention(q, k2, q, is_causal=True), atol=1e-12)


def main():
    with open(os.path.join(HERE, 'inputs.json')) as f:
        inp = json.load(f)
    cfg, b = inp['config'], inp['batch']
    self_checks(cfg)
    batch = (torch.tensor(b['tokens']).view(b['B'], b['T']), torch.tensor(b['targets']).view(b['B'], b['T']),
             torch.tensor(b['weights'], dtype=torch.float64))
    loss, logits, grads = loss_and_grads(inp, cfg, batch)
    ln_loss, _, ln_grads = loss_and_grads(inp, {**cfg, 'norm': 'layer'}, batch)
    golden = {
        'note': 'tools/golden/make_golden.py (PyTorch %s, float64); arrays: base64 little-endian float32' % torch.__version__,
        'preset': inp['preset'], 'config': cfg, 'seed': inp['seed'], 'total': inp['total'],
        'tables': inp['tables'], 'params': inp['params'], 'batch': b,
        'forward': {'loss': float(loss), 'logits': enc_f32(logits.detach().numpy())},
        'grads': enc_f32(grads), 'gradNorm': float(np.sqrt((grads ** 2).sum())),
        'steps': [run_case(c, inp, batch) for c in inp['cases']],
        'layernorm': {'loss': float(ln_loss), 'grads': enc_f32(ln_grads)},
    }
    for c in golden['steps']:
        print(c['name'], 'losses', c['losses'], 'norms', c['gradNorms'])
    print('loss', golden['forward']['loss'], 'grad norm', golden['gradNorm'], 'layernorm loss', golden['layernorm']['loss'])
    with open(os.path.join(HERE, 'tiny.json'), 'w') as f:
        json.dump(golden, f)
        f.write('\n')


if __name__ == '__main__':
    main()
