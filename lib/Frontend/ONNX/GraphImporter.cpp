//===- GraphImporter.cpp - ONNX graph to func.func --------------*- C++ -*-===//
//
// Builds `func.func @main` from a loaded model: graph inputs become
// arguments, initializers become constants, each node goes through its
// table entry, and graph outputs become results. Every value's type comes
// from the tessera ops' own inference, refined by ONNX's where ONNX knows
// more; a conflict between the two is an error naming the node.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/ONNX/Importer.h"

#include "ModelLoader.h"
#include "NodeImporter.h"
#include "TensorConversion.h"

#include "tessera/Dialect/Tessera/IR/TesseraOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::onnx_frontend;

std::string onnx_frontend::addInputShape(llvm::StringRef spec,
                                         ImportOptions &options) {
  auto [name, dimsText] = spec.rsplit('=');
  if (name.empty() || dimsText.empty() || !spec.contains('='))
    return "expected NAME=D0xD1x..., got '" + spec.str() + "'";
  SmallVector<int64_t> dims;
  SmallVector<llvm::StringRef> parts;
  dimsText.split(parts, 'x');
  for (llvm::StringRef part : parts) {
    int64_t size;
    if (part == "?")
      dims.push_back(ShapedType::kDynamic);
    else if (!part.getAsInteger(10, size) && size >= 0)
      dims.push_back(size);
    else
      return "bad dimension '" + part.str() + "' in --input-shape '" +
             spec.str() + "'";
  }
  options.inputShapes[name] = dims;
  return "";
}

void onnx_frontend::registerImporterDialects(DialectRegistry &registry) {
  registry.insert<TesseraDialect, func::FuncDialect>();
}

namespace {

class GraphImporter : public ValueScope {
public:
  GraphImporter(MLIRContext *ctx, const onnx::ModelProto &model,
                llvm::StringRef sourceName, llvm::StringRef baseDirectory)
      : ctx(ctx), model(model), opset(getDefaultOpset(model)),
        sourceName(sourceName.str()),
        baseDirectory(baseDirectory.str()), builder(ctx) {}

  OwningOpRef<ModuleOp> run();

  Value lookup(llvm::StringRef name) const override {
    return values.lookup(name);
  }
  const SequenceValue *lookupSequence(llvm::StringRef name) const override {
    auto it = sequences.find(name);
    return it == sequences.end() ? nullptr : &it->second;
  }
  RankedTensorType getDeclaredType(llvm::StringRef name) const override {
    return declaredTypes.lookup(name);
  }
  FailureOr<ElementsAttr> convertTensor(const onnx::TensorProto &tensor,
                                        Location loc) const override {
    return convertTensorProto(tensor, baseDirectory, loc);
  }

private:
  Location nameLoc(llvm::StringRef name) {
    return NameLoc::get(StringAttr::get(ctx, name),
                        FileLineColLoc::get(ctx, sourceName, 0, 0));
  }
  void collectDeclaredTypes();
  LogicalResult importNode(const onnx::NodeProto &node);
  LogicalResult bindResult(NodeImporter &importer, int64_t index, Value value);
  bool hasDataDependentShape(Value value);

  MLIRContext *ctx;
  const onnx::ModelProto &model;
  int64_t opset;
  std::string sourceName;
  std::string baseDirectory;
  OpBuilder builder;
  llvm::StringMap<Value> values;
  llvm::StringMap<SequenceValue> sequences;
  llvm::StringMap<RankedTensorType> declaredTypes;
  llvm::DenseMap<Value, bool> dataDependentShapes;
};

} // namespace

void GraphImporter::collectDeclaredTypes() {
  const onnx::GraphProto &graph = model.graph();
  for (const auto *list : {&graph.input(), &graph.value_info(), &graph.output()})
    for (const onnx::ValueInfoProto &info : *list)
      if (RankedTensorType type = convertTensorType(ctx, info.type()))
        declaredTypes[info.name()] = type;
}

/// Dimensions ONNX declares symbolically ("N"), as a function argument
/// attribute; null when there are none.
static ArrayAttr symbolicDims(MLIRContext *ctx, const onnx::TypeProto &type) {
  SmallVector<Attribute> names;
  bool any = false;
  for (const auto &dim : type.tensor_type().shape().dim()) {
    any |= dim.has_dim_param() && !dim.dim_param().empty();
    names.push_back(StringAttr::get(ctx, dim.dim_param()));
  }
  return any ? ArrayAttr::get(ctx, names) : ArrayAttr();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  const onnx::GraphProto &graph = model.graph();
  Location graphLoc = nameLoc(graph.name().empty() ? "graph" : graph.name());
  collectDeclaredTypes();

  OwningOpRef<ModuleOp> module = ModuleOp::create(graphLoc);
  module->getOperation()->setAttr("tessera.source",
                                  StringAttr::get(ctx, sourceName));
  module->getOperation()->setAttr(
      "tessera.opset", builder.getI64IntegerAttr(opset));
  if (!model.producer_name().empty())
    module->getOperation()->setAttr(
        "tessera.producer",
        StringAttr::get(ctx, model.producer_name() + " " +
                                 model.producer_version()));

  // Initializers are weights, even when also listed as graph inputs.
  llvm::StringSet<> initializerNames;
  for (const onnx::TensorProto &tensor : graph.initializer())
    initializerNames.insert(tensor.name());

  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializerNames.contains(input.name()))
      continue;
    RankedTensorType type = convertTensorType(ctx, input.type());
    if (!type) {
      emitError(nameLoc(input.name()))
          << "graph input '" << input.name()
          << "' is not a tensor of known rank and supported element type";
      return nullptr;
    }
    argTypes.push_back(type);
    args.push_back(&input);
  }

  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, graphLoc, "main",
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, input] : llvm::enumerate(args)) {
    func.setArgAttr(i, "tessera.name", builder.getStringAttr(input->name()));
    if (ArrayAttr dims = symbolicDims(ctx, input->type()))
      func.setArgAttr(i, "tessera.symbolic_dims", dims);
    values[input->name()] = entry->getArgument(i);
  }
  builder.setInsertionPointToStart(entry);

  for (const onnx::TensorProto &tensor : graph.initializer()) {
    Location loc = nameLoc(tensor.name());
    FailureOr<ElementsAttr> attr = convertTensor(tensor, loc);
    if (failed(attr))
      return nullptr;
    values[tensor.name()] = ConstantOp::create(builder, loc, *attr);
  }

  for (const onnx::NodeProto &node : graph.node())
    if (failed(importNode(node)))
      return nullptr;

  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Value value = values.lookup(output.name());
    if (!value) {
      emitError(nameLoc(output.name()))
          << "graph output '" << output.name()
          << "' is a sequence; sequences are supported inside the graph only";
      return nullptr;
    }
    results.push_back(value);
  }
  func::ReturnOp::create(builder, graphLoc, results);
  func.setFunctionType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(graph.output())) {
    func.setResultAttr(i, "tessera.name", builder.getStringAttr(output.name()));
    if (ArrayAttr dims = symbolicDims(ctx, output.type()))
      func.setResultAttr(i, "tessera.symbolic_dims", dims);
  }

  if (failed(verify(*module)))
    return nullptr;
  return module;
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node) {
  Location loc =
      nameLoc(node.name().empty() ? node.op_type() + "_" + node.output(0)
                                  : node.name());
  const OpImportFn *fn = OpImporterRegistry::get().lookup(
      node.domain(), node.op_type(), opset);
  assert(fn && "unsupported ops are rejected before import");
  NodeImporter importer(builder, node, opset, loc, *this);
  if (failed((*fn)(importer)))
    return failure();
  for (auto [index, value] : importer.getResults())
    if (failed(bindResult(importer, index, value)))
      return failure();
  for (const auto &[index, sequence] : importer.getSequenceResults())
    sequences[node.output(index)] = sequence;
  for (int64_t i = 0; i < node.output_size(); ++i)
    if (!node.output(i).empty() && !values.count(node.output(i)) &&
        !sequences.count(node.output(i)))
      return importer.fail("output " + llvm::Twine(i) + " ('" +
                           node.output(i) + "') is not supported");
  return success();
}

/// Whether `value`'s type may be replaced by a more static one without
/// breaking its defining op: not for arguments, and not for ops whose
/// result type is tied to their operands'.
static bool canRefineType(Value value) {
  Operation *op = value.getDefiningOp();
  return op && !op->hasTrait<OpTrait::SameOperandsAndResultType>() &&
         !op->hasTrait<OpTrait::SameOperandsAndResultShape>() &&
         !isa<ConstantOp, BatchNormOp, LayerNormOp>(op);
}

/// Whether a dynamic dimension of `value` is a size computed from data
/// (NonZero, run-time Range, NonMaxSuppression, or an op fed by one). Such values keep their
/// dynamic type: a static size the model declares describes only the data
/// it was exported with.
bool GraphImporter::hasDataDependentShape(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  Operation *op = value.getDefiningOp();
  if (!type || type.hasStaticShape() || !op)
    return false;
  if (isa<NonZeroOp, RangeOp, NonMaxSuppressionOp>(op))
    return true;
  auto [it, inserted] = dataDependentShapes.try_emplace(value, false);
  if (!inserted)
    return it->second;
  bool result = llvm::any_of(op->getOperands(), [&](Value operand) {
    return hasDataDependentShape(operand);
  });
  dataDependentShapes[value] = result;
  return result;
}

LogicalResult GraphImporter::bindResult(NodeImporter &importer, int64_t index,
                                        Value value) {
  const std::string &name = importer.getNode().output(index);
  auto ours = cast<RankedTensorType>(value.getType());
  if (RankedTensorType declared = declaredTypes.lookup(name)) {
    bool compatible = declared.getElementType() == ours.getElementType() &&
                      declared.getRank() == ours.getRank();
    for (int64_t d = 0; compatible && d < ours.getRank(); ++d)
      compatible = ours.isDynamicDim(d) || declared.isDynamicDim(d) ||
                   ours.getDimSize(d) == declared.getDimSize(d);
    if (!compatible)
      return importer.emitError()
             << "inconsistent types for output '" << name << "': the model "
             << "says " << declared << ", the operation produces " << ours;
    if (declared != ours && areRefinedTypes(TypeRange{ours}, TypeRange{declared}) &&
        canRefineType(value) && !hasDataDependentShape(value)) {
      value.setType(declared);
    }
  }
  values[name] = value;
  return success();
}

OwningOpRef<ModuleOp> onnx_frontend::importModelBuffer(
    MLIRContext *context, llvm::StringRef buffer, llvm::StringRef sourceName,
    llvm::StringRef baseDirectory, const ImportOptions &options) {
  context->loadDialect<TesseraDialect, func::FuncDialect>();
  Location loc = FileLineColLoc::get(context, sourceName, 0, 0);
  onnx::ModelProto model;
  if (failed(loadModel(buffer, sourceName, baseDirectory, options, loc, model)))
    return nullptr;
  return GraphImporter(context, model, sourceName, baseDirectory).run();
}

OwningOpRef<ModuleOp>
onnx_frontend::importModelFile(MLIRContext *context, llvm::StringRef path,
                               const ImportOptions &options) {
  // Large models are memory-mapped rather than read into a copy.
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!file) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot read '" << path << "': " << file.getError().message();
    return nullptr;
  }
  llvm::SmallString<256> directory(path);
  llvm::sys::path::remove_filename(directory);
  if (directory.empty())
    directory = ".";
  return importModelBuffer(context, (*file)->getBuffer(), path, directory,
                           options);
}
