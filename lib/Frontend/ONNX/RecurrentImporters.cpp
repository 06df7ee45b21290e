//===- RecurrentImporters.cpp - RNN, GRU and LSTM unrolled over time ----===//
//
// The recurrent ops are unrolled over their (static) sequence length into
// tessera matmuls, gates and selects. The input projection of every time
// step is one matmul up front; each step then only multiplies the hidden
// state by the recurrence weights. Unrolling keeps the later passes (fusion,
// buffer planning) working on plain ops; it needs a static sequence length
// and grows the IR linearly with it.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::onnx_frontend;

namespace {

enum class CellKind { RNN, GRU, LSTM };

struct Activation {
  std::string name;
  std::optional<float> alpha, beta;
};

/// Slices, reshapes and element-wise math on static tensors of one node.
class RecurrentBuilder {
public:
  explicit RecurrentBuilder(NodeImporter &n) : n(n), b(n.getBuilder()) {}

  Value slice(Value v, int64_t axis, int64_t start, int64_t end) {
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> starts(type.getRank(), 0), ends(type.getShape()),
        steps(type.getRank(), 1);
    starts[axis] = start;
    ends[axis] = end;
    return n.create<SliceOp>(v, b.getDenseI64ArrayAttr(starts),
                             b.getDenseI64ArrayAttr(ends),
                             b.getDenseI64ArrayAttr(steps));
  }
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    auto type = cast<RankedTensorType>(v.getType());
    return n.create<ReshapeOp>(
        RankedTensorType::get(shape, type.getElementType()), v, Value());
  }
  Value transpose(Value v, ArrayRef<int64_t> perm) {
    return n.create<TransposeOp>(v, b.getDenseI64ArrayAttr(perm));
  }
  Value concat(ValueRange values, int64_t axis) {
    if (values.size() == 1)
      return values.front();
    return n.create<ConcatOp>(values, b.getI64IntegerAttr(axis));
  }
  Value add(Value x, Value y) { return n.create<AddOp>(x, y); }
  Value mul(Value x, Value y) { return n.create<MulOp>(x, y); }
  Value matmul(Value x, Value y) { return n.create<MatMulOp>(x, y); }
  Value scalar(Type element, double value) {
    return n.constantScalar(element, value);
  }

  /// Applies `act` to `x`, clipping its input to [-clip, clip] first.
  FailureOr<Value> activate(const Activation &act, Value x,
                            std::optional<float> clip) {
    if (clip)
      x = n.create<ClipOp>(x, b.getF64FloatAttr(-*clip),
                           b.getF64FloatAttr(*clip));
    Type element = cast<RankedTensorType>(x.getType()).getElementType();
    llvm::StringRef name = act.name;
    auto alpha = [&](float d) { return b.getF32FloatAttr(act.alpha.value_or(d)); };
    if (name.equals_insensitive("Tanh"))
      return n.create<TanhOp>(x);
    if (name.equals_insensitive("Sigmoid"))
      return n.create<SigmoidOp>(x);
    if (name.equals_insensitive("Relu"))
      return n.create<ReluOp>(x);
    if (name.equals_insensitive("LeakyRelu"))
      return n.create<LeakyReluOp>(x, alpha(0.01f));
    if (name.equals_insensitive("ThresholdedRelu"))
      return n.create<ThresholdedReluOp>(x, alpha(1.0f));
    if (name.equals_insensitive("Elu"))
      return n.create<EluOp>(x, alpha(1.0f));
    if (name.equals_insensitive("HardSigmoid"))
      return n.create<HardSigmoidOp>(x, alpha(0.2f),
                                     b.getF32FloatAttr(act.beta.value_or(0.5f)));
    if (name.equals_insensitive("Softsign"))
      return n.create<SoftsignOp>(x);
    if (name.equals_insensitive("Softplus"))
      return n.create<SoftplusOp>(x);
    if (name.equals_insensitive("Affine"))
      return add(mul(x, scalar(element, act.alpha.value_or(1.0f))),
                 scalar(element, act.beta.value_or(0.0f)));
    if (name.equals_insensitive("ScaledTanh"))
      return mul(n.create<TanhOp>(
                     mul(x, scalar(element, act.beta.value_or(1.0f)))),
                 scalar(element, act.alpha.value_or(1.0f)));
    return n.fail("unsupported activation '" + act.name + "'");
  }

private:
  NodeImporter &n;
  OpBuilder &b;
};

} // namespace

/// The activations of every direction: `perDirection` names per direction
/// (defaults when the attribute is absent), alpha/beta consumed in order by
/// the activations that take them.
static FailureOr<SmallVector<Activation>>
readActivations(NodeImporter &n, ArrayRef<llvm::StringRef> defaults,
                int64_t numDirections) {
  SmallVector<Activation> acts;
  if (const onnx::AttributeProto *attr = n.findAttr("activations")) {
    for (const std::string &name : attr->strings())
      acts.push_back({name, std::nullopt, std::nullopt});
    if (static_cast<int64_t>(acts.size()) !=
        static_cast<int64_t>(defaults.size()) * numDirections)
      return n.fail("expected " +
                    llvm::Twine(defaults.size() * numDirections) +
                    " activations");
  } else {
    for (int64_t d = 0; d < numDirections; ++d)
      for (llvm::StringRef name : defaults)
        acts.push_back({name.str(), std::nullopt, std::nullopt});
  }
  SmallVector<float> alphas = n.getFloats("activation_alpha");
  SmallVector<float> betas = n.getFloats("activation_beta");
  size_t nextAlpha = 0, nextBeta = 0;
  for (Activation &act : acts) {
    llvm::StringRef name = act.name;
    bool takesAlpha = llvm::is_contained(
        {"LeakyRelu", "ThresholdedRelu", "Elu", "HardSigmoid", "Affine",
         "ScaledTanh"},
        name);
    bool takesBeta = llvm::is_contained({"HardSigmoid", "Affine", "ScaledTanh"},
                                        name);
    if (takesAlpha && nextAlpha < alphas.size())
      act.alpha = alphas[nextAlpha++];
    if (takesBeta && nextBeta < betas.size())
      act.beta = betas[nextBeta++];
  }
  return acts;
}

static LogicalResult importRecurrent(NodeImporter &n, CellKind kind) {
  RecurrentBuilder rb(n);
  int64_t gates = kind == CellKind::RNN ? 1 : kind == CellKind::GRU ? 3 : 4;
  int64_t hidden = n.getInt("hidden_size", 0);
  int64_t layout = n.getInt("layout", 0);
  std::string direction = n.getString("direction", "forward");
  int64_t numDirections = direction == "bidirectional" ? 2 : 1;
  if (direction != "forward" && direction != "reverse" &&
      direction != "bidirectional")
    return n.fail("unknown direction '" + direction + "'");
  std::optional<float> clip;
  if (n.hasAttr("clip"))
    clip = n.getFloat("clip", 0);
  if (kind == CellKind::LSTM && n.getInt("input_forget", 0) != 0)
    return n.fail("input_forget=1 is not supported");
  bool linearBeforeReset =
      kind == CellKind::GRU && n.getInt("linear_before_reset", 0) != 0;

  RankedTensorType xType = n.getInputType(0);
  if (!xType.hasStaticShape() || xType.getRank() != 3)
    return n.fail("needs a static 3-D input X");
  for (int64_t i : {1, 2})
    if (!n.getInputType(i).hasStaticShape())
      return n.fail("needs static W and R shapes");
  Type element = xType.getElementType();
  Value x = n.getInput(0);
  if (layout == 1)
    x = rb.transpose(x, {1, 0, 2});
  auto xShape = cast<RankedTensorType>(x.getType()).getShape();
  int64_t steps = xShape[0], batch = xShape[1], inputSize = xShape[2];
  if (hidden <= 0)
    hidden = n.getInputType(2).getDimSize(2);
  if (n.getInputType(1).getShape() !=
          ArrayRef<int64_t>{numDirections, gates * hidden, inputSize} ||
      n.getInputType(2).getShape() !=
          ArrayRef<int64_t>{numDirections, gates * hidden, hidden})
    return n.fail("W or R does not match hidden_size, direction and X");

  SmallVector<llvm::StringRef> defaultActs;
  if (kind == CellKind::RNN)
    defaultActs = {"Tanh"};
  else if (kind == CellKind::GRU)
    defaultActs = {"Sigmoid", "Tanh"};
  else
    defaultActs = {"Sigmoid", "Tanh", "Tanh"};
  FailureOr<SmallVector<Activation>> acts =
      readActivations(n, defaultActs, numDirections);
  if (failed(acts))
    return failure();

  // Run-time sequence lengths mask the steps past each batch entry's end;
  // constant lengths equal to the full length need no mask.
  Value seqLens;
  if (n.hasInput(4)) {
    std::optional<SmallVector<int64_t>> lens = n.getConstantInts(4);
    if (!lens || llvm::any_of(*lens, [&](int64_t l) { return l != steps; }))
      seqLens = n.getInput(4);
  }
  if (seqLens && direction != "forward")
    return n.fail("sequence_lens with direction '" + direction +
                  "' is not supported");

  // Initial states per direction, as batch x hidden.
  auto initialState = [&](int64_t input, int64_t dir) -> Value {
    if (!n.hasInput(input))
      return n.create<ConstantOp>(DenseElementsAttr::get(
          RankedTensorType::get({batch, hidden}, element),
          n.getBuilder().getZeroAttr(element)));
    Value state = n.getInput(input);
    int64_t dirAxis = layout == 1 ? 1 : 0;
    return rb.reshape(rb.slice(state, dirAxis, dir, dir + 1), {batch, hidden});
  };

  SmallVector<Value> dirOutputs, dirLastH, dirLastC;
  for (int64_t dir = 0; dir < numDirections; ++dir) {
    bool reverse = direction == "reverse" || dir == 1;
    ArrayRef<Activation> dirActs =
        ArrayRef<Activation>(*acts).slice(dir * defaultActs.size(),
                                          defaultActs.size());
    Value w = rb.reshape(rb.slice(n.getInput(1), 0, dir, dir + 1),
                         {gates * hidden, inputSize});
    Value r = rb.reshape(rb.slice(n.getInput(2), 0, dir, dir + 1),
                         {gates * hidden, hidden});
    Value wBias, rBias;
    if (n.hasInput(3)) {
      Value bias = rb.reshape(rb.slice(n.getInput(3), 0, dir, dir + 1),
                              {2 * gates * hidden});
      wBias = rb.slice(bias, 0, 0, gates * hidden);
      rBias = rb.slice(bias, 0, gates * hidden, 2 * gates * hidden);
    }
    // Every step's input projection at once: steps x batch x gates*hidden.
    Value projected = rb.matmul(x, rb.transpose(w, {1, 0}));
    if (wBias)
      projected = rb.add(projected, wBias);
    Value h = initialState(5, dir);
    Value c = kind == CellKind::LSTM ? initialState(6, dir) : Value();
    Value peepI, peepO, peepF;
    if (kind == CellKind::LSTM && n.hasInput(7)) {
      Value p = rb.reshape(rb.slice(n.getInput(7), 0, dir, dir + 1),
                           {3 * hidden});
      peepI = rb.slice(p, 0, 0, hidden);
      peepO = rb.slice(p, 0, hidden, 2 * hidden);
      peepF = rb.slice(p, 0, 2 * hidden, 3 * hidden);
    }
    auto gate = [&](Value v, int64_t g) {
      return rb.slice(v, 1, g * hidden, (g + 1) * hidden);
    };
    // The recurrence weights, transposed once for every step: all gates
    // (RNN, LSTM), or GRU's update/reset gates and its candidate apart.
    Value rT = kind != CellKind::GRU ? rb.transpose(r, {1, 0}) : Value();
    Value rZRT = kind == CellKind::GRU
                     ? rb.transpose(rb.slice(r, 0, 0, 2 * hidden), {1, 0})
                     : Value();
    Value rHT = kind == CellKind::GRU
                    ? rb.transpose(rb.slice(r, 0, 2 * hidden, 3 * hidden),
                                   {1, 0})
                    : Value();

    SmallVector<Value> outputs(steps);
    for (int64_t i = 0; i < steps; ++i) {
      int64_t t = reverse ? steps - 1 - i : i;
      Value xt = rb.reshape(rb.slice(projected, 0, t, t + 1),
                            {batch, gates * hidden});
      Value newH, newC;
      if (kind == CellKind::RNN) {
        Value pre = rb.add(xt, rb.matmul(h, rT));
        if (rBias)
          pre = rb.add(pre, rBias);
        FailureOr<Value> act = rb.activate(dirActs[0], pre, clip);
        if (failed(act))
          return failure();
        newH = *act;
      } else if (kind == CellKind::GRU) {
        // z and r gates share one matmul; the candidate uses the reset.
        Value zr = rb.matmul(h, rZRT);
        if (rBias)
          zr = rb.add(zr, rb.slice(rBias, 0, 0, 2 * hidden));
        FailureOr<Value> z =
            rb.activate(dirActs[0], rb.add(gate(xt, 0), gate(zr, 0)), clip);
        FailureOr<Value> reset =
            rb.activate(dirActs[0], rb.add(gate(xt, 1), gate(zr, 1)), clip);
        if (failed(z) || failed(reset))
          return failure();
        Value hBias = rBias ? rb.slice(rBias, 0, 2 * hidden, 3 * hidden)
                            : Value();
        Value candidateIn;
        if (linearBeforeReset) {
          Value hr = rb.matmul(h, rHT);
          if (hBias)
            hr = rb.add(hr, hBias);
          candidateIn = rb.add(gate(xt, 2), rb.mul(*reset, hr));
        } else {
          Value hr = rb.matmul(rb.mul(*reset, h), rHT);
          if (hBias)
            hr = rb.add(hr, hBias);
          candidateIn = rb.add(gate(xt, 2), hr);
        }
        FailureOr<Value> candidate = rb.activate(dirActs[1], candidateIn, clip);
        if (failed(candidate))
          return failure();
        // (1 - z) * candidate + z * h
        Value oneMinusZ = n.create<SubOp>(rb.scalar(element, 1.0), *z);
        newH = rb.add(rb.mul(oneMinusZ, *candidate), rb.mul(*z, h));
      } else {
        Value pre = rb.add(xt, rb.matmul(h, rT));
        if (rBias)
          pre = rb.add(pre, rBias);
        Value inPre = gate(pre, 0), outPre = gate(pre, 1),
              forgetPre = gate(pre, 2), cellPre = gate(pre, 3);
        if (peepI) {
          inPre = rb.add(inPre, rb.mul(peepI, c));
          forgetPre = rb.add(forgetPre, rb.mul(peepF, c));
        }
        FailureOr<Value> in = rb.activate(dirActs[0], inPre, clip);
        FailureOr<Value> forget = rb.activate(dirActs[0], forgetPre, clip);
        FailureOr<Value> cell = rb.activate(dirActs[1], cellPre, clip);
        if (failed(in) || failed(forget) || failed(cell))
          return failure();
        newC = rb.add(rb.mul(*forget, c), rb.mul(*in, *cell));
        if (peepO)
          outPre = rb.add(outPre, rb.mul(peepO, newC));
        FailureOr<Value> out = rb.activate(dirActs[0], outPre, clip);
        FailureOr<Value> cellOut = rb.activate(dirActs[2], newC, std::nullopt);
        if (failed(out) || failed(cellOut))
          return failure();
        newH = rb.mul(*out, *cellOut);
      }
      Value output = newH;
      if (seqLens) {
        // Steps at or past an entry's length keep its state and output 0.
        Value live = rb.reshape(
            n.create<LessOp>(
                n.constantScalar(
                    cast<RankedTensorType>(seqLens.getType()).getElementType(),
                    t),
                seqLens),
            {batch, 1});
        output = n.create<WhereOp>(live, newH, rb.scalar(element, 0));
        newH = n.create<WhereOp>(live, newH, h);
        if (newC)
          newC = n.create<WhereOp>(live, newC, c);
      }
      h = newH;
      c = newC;
      outputs[t] = rb.reshape(output, {1, 1, batch, hidden});
    }
    dirOutputs.push_back(rb.concat(outputs, 0));
    dirLastH.push_back(rb.reshape(h, {1, batch, hidden}));
    if (c)
      dirLastC.push_back(rb.reshape(c, {1, batch, hidden}));
  }

  // Outputs: Y is steps x dirs x batch x hidden (layout 1: batch x steps x
  // dirs x hidden); Y_h and Y_c are dirs x batch x hidden (batch first).
  Value y = rb.concat(dirOutputs, 1);
  Value lastH = rb.concat(dirLastH, 0);
  if (layout == 1) {
    y = rb.transpose(y, {2, 0, 1, 3});
    lastH = rb.transpose(lastH, {1, 0, 2});
  }
  if (n.hasOutput(0))
    n.setResult(0, y);
  if (n.hasOutput(1))
    n.setResult(1, lastH);
  if (kind == CellKind::LSTM && n.hasOutput(2)) {
    Value lastC = rb.concat(dirLastC, 0);
    if (layout == 1)
      lastC = rb.transpose(lastC, {1, 0, 2});
    n.setResult(2, lastC);
  }
  return success();
}

void onnx_frontend::registerRecurrentImporters(OpImporterRegistry &r) {
  r.onOp("RNN", 7, [](NodeImporter &n) {
    return importRecurrent(n, CellKind::RNN);
  });
  r.onOp("GRU", 7, [](NodeImporter &n) {
    return importRecurrent(n, CellKind::GRU);
  });
  r.onOp("LSTM", 7, [](NodeImporter &n) {
    return importRecurrent(n, CellKind::LSTM);
  });
}
