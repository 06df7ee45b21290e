//===- CPUTarget.h - the LLVM CPU backend -----------------------*- C++ -*-===//
//
// Takes the output of the target-independent bufferization pipeline
// (memrefs, linalg on buffers) to the LLVM dialect, then to an optimized
// native object for a host-like CPU, in process through LLVM's C++ API.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TARGET_CPU_CPUTARGET_H
#define TESSERA_TARGET_CPU_CPUTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace mlir::tessera::cpu {

struct CPULoweringOptions : public PassPipelineOptions<CPULoweringOptions> {
  PassOptions::Option<std::string> matmulMicrokernel{
      *this, "matmul-microkernel",
      llvm::cl::desc("Runtime micro-kernel for fp32 matrix products: "
                     "avx512, avx2 or none (loops)"),
      llvm::cl::init("none")};
  PassOptions::Option<int64_t> minParallelIterations{
      *this, "min-parallel-iterations",
      llvm::cl::desc("Split kernels with at least this many loop iterations "
                     "over threads"),
      llvm::cl::init(16384)};
  PassOptions::Option<bool> profileKernels{
      *this, "profile-kernels",
      llvm::cl::desc("Call the runtime's timing hook after each kernel of "
                     "the entry function (tessera-profile-kernels)"),
      llvm::cl::init(true)};
  PassOptions::ListOption<std::string> approximateMath{
      *this, "approximate-math",
      llvm::cl::desc("f32 math functions computed by MLIR's vectorizable "
                     "polynomial approximations instead of libm calls")};
};

/// The f32 functions whose polynomial approximations are accurate enough
/// to replace libm by default (see docs/user-guide.md for the measured
/// errors).
llvm::ArrayRef<std::string> getDefaultApproximatedMath();

/// What the CPU lowering made of a module (counted on the LLVM dialect).
struct KernelSummary {
  int64_t kernels = 0;          ///< functions outlined from linalg ops
  int64_t parallelKernels = 0;  ///< of which split over threads
  int64_t microkernelCalls = 0; ///< matrix products on the micro-kernel
  int64_t fusedEpilogues = 0;   ///< of which apply their epilogue
  int64_t depthwiseCalls = 0;   ///< depthwise convolutions on the runtime
  int64_t pointwiseDepthwiseCalls = 0; ///< of which compute their 1x1 input
  int64_t maxPoolCalls = 0;     ///< max pools on the runtime
  int64_t winogradCalls = 0;    ///< 3x3 convolutions on the Winograd kernel
  int64_t directConvolutionCalls = 0; ///< convolutions on the direct kernel
  int64_t fusedMaxPools = 0; ///< of which compute the max pool after them
};
KernelSummary summarizeKernels(ModuleOp module);

/// The micro-kernel variant `machine`'s CPU features support ("avx512",
/// "avx2" or "none").
std::string selectMatmulMicrokernel(const llvm::TargetMachine &machine);

/// linalg/memref/arith/math -> LLVM dialect (loops, libm calls for
/// transcendental functions, C-interface wrappers for public functions).
void buildCPULoweringPipeline(OpPassManager &pm,
                              const CPULoweringOptions &options);

void registerCPULoweringPipeline();

struct CPUTargetOptions {
  /// An LLVM CPU name ("skylake-avx512", "x86-64-v3"), or "host".
  std::string cpu = "host";
  /// Extra LLVM feature string ("+avx2,-avx512f"); with cpu "host" the
  /// host's features are used.
  std::string features;
  unsigned optLevel = 3;
};

/// A PIC target machine for the options, or null with `error` set.
std::unique_ptr<llvm::TargetMachine>
createCPUTargetMachine(const CPUTargetOptions &options, std::string &error);

/// Sets the module's triple and data layout for `machine` and runs LLVM's
/// standard optimization pipeline at `optLevel`.
void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine,
                    unsigned optLevel);

/// Writes `module` as a native object file. Returns false with `error` set
/// when the target cannot emit objects.
bool emitObject(llvm::Module &module, llvm::TargetMachine &machine,
                llvm::raw_pwrite_stream &os, std::string &error);

} // namespace mlir::tessera::cpu

#endif // TESSERA_TARGET_CPU_CPUTARGET_H
