//===- CPUObjectEmitter.cpp - LLVM IR to an optimized native object -------===//

#include "tessera/Target/CPU/CPUTarget.h"

#include "llvm/ADT/StringExtras.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir::tessera;

std::unique_ptr<llvm::TargetMachine>
cpu::createCPUTargetMachine(const CPUTargetOptions &options,
                            std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpuName = options.cpu;
  // Comma-separated without a trailing comma: an empty entry makes the
  // emitted IR's "target-features" invalid for opt and llc.
  SmallVector<std::string> featureList;
  if (cpuName.empty() || cpuName == "host") {
    cpuName = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      featureList.push_back((feature.second ? "+" : "-") +
                            feature.first().str());
  }
  if (!options.features.empty())
    featureList.push_back(options.features);
  std::string features = llvm::join(featureList, ",");
  // Check the name first: LLVM only warns (on stderr) about unknown CPUs.
  std::unique_ptr<llvm::MCSubtargetInfo> generic(
      target->createMCSubtargetInfo(triple, "", ""));
  if (generic && !generic->isCPUStringValid(cpuName)) {
    error = "unknown target CPU '" + cpuName +
            "' (llc -mcpu=help lists the known ones)";
    return nullptr;
  }
  llvm::CodeGenOptLevel level = options.optLevel >= 3 ? llvm::CodeGenOptLevel::Aggressive
                                : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                                        : llvm::CodeGenOptLevel::None;
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpuName, features, targetOptions, llvm::Reloc::PIC_,
      std::nullopt, level));
  if (!machine) {
    error = "cannot create a target machine for CPU '" + cpuName + "'";
    return nullptr;
  }
  return machine;
}

void cpu::optimizeModule(llvm::Module &module, llvm::TargetMachine &machine,
                         unsigned optLevel) {
  module.setTargetTriple(machine.getTargetTriple());
  module.setDataLayout(machine.createDataLayout());
  // Loops vectorized as wide as AVX-512's registers. LLVM prefers 256 bits
  // on such CPUs, where 512-bit instructions once lowered the clock; but a
  // package spends most of its time in the runtime's 512-bit kernels, so
  // that price is paid either way. Loops of many operations per element
  // gain: GELU over 128 x 1024 (erf, about 40 per element) took 62-65 us
  // instead of 72-78 at 1 thread, the whole BERT encoder 0.95-0.98 of the
  // time at 1 thread and 0.95-0.99 at 2 (alternating runs); the CNNs,
  // whose generated loops are short or few, do not change measurably.
  bool wideVectors =
      machine.getMCSubtargetInfo()->checkFeatures("+avx512f");
  for (llvm::Function &function : module)
    if (!function.isDeclaration()) {
      function.addFnAttr("target-cpu", machine.getTargetCPU());
      function.addFnAttr("target-features", machine.getTargetFeatureString());
      if (wideVectors)
        function.addFnAttr("prefer-vector-width", "512");
    }

  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = optLevel >= 2;
  tuning.SLPVectorization = optLevel >= 2;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel >= 3   ? llvm::OptimizationLevel::O3
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                                  : llvm::OptimizationLevel::O0;
  llvm::ModulePassManager passes =
      level == llvm::OptimizationLevel::O0
          ? builder.buildO0DefaultPipeline(level)
          : builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, mam);
}

bool cpu::emitObject(llvm::Module &module, llvm::TargetMachine &machine,
                     llvm::raw_pwrite_stream &os, std::string &error) {
  llvm::legacy::PassManager codegen;
  if (machine.addPassesToEmitFile(codegen, os, nullptr,
                                  llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return false;
  }
  codegen.run(module);
  return true;
}

std::string cpu::selectMatmulMicrokernel(const llvm::TargetMachine &machine) {
  if (!machine.getTargetTriple().isX86())
    return "none";
  const llvm::MCSubtargetInfo *subtarget = machine.getMCSubtargetInfo();
  if (subtarget->checkFeatures("+avx512f"))
    return "avx512";
  if (subtarget->checkFeatures("+avx2,+fma"))
    return "avx2";
  return "none";
}
