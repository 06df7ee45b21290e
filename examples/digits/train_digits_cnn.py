#!/usr/bin/python3
"""Train the small digits CNN bundled as tessera's demo model, export it to ONNX.

Run with Debian's interpreter (it has torch, sklearn, onnx):

    /usr/bin/python3 examples/digits/train_digits_cnn.py

Data: sklearn.datasets.load_digits() (1797 8x8 grayscale images, values 0..16,
10 classes; shipped with scikit-learn, no download). Pixels are scaled to
float32 [0, 1] (divided by 16) and shaped N x 1 x 8 x 8.

Writes (next to this script unless --out-dir is given):
  digits_cnn.onnx        the model: input "image" [batch,1,8,8] float32,
                         output "logits" [batch,10] float32
  samples/images.npy     16 held-out test images, float32 16x1x8x8
  samples/labels.npy     their labels, int64 16

Everything is deterministic (fixed seeds, one thread), so rerunning reproduces
the same weights on the same torch build.
"""

import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits

SEED = 0
OPSET = 13
NUM_SAMPLES = 16


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 8x4x4
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 16x2x2
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64, 32), nn.ReLU(),
            nn.Linear(32, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def load_data():
    d = load_digits()
    x = (d.images.astype(np.float32) / 16.0).reshape(-1, 1, 8, 8)
    y = d.target.astype(np.int64)
    perm = np.random.RandomState(SEED).permutation(len(y))
    n_test = len(y) // 5  # 80/20 split
    test, train = perm[:n_test], perm[n_test:]
    return x[train], y[train], x[test], y[test]


def accuracy(model, x, y):
    with torch.no_grad():
        pred = model(torch.from_numpy(x)).argmax(1).numpy()
    return float((pred == y).mean())


def train(xtr, ytr, epochs, batch_size=32, lr=5e-3):
    model = DigitsCNN()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(xtr), torch.from_numpy(ytr)
    g = torch.Generator().manual_seed(SEED)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(yt), generator=g)
        total = 0.0
        for i in range(0, len(yt), batch_size):
            idx = perm[i:i + batch_size]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        print("epoch %2d  loss %.4f" % (epoch + 1, total / len(yt)))
    model.eval()
    return model


def export(model, path):
    dummy = torch.zeros(1, 1, 8, 8)
    kwargs = dict(
        input_names=["image"], output_names=["logits"],
        dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=OPSET, do_constant_folding=True, export_params=True)
    # Newer torch versions default to the dynamo exporter; we want the
    # TorchScript one (plain standard ops, a single file).
    import inspect
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    with torch.no_grad():
        torch.onnx.export(model, (dummy,), path, **kwargs)


def validate(path, model, xte):
    """onnx.checker + (if available) onnx's reference evaluator vs torch."""
    try:
        import onnx
    except ImportError:
        print("onnx not installed: skipping validation")
        return
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    ops = sorted({n.op_type for n in m.graph.node})
    opset = [o.version for o in m.opset_import if o.domain in ("", "ai.onnx")]
    print("onnx.checker: ok (opset %s, ops: %s, %d nodes)" % (
        opset[0] if opset else "?", ", ".join(ops), len(m.graph.node)))
    try:
        from onnx.reference import ReferenceEvaluator
    except ImportError:
        print("onnx %s has no onnx.reference.ReferenceEvaluator: "
              "skipping reference comparison" % onnx.__version__)
        return
    x = xte[:64]
    with torch.no_grad():
        want = model(torch.from_numpy(x)).numpy()
    got = ReferenceEvaluator(m).run(None, {"image": x})[0]
    err = float(np.abs(got - want).max())
    print("onnx reference evaluator vs torch: max abs err %.3g" % err)
    if not np.allclose(got, want, rtol=1e-4, atol=1e-4):
        raise SystemExit("reference evaluator disagrees with torch")


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=here)
    ap.add_argument("--epochs", type=int, default=30)
    args = ap.parse_args(argv)

    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(1)
    t0 = time.time()

    xtr, ytr, xte, yte = load_data()
    print("train %d  test %d" % (len(ytr), len(yte)))
    model = train(xtr, ytr, args.epochs)
    print("train accuracy %.4f" % accuracy(model, xtr, ytr))
    print("test accuracy  %.4f (%d images)" % (accuracy(model, xte, yte), len(yte)))

    os.makedirs(os.path.join(args.out_dir, "samples"), exist_ok=True)
    onnx_path = os.path.join(args.out_dir, "digits_cnn.onnx")
    export(model, onnx_path)
    print("wrote %s (%d bytes)" % (onnx_path, os.path.getsize(onnx_path)))

    # The first NUM_SAMPLES images of the (shuffled) held-out test split.
    si, sl = np.ascontiguousarray(xte[:NUM_SAMPLES]), yte[:NUM_SAMPLES].copy()
    np.save(os.path.join(args.out_dir, "samples", "images.npy"), si)
    np.save(os.path.join(args.out_dir, "samples", "labels.npy"), sl)
    print("wrote %s/samples/{images,labels}.npy; accuracy on the %d samples %.4f"
          % (args.out_dir, NUM_SAMPLES, accuracy(model, si, sl)))

    validate(onnx_path, model, xte)
    print("done in %.1f s" % (time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
