//===- Package.h - model packages: signature, weights, assembly -*- C++ -*-===//
//
// What turns compiled code into a package (see
// include/tessera/Runtime/tessera_package_abi.h for the contract): the
// model's signature as metadata text, the weights blob, the LLVM globals and
// entry wrapper the runtime calls, the C header for users, and the final
// link with the runtime into one shared library.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_PACKAGE_PACKAGE_H
#define TESSERA_PACKAGE_PACKAGE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace mlir::tessera::package {

/// The name the entry function gets in generated code.
inline constexpr llvm::StringLiteral kEntryFunctionName = "tessera_model";

struct TensorSignature {
  std::string name;
  std::string dtype;              // "float32", "int64", "bool", ...
  std::vector<int64_t> dims;      // -1 for dynamic
  std::vector<std::string> symbols; // per dim; "" when static or anonymous
};

struct Signature {
  std::string name;
  std::vector<TensorSignature> inputs;
  std::vector<TensorSignature> outputs;
};

/// The signature of `@main` of a tessera-dialect module as imported (names
/// and symbolic dims from the importer's argument/result attributes).
FailureOr<Signature> collectSignature(ModuleOp module);

struct WeightsLayout {
  enum class Storage { Embedded, External };
  Storage storage = Storage::Embedded;
  /// For external weights: the file name, relative to the package.
  std::string externalFile;
  int64_t bytes = 0;
  /// Weights that hold a matrix-product operand's packed copy too: the
  /// `packed` records (tessera_package_abi.h), from tessera-prepack-weights.
  struct PackedOperand {
    bool isB;
    int64_t panel, source, ld, rows, cols, packed;
  };
  std::vector<PackedOperand> packedOperands;
};

/// What a kernel of the entry computes: a `kernel` metadata record.
struct KernelLabel {
  std::string kind; ///< "sgemm_fused", "loops", ...
  std::string node; ///< the ONNX node(s), or ""
};

/// The kernels labelled by tessera-profile-kernels on `module`, in index
/// order (none when the pass did not run).
std::vector<KernelLabel> getKernelLabels(ModuleOp module);

/// The metadata text of the package ABI.
std::string formatMetadata(const Signature &signature, int64_t arenaBytes,
                           const WeightsLayout &weights,
                           ArrayRef<KernelLabel> kernels);

/// The weights blob recorded by tessera-outline-weights on `module`.
FailureOr<std::vector<char>> serializeWeights(ModuleOp module);

/// The packed copies recorded by tessera-prepack-weights on `module`.
std::vector<WeightsLayout::PackedOperand> getPackedOperands(ModuleOp module);

/// Arena bytes recorded by tessera-plan-buffers on the entry function.
int64_t getArenaBytes(ModuleOp module);

/// Renames `@main` to the package entry name, asks for its C interface and
/// drops the attributes only the package writer reads.
void prepareEntryForLowering(ModuleOp module);

/// Adds the package symbols to translated LLVM IR: the metadata text, the
/// weights blob (empty for external weights), and `tessera_package_entry`
/// calling the entry's C interface; and hides every other definition.
LogicalResult addPackageSymbols(llvm::Module &module, StringRef metadata,
                                ArrayRef<char> embeddedWeights,
                                unsigned numInputs, std::string &error);

/// Links `objectPath` with the runtime archive into a shared library at
/// `outputPath` with the system C compiler driver (`$TESSERA_LINKER` or
/// `cc`).
LogicalResult linkSharedLibrary(StringRef objectPath, StringRef runtimeArchive,
                                StringRef outputPath, std::string &error);

/// A C header describing the package: the runtime API plus the model's
/// signature as comments and index constants.
void writeHeader(const Signature &signature, StringRef headerGuardHint,
                 llvm::raw_ostream &os);

} // namespace mlir::tessera::package

#endif // TESSERA_PACKAGE_PACKAGE_H
