//===- Compiler.cpp - the whole compilation, as a library call ------------===//

#include "tessera/Compiler/Compiler.h"
#include "tessera/Dialect/Tessera/Transforms/FusionGroups.h"

#include "tessera/Codegen/Passes.h"
#include "tessera/Codegen/Pipelines.h"
#include "tessera/Dialect/Tessera/Transforms/Pipelines.h"
#include "tessera/Package/Package.h"
#include "tessera/Target/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"

#include <chrono>

using namespace mlir;
using namespace mlir::tessera;

EmitStage mlir::tessera::getDefaultEmitStage(StringRef outputPath) {
  if (outputPath.ends_with(".so"))
    return EmitStage::SharedLibrary;
  if (outputPath.ends_with(".o"))
    return EmitStage::Object;
  if (outputPath.ends_with(".ll"))
    return EmitStage::LLVMIR;
  if (outputPath.ends_with(".dot"))
    return EmitStage::Dot;
  return EmitStage::Tessera;
}

namespace {

/// Runs one compilation: each stage method advances `module` and reports
/// its own failures.
class Compilation {
public:
  Compilation(MLIRContext &context, const CompileOptions &options)
      : context(context), options(options) {}

  LogicalResult run();

private:
  LogicalResult runPipeline(StringRef stage,
                            const std::function<void(PassManager &)> &build);
  LogicalResult writeIR(Operation *op);
  LogicalResult writeText(StringRef text);
  /// The runtime kernels the package calls: --matmul-microkernel, or with
  /// `auto` the best that `machine` runs (avx512, avx2 or none).
  std::string selectKernelIsa(const llvm::TargetMachine &machine) const;
  /// Whether 3x3 convolutions go to the Winograd kernel, which has the
  /// micro-kernel's variants.
  bool useWinograd(StringRef isa) const {
    return options.winogradConvolutions && isa != "none";
  }
  /// Whether few-channel convolutions go to the direct kernel, likewise.
  bool useDirectConvolutions(StringRef isa) const {
    return options.directConvolutions && isa != "none";
  }
  /// Lowers to linalg with the choices the kernels `isa` calls for, the same
  /// for --emit=linalg as for the package.
  LogicalResult lowerToLinalg(StringRef isa);
  LogicalResult emitPackageCode(std::unique_ptr<llvm::Module> &llvmModule,
                                llvm::LLVMContext &llvmContext,
                                std::unique_ptr<llvm::TargetMachine> &machine);
  LogicalResult fail(const Twine &message) {
    llvm::errs() << "tessera-compile: error: " << message << "\n";
    return failure();
  }
  void progress(StringRef stage) {
    if (!options.verbose)
      return;
    auto now = std::chrono::steady_clock::now();
    double ms =
        std::chrono::duration<double, std::milli>(now - lastStageStart).count();
    llvm::errs() << llvm::formatv("tessera-compile: {0,-28} {1,8:f1} ms\n",
                                  stage, ms);
    lastStageStart = now;
  }

  MLIRContext &context;
  const CompileOptions &options;
  OwningOpRef<ModuleOp> module;
  package::Signature signature;
  std::chrono::steady_clock::time_point lastStageStart =
      std::chrono::steady_clock::now();
};

LogicalResult
Compilation::runPipeline(StringRef stage,
                         const std::function<void(PassManager &)> &build) {
  PassManager pm(&context);
  if (options.configurePassManager &&
      failed(options.configurePassManager(pm, stage)))
    return failure();
  build(pm);
  if (failed(pm.run(*module)))
    return failure();
  progress(stage);
  return success();
}

LogicalResult Compilation::writeIR(Operation *op) {
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(options.outputPath, &error);
  if (!output)
    return fail(error);
  OpPrintingFlags flags;
  if (!options.printWeights)
    flags.elideLargeResourceString(1024);
  op->print(output->os(), flags);
  output->os() << "\n";
  output->keep();
  return success();
}

LogicalResult Compilation::writeText(StringRef text) {
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(options.outputPath, &error);
  if (!output)
    return fail(error);
  output->os() << text;
  output->keep();
  return success();
}

std::string
Compilation::selectKernelIsa(const llvm::TargetMachine &machine) const {
  return options.matmulMicrokernel == "auto"
             ? cpu::selectMatmulMicrokernel(machine)
             : options.matmulMicrokernel;
}

LogicalResult Compilation::lowerToLinalg(StringRef isa) {
  return runPipeline("lower to linalg", [&](PassManager &pm) {
    TesseraToLinalgPipelineOptions linalg;
    linalg.winogradConvolutions = useWinograd(isa);
    linalg.directConvolutions = useDirectConvolutions(isa);
    // The depthwise micro-kernel recognizes the window taps, narrow planes
    // included (MobileNetV2's 960x7x7: 4 kernels, 52 us -> 1, 31 us).
    linalg.flatNarrowDepthwise = isa == "none";
    buildTesseraToLinalgPipeline(pm, linalg);
  });
}

LogicalResult Compilation::emitPackageCode(
    std::unique_ptr<llvm::Module> &llvmModule, llvm::LLVMContext &llvmContext,
    std::unique_ptr<llvm::TargetMachine> &machine) {
  std::string error;
  machine = cpu::createCPUTargetMachine(options.target, error);
  if (!machine)
    return fail("--target-cpu: " + error);

  cpu::CPULoweringOptions lowering;
  lowering.matmulMicrokernel = selectKernelIsa(*machine);
  bool convolutionKernels = useWinograd(lowering.matmulMicrokernel) ||
                            useDirectConvolutions(lowering.matmulMicrokernel);
  if (failed(lowerToLinalg(lowering.matmulMicrokernel)))
    return failure();
  BufferizationPipelineOptions bufferization;
  bufferization.planBuffers = false;
  if (failed(runPipeline("bufferize", [&](PassManager &pm) {
        buildBufferizationPipeline(pm, bufferization);
        // Before planning, so that the arena keeps a depthwise kernel's
        // unpadded input apart from its output (the call reads one while
        // it writes the other).
        pm.addPass(cpu::createTesseraDepthwiseToMicrokernel(
            {/*isa=*/lowering.matmulMicrokernel}));
        pm.addPass(cpu::createTesseraMaxPoolToMicrokernel(
            {/*isa=*/lowering.matmulMicrokernel}));
        if (convolutionKernels)
          pm.addPass(cpu::createTesseraConvToMicrokernel(
              {/*isa=*/lowering.matmulMicrokernel,
               /*direct=*/useDirectConvolutions(lowering.matmulMicrokernel),
               /*winogradTile=*/options.winogradTile}));
        if (useDirectConvolutions(lowering.matmulMicrokernel))
          pm.addPass(cpu::createTesseraFuseDirectConvMaxPool());
        pm.addNestedPass<func::FuncOp>(createTesseraPlanBuffers());
      })))
    return failure();
  if (options.prepackWeights &&
      failed(runPipeline("prepack weights", [&](PassManager &pm) {
        pm.addPass(cpu::createTesseraPrepackWeights(
            {/*isa=*/lowering.matmulMicrokernel}));
      })))
    return failure();

  FailureOr<std::vector<char>> weights = package::serializeWeights(*module);
  if (failed(weights))
    return failure();
  int64_t arenaBytes = package::getArenaBytes(*module);
  if (options.verbose)
    llvm::errs() << "tessera-compile: weights " << weights->size()
                 << " bytes, arena " << arenaBytes << " bytes per context\n";
  std::vector<package::WeightsLayout::PackedOperand> packedOperands =
      package::getPackedOperands(*module);
  package::prepareEntryForLowering(*module);
  if (!options.exactMath)
    lowering.approximateMath = cpu::getDefaultApproximatedMath();
  if (failed(runPipeline("lower to LLVM dialect", [&](PassManager &pm) {
        cpu::buildCPULoweringPipeline(pm, lowering);
      })))
    return failure();
  std::vector<package::KernelLabel> kernelLabels =
      package::getKernelLabels(*module);
  (*module)->removeAttr(kKernelLabelsAttr);
  if (options.verbose) {
    cpu::KernelSummary kernels = cpu::summarizeKernels(*module);
    llvm::errs() << "tessera-compile: " << kernels.kernels << " kernels ("
                 << kernels.parallelKernels << " split over threads, "
                 << kernels.microkernelCalls
                 << " matrix products on the micro-kernel, "
                 << kernels.fusedEpilogues << " of them with their epilogue, "
                 << kernels.depthwiseCalls
                 << " depthwise convolutions on the runtime's kernel, "
                 << kernels.pointwiseDepthwiseCalls
                 << " of them computing their 1x1 input, "
                 << kernels.maxPoolCalls << " max pools on it, "
                 << kernels.winogradCalls
                 << " 3x3 convolutions on the Winograd kernel, "
                 << kernels.directConvolutionCalls
                 << " on the direct kernel, " << kernels.fusedMaxPools
                 << " of them with the max pool after them)\n";
  }

  llvmModule = translateModuleToLLVMIR(*module, llvmContext,
                                       signature.name.empty() ? "tessera_model"
                                                              : signature.name);
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  progress("translate to LLVM IR");

  package::WeightsLayout layout;
  layout.bytes = static_cast<int64_t>(weights->size());
  layout.packedOperands = std::move(packedOperands);
  ArrayRef<char> embedded = *weights;
  if (options.externalWeights) {
    if (options.emit != EmitStage::SharedLibrary || options.outputPath == "-")
      return fail("--weights=external needs a package output (-o NAME.so)");
    SmallString<256> weightsPath(options.outputPath);
    llvm::sys::path::replace_extension(weightsPath, "weights");
    layout.storage = package::WeightsLayout::Storage::External;
    layout.externalFile = llvm::sys::path::filename(weightsPath).str();
    std::string fileError;
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(weightsPath, &fileError);
    if (!file)
      return fail(fileError);
    file->os().write(weights->data(), weights->size());
    file->keep();
    embedded = {};
  }
  std::string metadata =
      package::formatMetadata(signature, arenaBytes, layout, kernelLabels);
  if (failed(package::addPackageSymbols(*llvmModule, metadata, embedded,
                                        signature.inputs.size(), error)))
    return fail(error);
  cpu::optimizeModule(*llvmModule, *machine, options.target.optLevel);
  progress("optimize LLVM IR");
  return success();
}

LogicalResult Compilation::run() {
  module = onnx_frontend::importModelFile(&context, options.inputPath,
                                          options.import);
  if (!module)
    return failure();
  progress("import");
  if (options.runGraphPasses &&
      failed(runPipeline("graph passes", [&](PassManager &pm) {
        GraphOptimizationOptions graph;
        graph.disabledFusions = options.disabledFusions;
        buildGraphOptimizationPipeline(pm, graph);
      })))
    return failure();
  if (options.fusionReport)
    printFusionReport(llvm::errs(), *module);
  if (options.emit == EmitStage::Tessera)
    return writeIR(*module);
  if (options.emit == EmitStage::Dot) {
    std::string dot;
    llvm::raw_string_ostream os(dot);
    printFusionDot(os, *module);
    return writeText(dot);
  }

  FailureOr<package::Signature> collected = package::collectSignature(*module);
  if (failed(collected))
    return failure();
  signature = std::move(*collected);
  if (!options.headerPath.empty()) {
    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> header =
        openOutputFile(options.headerPath, &error);
    if (!header)
      return fail(error);
    std::string stem = llvm::sys::path::stem(options.outputPath == "-"
                                                 ? options.inputPath
                                                 : options.outputPath)
                           .str();
    package::writeHeader(signature, stem, header->os());
    header->keep();
  }

  if (options.emit == EmitStage::Linalg) {
    std::string error;
    std::unique_ptr<llvm::TargetMachine> machine =
        cpu::createCPUTargetMachine(options.target, error);
    if (!machine)
      return fail("--target-cpu: " + error);
    if (failed(lowerToLinalg(selectKernelIsa(*machine))))
      return failure();
    return writeIR(*module);
  }

  registerBuiltinDialectTranslation(context);
  registerLLVMDialectTranslation(context);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule;
  std::unique_ptr<llvm::TargetMachine> machine;
  if (failed(emitPackageCode(llvmModule, llvmContext, machine)))
    return failure();

  if (options.emit == EmitStage::LLVMIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvmModule->print(os, nullptr);
    return writeText(text);
  }

  std::string error;
  // Like a C compiler, create the output's directory if needed.
  if (options.outputPath != "-") {
    StringRef parent = llvm::sys::path::parent_path(options.outputPath);
    if (!parent.empty())
      if (std::error_code ec = llvm::sys::fs::create_directories(parent))
        return fail("cannot create directory '" + parent + "': " + ec.message());
  }
  if (options.emit == EmitStage::Object) {
    std::unique_ptr<llvm::ToolOutputFile> output =
        openOutputFile(options.outputPath, &error);
    if (!output)
      return fail(error);
    if (!cpu::emitObject(*llvmModule, *machine, output->os(), error))
      return fail(error);
    output->keep();
    progress("emit object");
    return success();
  }

  if (options.outputPath == "-")
    return fail("a package needs an output file (-o NAME.so)");
  SmallString<128> objectPath;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("tessera-package", "o", fd,
                                         objectPath))
    return fail("cannot create a temporary object file");
  llvm::FileRemover removeObject(objectPath);
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    if (!cpu::emitObject(*llvmModule, *machine, os, error))
      return fail(error);
  }
  progress("emit object");
  if (failed(package::linkSharedLibrary(objectPath, options.runtimeLibrary,
                                        options.outputPath, error)))
    return fail(error);
  progress("link package");
  return success();
}

} // namespace

LogicalResult mlir::tessera::compileModel(MLIRContext &context,
                                          const CompileOptions &options) {
  Compilation compilation(context, options);
  return compilation.run();
}
