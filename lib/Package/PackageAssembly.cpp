//===- PackageAssembly.cpp - package symbols in LLVM IR -------------------===//

#include "tessera/Package/Package.h"
#include "tessera/Runtime/tessera_package_abi.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::package;

static void addConstantBytes(llvm::Module &module, StringRef name,
                             ArrayRef<char> bytes, unsigned alignment) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Constant *init = llvm::ConstantDataArray::getRaw(
      StringRef(bytes.data(), bytes.size()), bytes.size(),
      llvm::Type::getInt8Ty(ctx));
  auto *global = new llvm::GlobalVariable(
      module, init->getType(), /*isConstant=*/true,
      llvm::GlobalValue::ExternalLinkage, init, name);
  global->setVisibility(llvm::GlobalValue::HiddenVisibility);
  global->setAlignment(llvm::Align(alignment));
}

LogicalResult package::addPackageSymbols(llvm::Module &module,
                                         StringRef metadata,
                                         ArrayRef<char> embeddedWeights,
                                         unsigned numInputs,
                                         std::string &error) {
  llvm::LLVMContext &ctx = module.getContext();
  std::string cInterface = ("_mlir_ciface_" + kEntryFunctionName).str();
  llvm::Function *entry = module.getFunction(cInterface);
  if (!entry) {
    error = "generated code has no " + cInterface;
    return failure();
  }
  // Everything the code generator made is private to the package; the
  // runtime exports the API.
  for (llvm::GlobalValue &value : module.global_values())
    if (!value.isDeclaration() && !value.hasLocalLinkage())
      value.setVisibility(llvm::GlobalValue::HiddenVisibility);

  std::string text = metadata.str();
  text.push_back('\0');
  addConstantBytes(module, "tessera_package_metadata",
                   ArrayRef<char>(text.data(), text.size()), 1);
  // A zero-length array would be fine for LLVM but not for every linker's
  // view of the symbol; external and weight-less packages get one byte.
  static const char dummy[1] = {0};
  addConstantBytes(module, "tessera_package_weights",
                   embeddedWeights.empty() ? ArrayRef<char>(dummy, 1)
                                           : embeddedWeights,
                   TESSERA_PACKAGE_WEIGHTS_ALIGNMENT);

  // void tessera_package_entry(void **args): args[i] is the i-th pointer
  // argument of the C interface (results, weights, arena, inputs...).
  unsigned expected = 3 + numInputs;
  if (entry->arg_size() != expected) {
    error = "the entry's C interface takes " + std::to_string(entry->arg_size()) +
            " pointers, expected " + std::to_string(expected);
    return failure();
  }
  auto *ptrType = llvm::PointerType::getUnqual(ctx);
  auto *wrapperType = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx),
                                              {ptrType}, /*isVarArg=*/false);
  llvm::Function *wrapper = llvm::Function::Create(
      wrapperType, llvm::GlobalValue::ExternalLinkage, "tessera_package_entry",
      module);
  wrapper->setVisibility(llvm::GlobalValue::HiddenVisibility);
  llvm::IRBuilder<> builder(llvm::BasicBlock::Create(ctx, "entry", wrapper));
  SmallVector<llvm::Value *> args;
  for (unsigned i = 0; i < expected; ++i) {
    llvm::Value *slot =
        builder.CreateConstGEP1_64(ptrType, wrapper->getArg(0), i);
    args.push_back(builder.CreateLoad(ptrType, slot));
  }
  builder.CreateCall(entry, args);
  builder.CreateRetVoid();
  return success();
}
