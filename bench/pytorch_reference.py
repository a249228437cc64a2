#!/usr/bin/env python3
"""The reference recurrent autoencoder in PyTorch, timed the way `rae bench` times ours.

Same model (LSTM(28->100, all steps) -> LSTM(100->30, last step); the coding repeated 28 times ->
LSTM(30->100) -> Dense(100->28) + sigmoid), Keras initialisation (glorot_uniform kernels, orthogonal
recurrent kernels, unit forget bias), BCE on probabilities clipped to [1e-7, 1 - 1e-7] (mean), Adam
(lr 1e-3, b1 0.9, b2 0.999, eps 1e-7). Prints ms per training step, warm-up excluded, median of repeats,
in the same RESULT line format as `rae bench --json`-less output, so bench/compare.sh can take the ratio.

Usage: pytorch_reference.py [--threads N] [--device cpu|cuda] [--batches 32,256] [--steps 50] [--repeats 5]
"""
import argparse
import statistics
import time

import torch
from torch import nn

FEATURES, STEPS = 28, 28


class RecurrentAutoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc0 = nn.LSTM(FEATURES, 100, batch_first=True)
        self.enc1 = nn.LSTM(100, 30, batch_first=True)
        self.dec0 = nn.LSTM(30, 100, batch_first=True)
        self.dense = nn.Linear(100, FEATURES)
        for lstm in (self.enc0, self.enc1, self.dec0):
            keras_lstm_init(lstm)
        nn.init.xavier_uniform_(self.dense.weight)
        nn.init.zeros_(self.dense.bias)

    def forward(self, x):
        h, _ = self.enc0(x)
        h, _ = self.enc1(h)
        coding = h[:, -1, :]
        repeated = coding.unsqueeze(1).expand(-1, x.shape[1], -1)
        h, _ = self.dec0(repeated)
        return torch.sigmoid(self.dense(h))


def keras_lstm_init(lstm):
    """Keras: kernel glorot_uniform over (in, 4U), recurrent orthogonal over (U, 4U), bias zeros with forget = 1.
    PyTorch stores the transposes (4U, in) and (4U, U), gate order i, f, g, o (the same as Keras's i, f, c, o)."""
    units = lstm.hidden_size
    with torch.no_grad():
        kernel = torch.empty(lstm.input_size, 4 * units)
        nn.init.xavier_uniform_(kernel)  # fan_in + fan_out is symmetric, so this is Keras's limit
        lstm.weight_ih_l0.copy_(kernel.t())
        recurrent = torch.empty(units, 4 * units)
        nn.init.orthogonal_(recurrent)
        lstm.weight_hh_l0.copy_(recurrent.t())
        lstm.bias_ih_l0.zero_()
        lstm.bias_ih_l0[units:2 * units] = 1.0
        lstm.bias_hh_l0.zero_()


def bce(p, y, eps=1e-7):
    p = p.clamp(eps, 1 - eps)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def time_training(device, batch, steps, repeats, warmup):
    torch.manual_seed(42)
    model = RecurrentAutoencoder().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    data = torch.rand(batch * 8, STEPS, FEATURES, device=device)

    def step(i):
        x = data[(i % 8) * batch:(i % 8 + 1) * batch]
        opt.zero_grad(set_to_none=True)
        loss = bce(model(x), x)
        loss.backward()
        opt.step()
        return loss

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    for i in range(warmup):
        step(i)
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(steps):
            loss = step(i)
        loss.item()  # one read back, as ours does per step
        sync()
        times.append((time.perf_counter() - start) * 1000 / steps)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: PyTorch's default)")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--batches", default="32,256", help="comma-separated batch sizes")
    ap.add_argument("--steps", type=int, default=50, help="training steps per timed repeat")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=20)
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit("error: --device cuda asked for, but PyTorch sees no CUDA device")
        torch.backends.cudnn.benchmark = True
        name = f"pytorch-cuda ({torch.cuda.get_device_name(0)}, cuDNN {torch.backends.cudnn.version()})"
    else:
        name = f"pytorch-cpu (torch {torch.__version__}, {torch.get_num_threads()} threads)"
    print(f"# {name}")
    print(f"{'backend':<14}{'batch':>7}{'ms/step':>10}{'samples/s':>12}")
    for batch in (int(b) for b in args.batches.split(",")):
        ms = time_training(device, batch, args.steps, args.repeats, args.warmup)
        label = "pytorch-" + device.type
        print(f"{label:<14}{batch:>7}{ms:>10.3f}{batch * 1000 / ms:>12.0f}")
        print(f"RESULT backend={label} threads={torch.get_num_threads()} batch={batch} ms_per_step={ms:.4f}", flush=True)


if __name__ == "__main__":
    main()
