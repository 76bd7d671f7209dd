"""PyTorch's side of `make bench`: the same work as crates/aekit/examples/bench.rs, written as a
PyTorch user writes it (the tutorial's model, nn.Module, torch.optim.Adam with its defaults).

Kept fair: the data is preloaded as tensors on the device, the same split (the last 5,000
training images validate), the same init (Glorot uniform, zero biases, as aekit and Keras),
the same fused loss (sigmoid + BCE as BCE-with-logits), the same thread count, a validation
pass each epoch, and no host synchronisation per batch (losses are summed on the device).
Prints one `RESULT {json}` line.

python bench/reference.py [--model dense|conv] [--epochs N] [--threads N] [--bf16] [--load-only]
    [--compile] [--data DIR] [--device cpu|cuda]
"""
import argparse, gzip, json, os, resource, time

import torch
import torch.nn as nn
import torch.nn.functional as F


def data_dir():
    for d in [os.environ.get("AEKIT_DATA"), "datasets/fashion-mnist", "/usr/share/datasets/fashion-mnist"]:
        if d and os.path.exists(os.path.join(d, "t10k-labels-idx1-ubyte.gz")):
            return d
    raise SystemExit("Fashion-MNIST not found: run `make data` or set AEKIT_DATA")


def load(d):
    def images(name):
        raw = gzip.open(os.path.join(d, name), "rb").read()
        return torch.frombuffer(bytearray(raw[16:]), dtype=torch.uint8).view(-1, 1, 28, 28).float().div_(255)

    def labels(name):
        raw = gzip.open(os.path.join(d, name), "rb").read()
        return torch.frombuffer(bytearray(raw[8:]), dtype=torch.uint8).long()

    return (images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz"),
            images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz"))


class Dense(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU())
        self.decoder = nn.Linear(64, 784)  # logits; the sigmoid is fused into the loss

    def forward(self, x):
        return self.decoder(self.encoder(x)).view(-1, 1, 28, 28)


class Conv(nn.Module):
    """aekit's ConvConfig::default(): 1→32→64 channels, 3×3 stride 2, a dense code of 64."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, 3, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 3, 2, 1), nn.ReLU(),
            nn.Flatten(), nn.Linear(3136, 64), nn.ReLU())
        self.decoder = nn.Sequential(
            nn.Linear(64, 3136), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
            nn.ConvTranspose2d(64, 32, 3, 2, 1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(32, 32, 3, 2, 1, output_padding=1), nn.ReLU(),
            nn.Conv2d(32, 1, 3, 1, 1))

    def forward(self, x):
        return self.decoder(self.encoder(x))


def glorot(module):
    if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


def mean_loss(model, images, autocast):
    total = torch.zeros((), device=images.device)
    with torch.no_grad():
        for i in range(0, len(images), 1024):
            x = images[i:i + 1024]
            with autocast():
                logits = model(x)
            total += F.binary_cross_entropy_with_logits(logits.float(), x) * len(x)
    return total.item() / len(images)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="dense", choices=["dense", "conv"])
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int)
    p.add_argument("--bf16", action="store_true")
    p.add_argument("--compile", action="store_true")
    p.add_argument("--load-only", action="store_true")
    p.add_argument("--device", default=os.environ.get("AEKIT_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu"))
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    device = torch.device(a.device)

    start = time.perf_counter()
    train_x, _, test_x, _ = load(data_dir())
    load_s = time.perf_counter() - start
    result = {"impl": "pytorch" + ("+compile" if a.compile else ""), "device": str(device), "load_s": load_s,
              "threads": torch.get_num_threads()}
    if not a.load_only:
        torch.manual_seed(0)
        train_x, val_x, test_x = train_x[:55000].to(device), train_x[55000:].to(device), test_x.to(device)
        model = (Dense() if a.model == "dense" else Conv()).to(device)
        model.apply(glorot)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        step = torch.compile(model) if a.compile else model
        autocast = (lambda: torch.autocast(device.type, dtype=torch.bfloat16)) if a.bf16 else (lambda: torch.autocast(device.type, enabled=False))
        epoch_s = []
        for _ in range(a.epochs):
            t = time.perf_counter()
            model.train()
            total = torch.zeros((), device=device)
            for idx in torch.randperm(len(train_x), device=device).split(256):
                x = train_x[idx]
                with autocast():
                    logits = step(x)
                loss = F.binary_cross_entropy_with_logits(logits.float(), x)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.detach() * len(x)
            model.eval()
            train_loss = total.item() / len(train_x)
            mean_loss(model, val_x, autocast)
            epoch_s.append(time.perf_counter() - t)
        result.update(model=a.model, bf16=a.bf16, epoch_s=epoch_s, train_loss=train_loss,
                      test_loss=mean_loss(model, test_x, autocast))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
