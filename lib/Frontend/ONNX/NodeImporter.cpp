//===- NodeImporter.cpp - per-node import context and op table --*- C++ -*-===//

#include "NodeImporter.h"

#include "tessera/Dialect/Tessera/IR/TesseraConstants.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::onnx_frontend;

//===----------------------------------------------------------------------===//
// OpImporterRegistry
//===----------------------------------------------------------------------===//

static std::string tableKey(llvm::StringRef domain, llvm::StringRef opType) {
  // "ai.onnx" and "" are the same default domain.
  if (domain == "ai.onnx")
    domain = "";
  return (domain + llvm::Twine('\0') + opType).str();
}

void OpImporterRegistry::onOp(llvm::StringRef opType, int64_t since,
                              OpImportFn fn, llvm::StringRef domain) {
  table[tableKey(domain, opType)][since] = std::move(fn);
}

const OpImportFn *OpImporterRegistry::lookup(llvm::StringRef domain,
                                             llvm::StringRef opType,
                                             int64_t opset) const {
  auto it = table.find(tableKey(domain, opType));
  if (it == table.end())
    return nullptr;
  auto version = it->second.upper_bound(opset);
  if (version == it->second.begin())
    return nullptr;
  return &std::prev(version)->second;
}

std::vector<std::pair<std::string, int64_t>>
OpImporterRegistry::listOps() const {
  std::vector<std::pair<std::string, int64_t>> ops;
  for (const auto &entry : table) {
    llvm::StringRef key = entry.getKey();
    llvm::StringRef opType = key.split('\0').second;
    for (const auto &version : entry.getValue())
      ops.emplace_back(opType.str(), version.first);
  }
  llvm::sort(ops);
  return ops;
}

const OpImporterRegistry &OpImporterRegistry::get() {
  static const OpImporterRegistry registry = [] {
    OpImporterRegistry r;
    registerElementwiseImporters(r);
    registerNeuralNetImporters(r);
    registerReductionImporters(r);
    registerTensorImporters(r);
    registerRearrangeImporters(r);
    registerQuantizationImporters(r);
    registerIndexingImporters(r);
    registerRecurrentImporters(r);
    registerDataDependentImporters(r);
    registerSequenceImporters(r);
    return r;
  }();
  return registry;
}

//===----------------------------------------------------------------------===//
// NodeImporter
//===----------------------------------------------------------------------===//

std::string onnx_frontend::describeNode(const onnx::NodeProto &node) {
  std::string label;
  if (!node.name().empty())
    label = "node '" + node.name() + "'";
  else if (node.output_size() > 0)
    label = "node producing '" + node.output(0) + "'";
  else
    label = "unnamed node";
  return label + " (" + node.op_type() + ")";
}

InFlightDiagnostic NodeImporter::emitError() {
  InFlightDiagnostic diag = mlir::emitError(loc);
  diag << describeNode(node) << ": ";
  return diag;
}

LogicalResult NodeImporter::fail(const llvm::Twine &message) {
  return emitError() << message;
}

Value NodeImporter::getInput(int64_t index) const {
  if (!hasInput(index))
    return {};
  return scope.lookup(node.input(index));
}

const SequenceValue *NodeImporter::getSequenceInput(int64_t index) const {
  if (!hasInput(index))
    return nullptr;
  return scope.lookupSequence(node.input(index));
}

RankedTensorType NodeImporter::getInputType(int64_t index) const {
  Value value = getInput(index);
  return value ? cast<RankedTensorType>(value.getType()) : RankedTensorType();
}

Attribute NodeImporter::getConstantInput(int64_t index) const {
  Value value = getInput(index);
  Attribute attr;
  if (value && matchPattern(value, m_Constant(&attr)))
    return attr;
  return {};
}

std::optional<SmallVector<int64_t>>
NodeImporter::getConstantInts(int64_t index) const {
  return getConstantIntValues(getConstantInput(index));
}

std::optional<double> NodeImporter::getConstantScalar(int64_t index) const {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(getConstantInput(index));
  if (!dense || dense.getNumElements() != 1)
    return std::nullopt;
  if (isa<FloatType>(dense.getElementType()))
    return (*dense.getValues<APFloat>().begin()).convertToDouble();
  if (dense.getElementType().isIntOrIndex()) {
    APInt value = *dense.getValues<APInt>().begin();
    return dense.getElementType().isUnsignedInteger()
               ? static_cast<double>(value.getZExtValue())
               : static_cast<double>(value.getSExtValue());
  }
  return std::nullopt;
}

FailureOr<SmallVector<int64_t>>
NodeImporter::requireConstantInts(int64_t index, llvm::StringRef what) {
  std::optional<SmallVector<int64_t>> values = getConstantInts(index);
  if (!values) {
    return emitError() << what << " (input " << index << ", '"
                       << (hasInput(index) ? node.input(index) : "")
                       << "') must be a compile-time integer constant";
  }
  return *values;
}

const onnx::AttributeProto *NodeImporter::findAttr(llvm::StringRef name) const {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t NodeImporter::getInt(llvm::StringRef name, int64_t defaultValue) const {
  const onnx::AttributeProto *attr = findAttr(name);
  return attr ? attr->i() : defaultValue;
}

float NodeImporter::getFloat(llvm::StringRef name, float defaultValue) const {
  const onnx::AttributeProto *attr = findAttr(name);
  return attr ? attr->f() : defaultValue;
}

std::string NodeImporter::getString(llvm::StringRef name,
                                    llvm::StringRef defaultValue) const {
  const onnx::AttributeProto *attr = findAttr(name);
  return attr ? attr->s() : defaultValue.str();
}

SmallVector<int64_t> NodeImporter::getInts(llvm::StringRef name) const {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return {};
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

SmallVector<float> NodeImporter::getFloats(llvm::StringRef name) const {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return {};
  return SmallVector<float>(attr->floats().begin(), attr->floats().end());
}

FailureOr<ElementsAttr>
NodeImporter::getTensorAttr(const onnx::TensorProto &tensor) {
  return scope.convertTensor(tensor, loc);
}

RankedTensorType NodeImporter::getDeclaredOutputType(int64_t index) const {
  if (!hasOutput(index))
    return {};
  return scope.getDeclaredType(node.output(index));
}

RankedTensorType NodeImporter::getStaticDeclaredOutputType(int64_t index) const {
  RankedTensorType type = getDeclaredOutputType(index);
  return type && type.hasStaticShape() ? type : RankedTensorType();
}

void NodeImporter::setResult(int64_t index, Value value) {
  results.emplace_back(index, value);
}

void NodeImporter::setSequenceResult(int64_t index, SequenceValue sequence) {
  sequenceResults.emplace_back(index, std::move(sequence));
}

LogicalResult NodeImporter::checkUnusedOutputsFrom(int64_t firstUnsupported) {
  for (int64_t i = firstUnsupported; i < node.output_size(); ++i)
    if (!node.output(i).empty())
      return emitError() << "output " << i << " ('" << node.output(i)
                         << "') is not supported";
  return success();
}

Value NodeImporter::indexGrid(ArrayRef<int64_t> shape, int64_t dim) {
  SmallVector<int64_t> positions;
  for (int64_t i = 0; i < shape[dim]; ++i)
    positions.push_back(i);
  SmallVector<int64_t> gridShape(shape.size(), 1);
  gridShape[dim] = shape[dim];
  return create<ReshapeOp>(RankedTensorType::get(gridShape, builder.getI64Type()),
                           constantInts(positions), Value());
}

Value NodeImporter::constantInts(ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    builder.getI64Type());
  return ConstantOp::create(builder, loc,
                            DenseIntElementsAttr::get(type, values));
}

Value NodeImporter::constantScalar(Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  Attribute attr;
  if (isa<FloatType>(elementType))
    attr = DenseElementsAttr::get(type, builder.getFloatAttr(elementType, value));
  else
    attr = DenseElementsAttr::get(
        type, builder.getIntegerAttr(elementType, static_cast<int64_t>(value)));
  return ConstantOp::create(builder, loc, cast<ElementsAttr>(attr));
}

FailureOr<int64_t> NodeImporter::normalizeAxis(int64_t axis, int64_t rank,
                                               llvm::StringRef what) {
  if (axis < -rank || axis >= rank)
    return emitError() << what << " " << axis << " is out of range for rank "
                       << rank;
  return axis < 0 ? axis + rank : axis;
}

Value NodeImporter::appendUnitDims(Value value, int64_t count) {
  if (count <= 0)
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape()), sources;
  for (int64_t d = 0; d < type.getRank(); ++d)
    sources.push_back(type.isDynamicDim(d) ? d : -1);
  shape.append(count, 1);
  sources.append(count, -1);
  return reshapeWithDims(value, shape, sources);
}

Value NodeImporter::reshapeWithDims(Value value, ArrayRef<int64_t> resultShape,
                                    ArrayRef<int64_t> sources) {
  auto inputType = cast<RankedTensorType>(value.getType());
  auto resultType =
      RankedTensorType::get(resultShape, inputType.getElementType());
  if (resultType.hasStaticShape())
    return create<ReshapeOp>(resultType, value, Value());
  // Take each dimension from the input's run-time shape, or a constant.
  Value shape = create<ShapeOp>(value);
  SmallVector<int64_t> literal;
  SmallVector<int64_t> gatherIndices;
  int64_t inputRank = inputType.getRank();
  for (auto [size, source] : llvm::zip(resultShape, sources)) {
    if (source >= 0) {
      gatherIndices.push_back(source);
      continue;
    }
    gatherIndices.push_back(inputRank + literal.size());
    literal.push_back(size);
  }
  Value extended =
      literal.empty()
          ? shape
          : create<ConcatOp>(ValueRange{shape, constantInts(literal)},
                             builder.getI64IntegerAttr(0));
  Value resultDims =
      create<GatherOp>(extended, constantInts(gatherIndices),
                       builder.getI64IntegerAttr(0));
  // The sizes are exact, so a 0 is a size, not "copy the input's".
  return create<ReshapeOp>(resultType, value, resultDims,
                           builder.getBoolAttr(true));
}
