//===- NodeImporter.h - per-node import context and op table ----*- C++ -*-===//
//
// Each ONNX op is imported by a small function registered in a table keyed
// by (domain, op type, since-version), in the style of torch-mlir's
// `onOp("Name", since, fn)`. The function receives a NodeImporter, which
// gives typed access to the node's inputs and attributes, builds tessera ops
// with constant folding, and reports errors that name the node.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_LIB_FRONTEND_ONNX_NODEIMPORTER_H
#define TESSERA_LIB_FRONTEND_ONNX_NODEIMPORTER_H

#include "tessera/Dialect/Tessera/IR/TesseraOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

#include <functional>
#include <map>

namespace mlir::tessera::onnx_frontend {

class NodeImporter;

/// How diagnostics name a node: "node 'conv1' (Conv)", or for an unnamed
/// node "node producing 'y' (Conv)".
std::string describeNode(const onnx::NodeProto &node);

using OpImportFn = std::function<LogicalResult(NodeImporter &)>;

/// The table of per-op importers. An entry registered with `since` handles
/// opset versions from `since` up to the next entry of the same op.
class OpImporterRegistry {
public:
  void onOp(llvm::StringRef opType, int64_t since, OpImportFn fn,
            llvm::StringRef domain = "");

  /// The importer for `opType` at `opset`, or null if there is none.
  const OpImportFn *lookup(llvm::StringRef domain, llvm::StringRef opType,
                           int64_t opset) const;

  /// Every registered (op type, since-version), for documentation.
  std::vector<std::pair<std::string, int64_t>> listOps() const;

  /// The registry holding every category below.
  static const OpImporterRegistry &get();

private:
  // domain + '\0' + op type -> since version -> importer
  llvm::StringMap<std::map<int64_t, OpImportFn>> table;
};

// One function per op category adds its importers.
void registerElementwiseImporters(OpImporterRegistry &registry);
void registerNeuralNetImporters(OpImporterRegistry &registry);
void registerReductionImporters(OpImporterRegistry &registry);
void registerTensorImporters(OpImporterRegistry &registry);
void registerRearrangeImporters(OpImporterRegistry &registry);
void registerQuantizationImporters(OpImporterRegistry &registry);
void registerIndexingImporters(OpImporterRegistry &registry);
void registerRecurrentImporters(OpImporterRegistry &registry);
void registerDataDependentImporters(OpImporterRegistry &registry);
void registerSequenceImporters(OpImporterRegistry &registry);

/// A Conv of `input` and `weight` (plus an optional bias) with the node's
/// Conv attributes (strides, pads/auto_pad, dilations, group); shared by
/// Conv and its quantized forms.
FailureOr<Value> buildConv(NodeImporter &n, Value input, Value weight,
                           Value bias);

/// An ONNX sequence of tensors, tracked at compile time. Its length is
/// always known; each element's position is its index, or (once an insert
/// or erase used a run-time position) a 0-D i64 tensor computed at run time,
/// -1 for an erased element. A null element stands for a piece whose size
/// is only known at run time (SplitToSequence with run-time splits): it
/// counts for the length but cannot be read.
struct SequenceValue {
  SmallVector<Value> elements;
  SmallVector<Value> positions; // empty: element i is at position i
  int64_t length = 0;
  Type elementType;
};

/// Value lookups the graph importer provides to node importers.
class ValueScope {
public:
  virtual ~ValueScope() = default;
  virtual Value lookup(llvm::StringRef name) const = 0;
  /// The sequence called `name`, or null if it is not a sequence.
  virtual const SequenceValue *lookupSequence(llvm::StringRef name) const = 0;
  /// The type ONNX shape inference (or the model) gives `name`, if any.
  virtual RankedTensorType getDeclaredType(llvm::StringRef name) const = 0;
  /// Converts an ONNX tensor (attribute or initializer) to a constant
  /// attribute; errors are reported at `loc`.
  virtual FailureOr<ElementsAttr> convertTensor(const onnx::TensorProto &tensor,
                                                Location loc) const = 0;
};

class NodeImporter {
public:
  NodeImporter(OpBuilder &builder, const onnx::NodeProto &node, int64_t opset,
               Location loc, const ValueScope &scope)
      : builder(builder), node(node), opset(opset), loc(loc), scope(scope) {}

  OpBuilder &getBuilder() { return builder; }
  Location getLoc() const { return loc; }
  int64_t getOpset() const { return opset; }
  const onnx::NodeProto &getNode() const { return node; }
  MLIRContext *getContext() { return builder.getContext(); }

  //===------------------------------------------------------------------===//
  // Diagnostics
  //===------------------------------------------------------------------===//

  /// An error prefixed with "node 'NAME' (OpType): ".
  InFlightDiagnostic emitError();
  LogicalResult fail(const llvm::Twine &message);

  //===------------------------------------------------------------------===//
  // Inputs
  //===------------------------------------------------------------------===//

  /// Number of inputs, counting omitted optional ones in the middle.
  int64_t getNumInputs() const { return node.input_size(); }
  bool hasInput(int64_t index) const {
    return index < node.input_size() && !node.input(index).empty();
  }
  /// The value of input `index`; null when it is absent.
  Value getInput(int64_t index) const;
  RankedTensorType getInputType(int64_t index) const;
  /// Input `index` as a sequence; null when it is absent or a tensor.
  const SequenceValue *getSequenceInput(int64_t index) const;
  /// The constant behind input `index`, if it is one.
  Attribute getConstantInput(int64_t index) const;
  /// Input `index` as int64 values, when it is an integer constant.
  std::optional<SmallVector<int64_t>> getConstantInts(int64_t index) const;
  /// Input `index` as one number, when it is a single-element constant.
  std::optional<double> getConstantScalar(int64_t index) const;

  /// Input `index` as int64 values; fails naming the input when it is not a
  /// constant (this op needs it at compile time).
  FailureOr<SmallVector<int64_t>> requireConstantInts(int64_t index,
                                                      llvm::StringRef what);

  //===------------------------------------------------------------------===//
  // Attributes
  //===------------------------------------------------------------------===//

  const onnx::AttributeProto *findAttr(llvm::StringRef name) const;
  bool hasAttr(llvm::StringRef name) const { return findAttr(name); }
  int64_t getInt(llvm::StringRef name, int64_t defaultValue) const;
  float getFloat(llvm::StringRef name, float defaultValue) const;
  std::string getString(llvm::StringRef name,
                        llvm::StringRef defaultValue) const;
  SmallVector<int64_t> getInts(llvm::StringRef name) const;
  SmallVector<float> getFloats(llvm::StringRef name) const;
  /// A tensor-valued attribute as a constant; fails (with a diagnostic)
  /// when its data cannot be converted.
  FailureOr<ElementsAttr> getTensorAttr(const onnx::TensorProto &tensor);

  //===------------------------------------------------------------------===//
  // Results
  //===------------------------------------------------------------------===//

  int64_t getNumOutputs() const { return node.output_size(); }
  bool hasOutput(int64_t index) const {
    return index < node.output_size() && !node.output(index).empty();
  }
  /// The type ONNX shape inference gives output `index`, or null.
  RankedTensorType getDeclaredOutputType(int64_t index) const;
  /// The declared type of output `index` if it is fully static, else null.
  /// Importers use it when a shape-defining input is only known at run time
  /// (the model then promises the shape; the run-time value is not checked
  /// against it).
  RankedTensorType getStaticDeclaredOutputType(int64_t index) const;

  void setResult(int64_t index, Value value);
  ArrayRef<std::pair<int64_t, Value>> getResults() const { return results; }
  void setSequenceResult(int64_t index, SequenceValue sequence);
  ArrayRef<std::pair<int64_t, SequenceValue>> getSequenceResults() const {
    return sequenceResults;
  }

  /// Fails unless the node has exactly these many used outputs
  /// (optional outputs this importer does not produce must be unused).
  LogicalResult checkUnusedOutputsFrom(int64_t firstUnsupported);

  //===------------------------------------------------------------------===//
  // Building
  //===------------------------------------------------------------------===//

  /// Builds a single-result op (folding it when its operands are constant).
  template <typename OpTy, typename... Args>
  Value create(Args &&...args) {
    return builder.createOrFold<OpTy>(loc, std::forward<Args>(args)...);
  }

  /// A constant of type `type` holding `values`.
  Value constantInts(ArrayRef<int64_t> values);
  Value constantScalar(Type elementType, double value);
  /// A constant i64 tensor of `shape`'s rank, of size `shape[dim]` along
  /// `dim` and 1 elsewhere, holding each element's index along `dim` (an
  /// iota that broadcasts against a tensor of `shape`).
  Value indexGrid(ArrayRef<int64_t> shape, int64_t dim);

  /// `axis` in [-rank, rank) normalized to [0, rank).
  FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                   llvm::StringRef what = "axis");

  /// Reshapes `value` to `resultShape`, where `sources[i]` is the input
  /// dimension result dimension i copies (or -1 when it is
  /// `resultShape[i]`, a static size). Dynamic dimensions are computed at
  /// run time from the input's shape.
  Value reshapeWithDims(Value value, ArrayRef<int64_t> resultShape,
                        ArrayRef<int64_t> sources);

  /// `value` with `count` unit dimensions appended, so that numpy
  /// broadcasting lines its dimensions up with an earlier axis of a
  /// higher-rank tensor (a per-channel vector C -> C x 1 x 1).
  Value appendUnitDims(Value value, int64_t count);

private:
  OpBuilder &builder;
  const onnx::NodeProto &node;
  int64_t opset;
  Location loc;
  const ValueScope &scope;
  SmallVector<std::pair<int64_t, Value>> results;
  SmallVector<std::pair<int64_t, SequenceValue>> sequenceResults;
};

} // namespace mlir::tessera::onnx_frontend

#endif // TESSERA_LIB_FRONTEND_ONNX_NODEIMPORTER_H
