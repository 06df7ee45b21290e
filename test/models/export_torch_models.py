#!/usr/bin/python3
"""Export a small set of reference PyTorch models to ONNX for tessera tests.

Must be run with Debian's interpreter (torch 1.13 / torchvision 0.14):

    /usr/bin/python3 test/models/export_torch_models.py --out-dir /tmp/models
    /usr/bin/python3 test/models/export_torch_models.py --out-dir /tmp/models \
        --models resnet18,mlp --dynamic-batch

Models (all random-initialised with torch.manual_seed(0), eval mode, weights
embedded, graph input "input", graph output "output"):

  resnet18      torchvision resnet18            1x3x224x224  opset 13
  mobilenet_v2  torchvision mobilenet_v2        1x3x224x224  opset 13
  squeezenet1_1 torchvision squeezenet1_1       1x3x224x224  opset 13
  bert_encoder  4-layer nn.TransformerEncoder   1x128x256    opset 14
                (d_model=256, nhead=4, ffn=1024, gelu, batch_first)
  mlp           Linear 784-1024-ReLU-1024-ReLU-10  1x784     opset 13

With --dynamic-batch, dim 0 of input and output is the symbolic dim "N".

Note on the transformer "fast path": in eval mode, torch 1.13's
TransformerEncoderLayer.forward dispatches to the fused kernel
torch._transformer_encoder_layer_fwd (which has no ONNX symbolic) unless one
of its preconditions fails.  One precondition is "grad is disabled or no
parameter requires grad", so we export under torch.enable_grad() with all
parameters requiring grad; this forces the plain Python path (Linear /
MultiheadAttention / LayerNorm / GELU) which exports to ordinary ONNX ops
(MatMul, Softmax, ReduceMean, Erf, ...).  enable_nested_tensor=False also
keeps TransformerEncoder off its nested-tensor path.  After export we check
that no ATen/custom-domain op slipped through.
"""

import argparse
import os
import sys

import torch
import torch.nn as nn
import torchvision


def build_resnet18():
    return torchvision.models.resnet18(weights=None), (1, 3, 224, 224), 13


def build_mobilenet_v2():
    return torchvision.models.mobilenet_v2(weights=None), (1, 3, 224, 224), 13


def build_squeezenet1_1():
    return torchvision.models.squeezenet1_1(weights=None), (1, 3, 224, 224), 13


def build_bert_encoder():
    layer = nn.TransformerEncoderLayer(
        d_model=256, nhead=4, dim_feedforward=1024, activation="gelu",
        batch_first=True)
    model = nn.TransformerEncoder(layer, num_layers=4,
                                  enable_nested_tensor=False)
    # nn.TransformerEncoder deep-copies `layer`, so all 4 layers would start
    # with identical weights (and the exporter would then dedup them into one
    # initializer + Identity nodes).  Re-initialise each layer so they differ.
    for l in model.layers:
        l.self_attn._reset_parameters()
        l.linear1.reset_parameters()
        l.linear2.reset_parameters()
    return model, (1, 128, 256), 14


def build_mlp():
    model = nn.Sequential(
        nn.Linear(784, 1024), nn.ReLU(),
        nn.Linear(1024, 1024), nn.ReLU(),
        nn.Linear(1024, 10))
    return model, (1, 784), 13


MODELS = {
    "resnet18": build_resnet18,
    "mobilenet_v2": build_mobilenet_v2,
    "squeezenet1_1": build_squeezenet1_1,
    "bert_encoder": build_bert_encoder,
    "mlp": build_mlp,
}


def check_no_opaque_ops(path):
    try:
        import onnx
    except ImportError:
        return
    m = onnx.load(path)
    bad = sorted({n.op_type for n in m.graph.node
                  if n.domain not in ("", "ai.onnx") or n.op_type == "ATen"})
    if bad:
        raise RuntimeError("%s contains non-standard ops: %s" % (path, bad))


def calibrate_batch_norm(model, shape):
    """Gives BatchNorm layers running statistics from real activations.

    Freshly initialised layers (mean 0, variance 1) let the activations of a
    deep random network shrink to ~1e-12 (MobileNetV2), where any absolute
    tolerance passes whatever a compiler computes. A few training-mode
    passes over random batches keep outputs of order 1.
    """
    if not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
               for m in model.modules()):
        return
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(4, *shape[1:]))


def export(name, out_dir, dynamic_batch):
    torch.manual_seed(0)  # per model, so results don't depend on selection
    model, shape, opset = MODELS[name]()
    calibrate_batch_norm(model, shape)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(True)
    torch.manual_seed(0)
    x = torch.randn(*shape)
    path = os.path.join(out_dir, name + ".onnx")
    dyn = {"input": {0: "N"}, "output": {0: "N"}} if dynamic_batch else None
    # enable_grad: see module docstring (disables the transformer fast path).
    with torch.enable_grad():
        torch.onnx.export(
            model, (x,), path,
            input_names=["input"], output_names=["output"],
            dynamic_axes=dyn, opset_version=opset,
            do_constant_folding=True, export_params=True,
            training=torch.onnx.TrainingMode.EVAL, verbose=False)
    check_no_opaque_ops(path)
    print("wrote %s (opset %d, input %s%s, %d bytes)" % (
        path, opset, "x".join(map(str, shape)),
        ", dynamic batch N" if dynamic_batch else "", os.path.getsize(path)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--models", default=",".join(MODELS),
                    help="comma-separated subset of: " + ",".join(MODELS))
    ap.add_argument("--dynamic-batch", action="store_true",
                    help="make dim 0 of input/output the dynamic axis 'N'")
    args = ap.parse_args(argv)
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        ap.error("unknown model(s): %s" % ", ".join(unknown))
    os.makedirs(args.out_dir, exist_ok=True)
    for n in names:
        export(n, args.out_dir, args.dynamic_batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
