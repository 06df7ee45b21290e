//===- tessera-compile.cpp - the tessera compiler driver --------*- C++ -*-===//
//
// Imports an ONNX model, runs the graph pipeline and writes the requested
// stage. All work happens in the library; this file only maps options.
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/Tessera/Transforms/Pipelines.h"
#include "tessera/Frontend/ONNX/Importer.h"
#include "tessera/InitAll.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class EmitKind { Tessera };

cl::OptionCategory driverCategory("tessera-compile options");

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx>"),
                               cl::Required, cl::cat(driverCategory));

cl::opt<std::string> outputPath("o", cl::desc("Output file ('-' for stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(driverCategory));

cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Give graph input NAME the shape D0xD1x... (use ? to keep a "
             "dimension symbolic); repeat for several inputs"),
    cl::value_desc("NAME=DIMS"), cl::cat(driverCategory));

cl::opt<EmitKind> emitKind(
    "emit", cl::desc("The compilation stage to write"),
    cl::values(clEnumValN(EmitKind::Tessera, "tessera",
                          "tessera dialect IR after the graph passes")),
    cl::init(EmitKind::Tessera), cl::cat(driverCategory));

cl::opt<bool> printWeights(
    "print-weights",
    cl::desc("Print weight blobs in full (by default blobs over 1 KiB are "
             "elided, which keeps the IR readable but not re-parsable)"),
    cl::init(false), cl::cat(driverCategory));

cl::opt<bool> skipGraphPasses(
    "no-graph-passes",
    cl::desc("Write the IR exactly as imported, before any graph pass"),
    cl::init(false), cl::cat(driverCategory));
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  tessera::registerAllPasses();
  // LLVM registers hundreds of backend options; --help shows the driver's.
  cl::HideUnrelatedOptions(driverCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "tessera-compile: ahead-of-time compiler for ONNX models\n\n"
      "Imports MODEL (binary .onnx, with external data beside it, or ONNX's\n"
      "textual syntax in a .onnxtxt file), runs tessera's graph passes and\n"
      "writes the stage chosen with --emit. Errors name the node, input or\n"
      "initializer at fault and exit with status 1.\n\n"
      "MLIR's pass-manager and printing options (--mlir-print-ir-after-all,\n"
      "--mlir-timing, --mlir-elide-elementsattrs-if-larger, ...) are also\n"
      "accepted; --help-hidden lists them.\n");

  tessera::onnx_frontend::ImportOptions options;
  for (const std::string &spec : inputShapes) {
    std::string error = tessera::onnx_frontend::addInputShape(spec, options);
    if (!error.empty()) {
      llvm::errs() << "tessera-compile: --input-shape: " << error << "\n";
      return 1;
    }
  }

  DialectRegistry registry;
  tessera::registerAllDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  OwningOpRef<ModuleOp> module =
      tessera::onnx_frontend::importModelFile(&context, inputPath, options);
  if (!module)
    return 1;

  if (!skipGraphPasses) {
    PassManager pm(&context);
    if (failed(applyPassManagerCLOptions(pm)))
      return 1;
    DefaultTimingManager timing;
    applyDefaultTimingManagerCLOptions(timing);
    TimingScope timingScope = timing.getRootScope();
    pm.enableTiming(timingScope);
    tessera::buildGraphOptimizationPipeline(pm, {});
    if (failed(pm.run(*module)))
      return 1;
  }

  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputPath, &error);
  if (!output) {
    llvm::errs() << "tessera-compile: " << error << "\n";
    return 1;
  }
  switch (emitKind) {
  case EmitKind::Tessera:
    OpPrintingFlags flags;
    if (!printWeights)
      flags.elideLargeResourceString(1024);
    module->print(output->os(), flags);
    output->os() << "\n";
    break;
  }
  output->keep();
  return 0;
}
