//===- Weights.cpp - the weights blob and the arena size ------------------===//

#include "tessera/Codegen/Passes.h"
#include "tessera/Dialect/Tessera/IR/TesseraConstants.h"
#include "tessera/Package/Package.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cstring>

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::package;

FailureOr<std::vector<char>> package::serializeWeights(ModuleOp module) {
  auto weights = module->getAttrOfType<ArrayAttr>(kWeightsAttr);
  auto offsets = module->getAttrOfType<DenseI64ArrayAttr>(kWeightOffsetsAttr);
  auto size = module->getAttrOfType<IntegerAttr>(kWeightsSizeAttr);
  if (!weights || !offsets || !size)
    return std::vector<char>();
  std::vector<char> blob(size.getInt(), 0);
  for (auto [attr, offset] : llvm::zip(weights, offsets.asArrayRef())) {
    std::optional<ConstantBytes> bytes = ConstantBytes::get(attr);
    if (!bytes || offset + (int64_t)bytes->getData().size() > (int64_t)blob.size())
      return module.emitError("weights blob: cannot serialize a constant of type ")
             << cast<TypedAttr>(attr).getType();
    std::memcpy(blob.data() + offset, bytes->getData().data(),
                bytes->getData().size());
  }
  return blob;
}

std::vector<WeightsLayout::PackedOperand>
package::getPackedOperands(ModuleOp module) {
  std::vector<WeightsLayout::PackedOperand> operands;
  auto records = module->getAttrOfType<ArrayAttr>(kPackedWeightsAttr);
  if (!records)
    return operands;
  for (auto record : records.getAsRange<DenseI64ArrayAttr>()) {
    ArrayRef<int64_t> fields = record.asArrayRef();
    if (fields.size() == 7)
      operands.push_back({fields[0] != 0, fields[1], fields[2], fields[3],
                          fields[4], fields[5], fields[6]});
  }
  return operands;
}

int64_t package::getArenaBytes(ModuleOp module) {
  int64_t bytes = 0;
  module.walk([&](func::FuncOp func) {
    if (auto size = func->getAttrOfType<IntegerAttr>(kArenaSizeAttr))
      bytes = std::max<int64_t>(bytes, size.getInt());
  });
  return bytes;
}

void package::prepareEntryForLowering(ModuleOp module) {
  module->removeAttr(kWeightsAttr);
  module->removeAttr(kWeightOffsetsAttr);
  module->removeAttr(kWeightsSizeAttr);
  module->removeAttr(kPackedWeightsAttr);
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return;
  main.setSymName(kEntryFunctionName);
  // The signature already went into the metadata; LLVM has no use for
  // tessera's argument attributes and would warn about them.
  for (unsigned i = 0; i < main.getNumArguments(); ++i)
    main.setArgAttrs(i, ArrayRef<NamedAttribute>{});
  for (unsigned i = 0; i < main.getNumResults(); ++i)
    main.setResultAttrs(i, ArrayRef<NamedAttribute>{});
  main->removeAttr(kArenaSizeAttr);
  main->setAttr("llvm.emit_c_interface", UnitAttr::get(module.getContext()));
}
