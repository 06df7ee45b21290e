//===- Signature.cpp - package signature and metadata text ----------------===//

#include "tessera/Codegen/Passes.h"
#include "tessera/Package/Package.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::package;

static std::string getDTypeName(Type type) {
  if (type.isF32())
    return "float32";
  if (type.isF64())
    return "float64";
  if (type.isF16())
    return "float16";
  if (type.isBF16())
    return "bfloat16";
  if (auto intType = dyn_cast<IntegerType>(type)) {
    if (intType.getWidth() == 1)
      return "bool";
    std::string prefix = intType.isUnsigned() ? "uint" : "int";
    return prefix + std::to_string(intType.getWidth());
  }
  return "";
}

static FailureOr<TensorSignature> describe(Type type, DictionaryAttr attrs,
                                           Location loc, StringRef what,
                                           unsigned index) {
  TensorSignature tensor;
  if (auto name = attrs ? attrs.getAs<StringAttr>("tessera.name") : nullptr)
    tensor.name = name.str();
  else
    tensor.name = (what + std::to_string(index)).str();
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked)
    return emitError(loc) << what << " '" << tensor.name
                          << "' is not a ranked tensor";
  tensor.dtype = getDTypeName(ranked.getElementType());
  if (tensor.dtype.empty())
    return emitError(loc) << what << " '" << tensor.name
                          << "' has element type " << ranked.getElementType()
                          << ", which packages cannot carry";
  ArrayAttr symbols =
      attrs ? attrs.getAs<ArrayAttr>("tessera.symbolic_dims") : nullptr;
  for (int64_t d = 0; d < ranked.getRank(); ++d) {
    tensor.dims.push_back(ranked.isDynamicDim(d) ? -1 : ranked.getDimSize(d));
    std::string symbol;
    if (ranked.isDynamicDim(d) && symbols && d < (int64_t)symbols.size())
      if (auto s = dyn_cast<StringAttr>(symbols[d]))
        symbol = s.str();
    tensor.symbols.push_back(symbol);
  }
  return tensor;
}

FailureOr<Signature> package::collectSignature(ModuleOp module) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return module.emitError("the module has no entry function @main");
  Signature signature;
  // The importer names the module's location after the ONNX graph.
  if (auto graphLoc = dyn_cast<NameLoc>(module.getLoc()))
    signature.name = graphLoc.getName().str();
  else if (auto source = module->getAttrOfType<StringAttr>("tessera.source"))
    signature.name = llvm::sys::path::stem(source.getValue()).str();
  FunctionType type = main.getFunctionType();
  for (unsigned i = 0; i < type.getNumInputs(); ++i) {
    FailureOr<TensorSignature> tensor = describe(
        type.getInput(i), main.getArgAttrDict(i), main.getLoc(), "input", i);
    if (failed(tensor))
      return failure();
    signature.inputs.push_back(*tensor);
  }
  for (unsigned i = 0; i < type.getNumResults(); ++i) {
    FailureOr<TensorSignature> tensor = describe(
        type.getResult(i), main.getResultAttrDict(i), main.getLoc(), "output", i);
    if (failed(tensor))
      return failure();
    signature.outputs.push_back(*tensor);
  }
  return signature;
}

/// Escapes every byte outside [A-Za-z0-9_.:/+-] as %XX.
static std::string escape(StringRef text) {
  std::string out;
  for (unsigned char c : text) {
    if (llvm::isAlnum(c) || StringRef("_.:/+-").contains(c)) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    out.push_back('%');
    out += llvm::utohexstr(c, /*LowerCase=*/false, /*Width=*/2);
  }
  return out;
}

std::vector<KernelLabel> package::getKernelLabels(ModuleOp module) {
  std::vector<KernelLabel> labels;
  auto records = module->getAttrOfType<ArrayAttr>(kKernelLabelsAttr);
  if (!records)
    return labels;
  // A NUL, which the runtime refuses in names, would make a package whose
  // labels merely inform unloadable: it is dropped.
  auto withoutNul = [](StringAttr text) {
    std::string result = text ? text.str() : "";
    llvm::erase(result, '\0');
    return result;
  };
  for (auto record : records.getAsRange<ArrayAttr>()) {
    auto kind = record.size() == 2 ? dyn_cast<StringAttr>(record[0]) : nullptr;
    auto node = record.size() == 2 ? dyn_cast<StringAttr>(record[1]) : nullptr;
    std::string kindText = withoutNul(kind);
    labels.push_back({kindText.empty() ? "loops" : kindText, withoutNul(node)});
  }
  return labels;
}

std::string package::formatMetadata(const Signature &signature,
                                    int64_t arenaBytes,
                                    const WeightsLayout &weights,
                                    ArrayRef<KernelLabel> kernels) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "tessera-package 1\n";
  os << "name " << escape(signature.name) << "\n";
  os << "arena " << arenaBytes << "\n";
  if (weights.storage == WeightsLayout::Storage::Embedded)
    os << "weights embedded " << weights.bytes << "\n";
  else
    os << "weights external " << escape(weights.externalFile) << " "
       << weights.bytes << "\n";
  for (const WeightsLayout::PackedOperand &operand : weights.packedOperands)
    os << "packed " << (operand.isB ? "b" : "a") << " " << operand.panel << " "
       << operand.source << " " << operand.ld << " " << operand.rows << " "
       << operand.cols << " " << operand.packed << "\n";
  auto writeTensor = [&](StringRef kind, const TensorSignature &tensor) {
    os << kind << " " << escape(tensor.name) << " " << tensor.dtype << " "
       << tensor.dims.size();
    for (size_t d = 0; d < tensor.dims.size(); ++d) {
      if (tensor.dims[d] >= 0)
        os << " " << tensor.dims[d];
      else
        os << " ?" << escape(tensor.symbols[d]);
    }
    os << "\n";
  };
  for (const TensorSignature &tensor : signature.inputs)
    writeTensor("input", tensor);
  for (const TensorSignature &tensor : signature.outputs)
    writeTensor("output", tensor);
  for (const KernelLabel &kernel : kernels) {
    os << "kernel " << escape(kernel.kind);
    if (!kernel.node.empty())
      os << " " << escape(kernel.node);
    os << "\n";
  }
  return text;
}
