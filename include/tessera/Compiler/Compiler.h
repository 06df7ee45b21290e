//===- Compiler.h - the whole compilation, as a library call ----*- C++ -*-===//
//
// ONNX model in, the requested stage out. tessera-compile and the Python
// package are thin layers over compileModel().
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COMPILER_COMPILER_H
#define TESSERA_COMPILER_COMPILER_H

#include "tessera/Frontend/ONNX/Importer.h"
#include "tessera/Target/CPU/CPUTarget.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <functional>
#include <string>

namespace mlir::tessera {

enum class EmitStage {
  Tessera,       ///< tessera dialect after the graph passes
  Dot,           ///< the graph after the graph passes, for Graphviz
  Linalg,        ///< linalg/tensor/arith/math on tensors
  LLVMIR,        ///< optimized LLVM IR of the package
  Object,        ///< native object file of the package code
  SharedLibrary, ///< the package (.so)
};

struct CompileOptions {
  std::string inputPath;
  /// "-" writes textual stages to stdout.
  std::string outputPath = "-";
  onnx_frontend::ImportOptions import;
  EmitStage emit = EmitStage::Tessera;
  bool runGraphPasses = true;
  /// List the fusion groups on stderr after the graph passes.
  bool fusionReport = false;
  /// Graph rewrite families to skip (see getFusionFamilies()).
  std::vector<std::string> disabledFusions;
  /// Weights in a side file next to the package instead of inside it.
  bool externalWeights = false;
  /// Where to write the package's C header; empty for none.
  std::string headerPath;
  cpu::CPUTargetOptions target;
  /// "auto" (from the target's features), "avx512", "avx2" or "none".
  std::string matmulMicrokernel = "auto";
  /// Compute fp32 3x3 stride-1 convolutions by Winograd on the runtime's
  /// kernel (the micro-kernel's variant; with no micro-kernel, im2col and
  /// a matrix product).
  bool winogradConvolutions = true;
  /// Winograd's output tile: "2x2" (F(2x2, 3x3)) or "4x4" (F(4x4, 3x3) on
  /// outputs of at least 24 x 24, F(2x2, 3x3) below: faster, with sums
  /// that round further from direct ones).
  std::string winogradTile = "2x2";
  /// Compute fp32 convolutions of at most 4 input channels (a network's
  /// stem) on the runtime's direct kernel (the micro-kernel's variant;
  /// with no micro-kernel, im2col and a matrix product).
  bool directConvolutions = true;
  /// Put the micro-kernel's packed copies of weight operands into the
  /// weights (tessera-prepack-weights) instead of packing them at run time.
  bool prepackWeights = true;
  /// Call libm for every transcendental function instead of approximating
  /// erf/exp/tanh with vectorizable polynomials.
  bool exactMath = false;
  /// libtessera_package_runtime.a, linked into every package.
  std::string runtimeLibrary;
  /// Print weight blobs in full in IR output (else blobs over 1 KiB are
  /// elided).
  bool printWeights = false;
  /// Report each stage and its duration on stderr.
  bool verbose = false;
  /// Applied to every pass manager the compiler creates, with the name of
  /// the stage it runs (IR printing, timing, crash reproducers from the
  /// command line).
  std::function<LogicalResult(PassManager &, llvm::StringRef stage)>
      configurePassManager;
};

/// Runs the compilation. Diagnostics go to the context's handler; other
/// failures (files, linking) are reported on stderr. Returns failure after
/// reporting.
LogicalResult compileModel(MLIRContext &context, const CompileOptions &options);

/// The stage implied by an output file name (.so, .o, .ll, otherwise
/// tessera IR).
EmitStage getDefaultEmitStage(llvm::StringRef outputPath);

} // namespace mlir::tessera

#endif // TESSERA_COMPILER_COMPILER_H
