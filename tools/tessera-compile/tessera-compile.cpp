//===- tessera-compile.cpp - the tessera compiler driver --------*- C++ -*-===//
//
// Imports an ONNX model, runs the graph pipeline and writes the requested
// stage. All work happens in the library; this file only maps options.
//
//===----------------------------------------------------------------------===//

#include "tessera/Compiler/Compiler.h"
#include "tessera/Dialect/Tessera/Transforms/Pipelines.h"
#include "tessera/InitAll.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
cl::OptionCategory driverCategory("tessera-compile options");

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx>"),
                               cl::Required, cl::cat(driverCategory));

cl::opt<std::string> outputPath(
    "o",
    cl::desc("Output file ('-' for stdout). A name ending in .so, .o, .ll or .dot "
             "selects the stage when --emit is not given"),
    cl::value_desc("file"), cl::init("-"), cl::cat(driverCategory));

cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Give graph input NAME the shape D0xD1x... (use ? to keep a "
             "dimension symbolic); repeat for several inputs"),
    cl::value_desc("NAME=DIMS"), cl::cat(driverCategory));

cl::opt<tessera::EmitStage> emitStage(
    "emit", cl::desc("The compilation stage to write"),
    cl::values(
        clEnumValN(tessera::EmitStage::Tessera, "tessera",
                   "tessera dialect IR after the graph passes"),
        clEnumValN(tessera::EmitStage::Dot, "dot",
                   "the graph after the graph passes as a Graphviz digraph, "
                   "one cluster per fusion group (dot -Tsvg)"),
        clEnumValN(tessera::EmitStage::Linalg, "linalg",
                   "linalg/tensor/arith/math IR on tensors"),
        clEnumValN(tessera::EmitStage::LLVMIR, "llvm-ir",
                   "optimized LLVM IR of the package code"),
        clEnumValN(tessera::EmitStage::Object, "obj",
                   "native object file of the package code"),
        clEnumValN(tessera::EmitStage::SharedLibrary, "so",
                   "the model package: a shared library with the C ABI of "
                   "tessera_runtime.h")),
    cl::cat(driverCategory));

enum class WeightsMode { Embedded, External };
cl::opt<WeightsMode> weightsMode(
    "weights", cl::desc("Where a package keeps its weights"),
    cl::values(clEnumValN(WeightsMode::Embedded, "embedded",
                          "inside the .so (default)"),
               clEnumValN(WeightsMode::External, "external",
                          "in NAME.weights next to NAME.so, memory-mapped "
                          "when the package loads")),
    cl::init(WeightsMode::Embedded), cl::cat(driverCategory));

cl::opt<bool> emitHeader(
    "emit-header",
    cl::desc("Also write a C header for the package next to it (NAME.h)"),
    cl::init(false), cl::cat(driverCategory));

cl::opt<std::string> targetCPU(
    "target-cpu",
    cl::desc("CPU to generate code for, as LLVM names it (skylake-avx512, "
             "x86-64-v3, ...); default: the host"),
    cl::value_desc("name"), cl::init("host"), cl::cat(driverCategory));

cl::opt<std::string> matmulMicrokernel(
    "matmul-microkernel",
    cl::desc("fp32 matrix products and depthwise convolutions: 'auto' "
             "calls the runtime kernels the target supports (avx512, else "
             "avx2), 'avx512' or 'avx2' forces one, 'none' keeps them as "
             "loops"),
    cl::value_desc("auto|avx512|avx2|none"), cl::init("auto"),
    cl::cat(driverCategory));

cl::opt<bool> winogradConvolutions(
    "winograd",
    cl::desc("Compute fp32 3x3 stride-1 convolutions by Winograd F(2x2, "
             "3x3) on the runtime's kernel, AVX-512 or AVX2 as "
             "--matmul-microkernel (default): 16 products per 2x2 output "
             "tile and channel pair instead of 36 (see --winograd-tile). "
             "Its sums round differently from direct ones (within the "
             "end-to-end tolerances); --winograd=false uses im2col and the "
             "matrix-product micro-kernel instead"),
    cl::init(true), cl::cat(driverCategory));

cl::opt<std::string> winogradTile(
    "winograd-tile",
    cl::desc("Winograd's output tile: '2x2' (default) everywhere, or "
             "'4x4': F(4x4, 3x3) on outputs of at least 24 x 24 (36 "
             "products per 4x4 tile and channel pair instead of 144) and "
             "2x2 below. 4x4 is faster, but its transforms multiply by up "
             "to 8 and its filters' by sixths: its sums round about 17 "
             "times further from direct ones, past the end-to-end "
             "tolerances (atol 1e-5) on some inputs"),
    cl::value_desc("2x2|4x4"), cl::init("2x2"), cl::cat(driverCategory));

cl::opt<bool> directConvolutions(
    "direct-convolutions",
    cl::desc("Compute fp32 convolutions of at most 4 input channels, "
             "strides of at most 2 and 256 window values (a network's "
             "first layer) on the runtime's direct kernel, "
             "AVX-512 or AVX2 as --matmul-microkernel (default): each "
             "output row from its input rows, without im2col, and a max "
             "pool that only reads its output with it (batch 1); "
             "--direct-convolutions=false uses im2col and the "
             "matrix-product micro-kernel instead"),
    cl::init(true), cl::cat(driverCategory));

cl::opt<bool> prepackWeights(
    "prepack-weights",
    cl::desc("Store each weight operand of a matrix product in the package "
             "already packed for the micro-kernel, so that no run packs it "
             "(default). The packed copy replaces the weight when nothing "
             "else reads it and it fills whole register blocks; otherwise "
             "the weights grow by the copy (except B operands of products "
             "of a few rows, a Linear at batch 1: packed only in place). "
             "--prepack-weights=false packs them on first use instead"),
    cl::init(true), cl::cat(driverCategory));

cl::opt<bool> exactMath(
    "exact-math",
    cl::desc("Compute erf, exp and tanh with libm calls (scalar loops) "
             "instead of MLIR's polynomial approximations (vectorized; "
             "errors in docs/user-guide.md)"),
    cl::init(false), cl::cat(driverCategory));

cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimization level (0-3)"),
                           cl::Prefix, cl::init(3), cl::cat(driverCategory));

cl::opt<bool> printWeights(
    "print-weights",
    cl::desc("Print weight blobs in full (by default blobs over 1 KiB are "
             "elided, which keeps the IR readable but not re-parsable)"),
    cl::init(false), cl::cat(driverCategory));

cl::opt<bool> skipGraphPasses(
    "no-graph-passes",
    cl::desc("Write the IR exactly as imported, before any graph pass"),
    cl::init(false), cl::cat(driverCategory));

cl::opt<bool> fusionReport(
    "fusion-report",
    cl::desc("List the fusion groups on stderr: their ops and the bytes of "
             "intermediates no longer written"),
    cl::init(false), cl::cat(driverCategory));

cl::list<std::string> disableFusion(
    "disable-fusion",
    cl::desc("Skip a family of graph rewrites, to debug it (repeat or "
             "separate with commas): fold-batch-norm, recognize, attention, "
             "transpose, elementwise, reduction, epilogue"),
    cl::value_desc("NAME"), cl::CommaSeparated, cl::cat(driverCategory));

cl::opt<bool> verbose("v", cl::desc("Report each stage and its duration"),
                      cl::init(false), cl::cat(driverCategory));

/// libtessera_package_runtime.a: $TESSERA_RUNTIME_LIBRARY, else next to the
/// build/install tree of this executable (bin/../lib).
std::string findRuntimeLibrary(const char *argv0) {
  if (const char *env = std::getenv("TESSERA_RUNTIME_LIBRARY"))
    return env;
  std::string exe = llvm::sys::fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&findRuntimeLibrary));
  llvm::SmallString<256> path(llvm::sys::path::parent_path(
      llvm::sys::path::parent_path(exe)));
  llvm::sys::path::append(path, "lib", "libtessera_package_runtime.a");
  return std::string(path);
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // Passes first: --mlir-print-ir-after=PASS looks them up by name.
  tessera::registerAllPasses();
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  // LLVM registers hundreds of backend options; --help shows the driver's.
  cl::HideUnrelatedOptions(driverCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "tessera-compile: ahead-of-time compiler for ONNX models\n\n"
      "Imports MODEL (binary .onnx, with external data beside it, or ONNX's\n"
      "textual syntax in a .onnxtxt file), runs tessera's graph passes and\n"
      "writes the stage chosen with --emit (or by the -o file name):\n\n"
      "  tessera-compile model.onnx -o model.so     a model package\n"
      "  tessera-compile model.onnx                 tessera IR on stdout\n\n"
      "A package is a shared library exporting the C ABI of\n"
      "tessera_runtime.h; run it with tessera-run, load it from Python with\n"
      "tessera.load(), or link it into a C program. Errors name the node,\n"
      "input or initializer at fault and exit with status 1.\n\n"
      "MLIR's pass-manager and printing options are also accepted, e.g.\n"
      "--mlir-print-ir-after-all, --mlir-print-ir-after=PASS, --mlir-timing,\n"
      "--mlir-elide-elementsattrs-if-larger=N (see docs/user-guide.md).\n");

  tessera::CompileOptions options;
  options.inputPath = inputPath;
  options.outputPath = outputPath;
  for (const std::string &spec : inputShapes) {
    std::string error =
        tessera::onnx_frontend::addInputShape(spec, options.import);
    if (!error.empty()) {
      llvm::errs() << "tessera-compile: --input-shape: " << error << "\n";
      return 1;
    }
  }
  options.emit = emitStage.getNumOccurrences()
                     ? emitStage.getValue()
                     : tessera::getDefaultEmitStage(outputPath);
  options.runGraphPasses = !skipGraphPasses;
  options.fusionReport = fusionReport;
  for (const std::string &family : disableFusion) {
    if (!llvm::is_contained(tessera::getFusionFamilies(), family)) {
      llvm::errs() << "tessera-compile: --disable-fusion=" << family
                   << ": unknown; the families are "
                   << llvm::join(tessera::getFusionFamilies(), ", ") << "\n";
      return 1;
    }
    options.disabledFusions.push_back(family);
  }
  options.externalWeights = weightsMode == WeightsMode::External;
  if (emitHeader && options.emit != tessera::EmitStage::SharedLibrary) {
    llvm::errs() << "tessera-compile: --emit-header goes with a package "
                    "(-o NAME.so or --emit=so)\n";
    return 1;
  }
  if (emitHeader) {
    if (outputPath == "-") {
      llvm::errs() << "tessera-compile: --emit-header needs -o NAME.so\n";
      return 1;
    }
    llvm::SmallString<256> header(outputPath);
    llvm::sys::path::replace_extension(header, "h");
    options.headerPath = std::string(header);
  }
  options.target.cpu = targetCPU;
  if (matmulMicrokernel != "auto" && matmulMicrokernel != "avx512" &&
      matmulMicrokernel != "avx2" && matmulMicrokernel != "none") {
    llvm::errs() << "tessera-compile: --matmul-microkernel=" << matmulMicrokernel
                 << ": expected auto, avx512, avx2 or none\n";
    return 1;
  }
  options.matmulMicrokernel = matmulMicrokernel;
  options.exactMath = exactMath;
  options.prepackWeights = prepackWeights;
  options.winogradConvolutions = winogradConvolutions;
  if (winogradTile != "2x2" && winogradTile != "4x4") {
    llvm::errs() << "tessera-compile: --winograd-tile=" << winogradTile
                 << ": expected 2x2 or 4x4\n";
    return 1;
  }
  options.winogradTile = winogradTile;
  options.directConvolutions = directConvolutions;
  options.target.optLevel = std::min(3u, optLevel.getValue());
  options.runtimeLibrary = findRuntimeLibrary(argv[0]);
  options.printWeights = printWeights;
  options.verbose = verbose;

  DialectRegistry registry;
  tessera::registerAllDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  DefaultTimingManager timing;
  applyDefaultTimingManagerCLOptions(timing);
  TimingScope timingScope = timing.getRootScope();
  // One timing scope per compilation stage, alive until the report.
  std::vector<std::unique_ptr<TimingScope>> stageScopes;
  options.configurePassManager = [&](PassManager &pm, StringRef stage) {
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    // Stages run one after another: the previous one has finished.
    if (!stageScopes.empty())
      stageScopes.back()->stop();
    stageScopes.push_back(
        std::make_unique<TimingScope>(timingScope.nest(stage)));
    pm.enableTiming(*stageScopes.back());
    return success();
  };
  return failed(tessera::compileModel(context, options)) ? 1 : 0;
}
