"""Times the reference DiffWave (the `diffwave` package from PyPI, PyTorch, CPU) on one
checkpoint and a random mel, with the fast schedule, and prints one JSON object in the
shape of `diffwave bench`. Usage: reference.py CHECKPOINT SECONDS THREADS
The sampling loop follows the reference's algorithm (shared/reference/README.md)."""
import json
import resource
import sys
import time

import numpy as np
import torch
from diffwave.model import DiffWave
from diffwave.params import AttrDict, params as defaults

checkpoint, seconds, threads = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
state = torch.load(checkpoint, map_location="cpu", weights_only=False)
p = AttrDict(dict(defaults))
p.update(state.get("params") or {})
model = DiffWave(p)
model.load_state_dict(state["model"])
model.eval()

frames = max(1, round(seconds * p["sample_rate"] / p["hop_samples"]))
mel = torch.from_numpy(np.random.default_rng(1).uniform(0, 1, (1, p["n_mels"], frames)).astype(np.float32))

train_cum = np.cumprod(1 - np.array(p["noise_schedule"], dtype=np.float64))
beta = np.array(p["inference_noise_schedule"], dtype=np.float64)
alpha = 1 - beta
alpha_cum = np.cumprod(alpha)
steps = []
for s in range(len(beta)):
    for t in range(len(train_cum) - 1):
        if train_cum[t + 1] <= alpha_cum[s] <= train_cum[t]:
            frac = (train_cum[t] ** 0.5 - alpha_cum[s] ** 0.5) / (train_cum[t] ** 0.5 - train_cum[t + 1] ** 0.5)
            steps.append(t + frac)
            break

start = time.perf_counter()
with torch.no_grad():
    x = torch.randn(1, frames * p["hop_samples"])
    for n in range(len(beta) - 1, -1, -1):
        eps = model(x, mel, torch.tensor([steps[n]], dtype=torch.float32)).squeeze(1)
        x = (x - beta[n] / (1 - alpha_cum[n]) ** 0.5 * eps) / alpha[n] ** 0.5
        if n > 0:
            x += ((1 - alpha_cum[n - 1]) / (1 - alpha_cum[n]) * beta[n]) ** 0.5 * torch.randn_like(x)
        x = torch.clamp(x, -1, 1)
compute = time.perf_counter() - start
audio = frames * p["hop_samples"] / p["sample_rate"]
print(json.dumps({"audio_seconds": audio, "compute_seconds": compute, "rtf": compute / audio,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "threads": threads, "schedule": "fast", "implementation": "reference"}, sort_keys=True))
