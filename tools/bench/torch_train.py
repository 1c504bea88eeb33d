#!/usr/bin/env python3
"""PyTorch eager fp32 peer for `bench:train`: the same Llama model (tools/golden/make_golden.py's forward, the
one the goldens check the engines against), the same shapes and the same AdamW step, timed on a CUDA GPU.

Reads the JSON that bench/train.ts writes (each row carries its preset's model config and batch), trains each
preset for --steps steps on random tokens after a warm-up, and writes tokens/s beside the WebGPU engine's:
  python3 tools/bench/torch_train.py --from train.json --json torch.json [--steps 200]
Runs on a GPU server with PyTorch 2.x (not in CI: Debian's CPU PyTorch would say nothing about speed).
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'golden'))
import make_golden  # noqa: E402  (the model definition; it sets float64, reset below)


def param_shapes(cfg):
    V, C, F, L = cfg['V'], cfg['C'], cfg['F'], cfg['L']
    shapes = {'wte': (V, C), 'normf': (C,), 'wlm': (V, C)}
    for l in range(L):
        p = f'layers.{l}.'
        shapes.update({p + 'norm1': (C,), p + 'wqkv': (3 * C, C), p + 'wo': (C, C), p + 'norm2': (C,),
                       p + 'wgu': (2 * F, C), p + 'wdown': (C, F)})
    return shapes


def sync():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def bench(cfg, B, steps, lr):
    T, V = cfg['T'], cfg['V']
    params = {n: (torch.randn(s) * 0.02 if len(s) == 2 else torch.ones(s)).requires_grad_() for n, s in param_shapes(cfg).items()}
    opt = torch.optim.AdamW(params.values(), lr=lr, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    batches = [(torch.randint(V, (B, T)), torch.randint(V, (B, T))) for _ in range(8)]
    weights = torch.full((B * T,), 1.0 / (B * T))

    def step(i):
        tokens, targets = batches[i % len(batches)]
        opt.zero_grad(set_to_none=True)
        loss, _ = make_golden.forward(params, cfg, tokens, targets, weights)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(params.values()), 1.0)
        opt.step()

    for i in range(10):
        step(i)
    sync()
    t0 = time.perf_counter()
    for i in range(steps):
        step(i)
    sync()
    seconds = time.perf_counter() - t0
    return {'msPerStep': 1000 * seconds / steps, 'tokensPerSecond': steps * B * T / seconds}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--from', dest='src', required=True)
    ap.add_argument('--json', required=True)
    ap.add_argument('--steps', type=int, default=200)
    ap.add_argument('--device', default='cuda', help='cpu only checks the script (Debian PyTorch 1.13)')
    args = ap.parse_args()
    torch.set_default_dtype(torch.float32)
    if args.device != 'cpu':
        torch.set_default_device(args.device)
    torch.backends.cuda.matmul.allow_tf32 = False  # fp32, as the WGSL kernels compute
    src = json.load(open(args.src))
    rows = []
    for row in src['rows']:
        r = bench(row['model'], row['B'], args.steps, row['peakLr'])
        ours = row['tokensPerSecond']
        rows.append({'preset': row['preset'], **r, 'webgpuTokensPerSecond': ours, 'webgpuOverTorch': ours / r['tokensPerSecond']})
        print(f"{row['preset']:12s} torch eager fp32 {r['msPerStep']:.2f} ms/step {r['tokensPerSecond']:,.0f} tok/s; "
              f"WebGPU {ours:,.0f} tok/s = {ours / r['tokensPerSecond']:.2f}x")
    out = {'date': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), 'device': torch.cuda.get_device_name() if args.device != 'cpu' else 'cpu',
           'torch': torch.__version__, 'rows': rows}
    json.dump(out, open(args.json, 'w'), indent=2)


if __name__ == '__main__':
    main()
