//===- tessera-run.cpp - run a compiled tessera model package ---*- C++ -*-===//
//
// Loads a package written by `tessera-compile -o model.so` through its C ABI
// (tessera_runtime.h), feeds it inputs from .npy/.pb files or random data,
// runs it once or benchmarks it, and prints or saves the outputs.
//
//===----------------------------------------------------------------------===//

#include "Package.h"
#include "TensorIO.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <numeric>
#include <optional>
#include <set>

using namespace tessera::run;
using llvm::StringRef;
namespace cl = llvm::cl;

namespace {
cl::OptionCategory runCategory("tessera-run options");

cl::opt<std::string> packagePath(cl::Positional, cl::desc("<model.so>"),
                                 cl::Required, cl::cat(runCategory));

cl::list<std::string> inputSpecs(
    "input",
    cl::desc("Feed model input NAME from FILE: a numpy .npy file or a "
             "serialized onnx.TensorProto .pb file. NAME= may be left out "
             "when the model has one input (or, for .pb, when the tensor's "
             "name is an input's). Repeat for several inputs"),
    cl::value_desc("NAME=FILE"), cl::cat(runCategory));

cl::opt<bool> randomInputs(
    "random",
    cl::desc("Fill every input not given with --input with reproducible "
             "random data: floats uniform in [-1,1), integers in [0,10), "
             "bools 0/1"),
    cl::init(false), cl::cat(runCategory));

cl::opt<uint64_t> seed("seed", cl::desc("Seed of --random (default 0)"),
                       cl::value_desc("N"),
                       cl::init(0), cl::cat(runCategory));

cl::list<std::string> dimSpecs(
    "dim",
    cl::desc("Give symbolic dimension NAME the value VALUE for --random "
             "inputs (default: the value an --input file implies, else 1); "
             "repeatable"),
    cl::value_desc("NAME=VALUE"), cl::cat(runCategory));

cl::opt<std::string> outputDir(
    "output-dir",
    cl::desc("Write each output to DIR/<output name>.npy (characters outside "
             "[A-Za-z0-9_.-] become '_'; bfloat16 is widened to float32). "
             "DIR is created if missing"),
    cl::value_desc("DIR"), cl::cat(runCategory));

cl::opt<unsigned> benchRuns(
    "bench",
    cl::desc("Time N runs after max(1, N/10) warm-up runs and report the "
             "median, minimum, mean and maximum latency"),
    cl::value_desc("N"), cl::init(0), cl::cat(runCategory));

/// --threads. libLLVM.so, which provides cl::, already registers an
/// undocumented cl::opt<int> "threads" of its own (unused by this tool), so a
/// second option of that name would abort at start-up. Adopt the existing one
/// when it has the expected type; register ours otherwise.
cl::opt<int> &threadsOption() {
  static cl::opt<int> *option = [] {
    auto &registered = cl::getRegisteredOptions();
    auto found = registered.find("threads");
    cl::opt<int> *result =
        found == registered.end() ? nullptr
                                  : dynamic_cast<cl::opt<int> *>(found->second);
    if (!result)
      result = new cl::opt<int>(
          StringRef(found == registered.end() ? "threads" : "num-threads"),
          cl::init(0));
    result->setDescription("Threads a run may use "
                           "(tessera_context_set_num_threads; 0 = "
                           "TESSERA_NUM_THREADS or 1)");
    result->setValueStr("T");
    result->addCategory(runCategory);
    return result;
  }();
  return *option;
}

cl::opt<bool> profileKernels(
    "profile",
    cl::desc("Time each kernel of the runs (tessera_context_set_profiling): "
             "the timed runs with --bench, else the one run. Prints each "
             "kernel in run order with its kind, the ONNX node(s) it "
             "computes, its mean time per run and its share of the run"),
    cl::init(false), cl::cat(runCategory));

cl::opt<std::string> weightsPath(
    "weights-file",
    cl::desc("Where a package compiled with --weights=external finds its "
             "weights (default: the file named in the package, next to it)"),
    cl::value_desc("FILE"), cl::cat(runCategory));

cl::opt<bool> jsonOutput(
    "json", cl::desc("Print one JSON object instead of the text summary"),
    cl::init(false), cl::cat(runCategory));

cl::opt<unsigned> printCount(
    "print-values",
    cl::desc("How many leading values of each output the text summary shows "
             "(default 8)"),
    cl::value_desc("N"), cl::init(8), cl::cat(runCategory));

int fail(const llvm::Twine &message) {
  llvm::outs().flush();
  llvm::errs() << "tessera-run: error: " << message << "\n";
  return 1;
}

/// Owns the model and context so that every exit path frees them.
struct Session {
  const PackageABI &abi;
  tessera_model_t *model = nullptr;
  tessera_context_t *context = nullptr;
  explicit Session(const PackageABI &abi) : abi(abi) {}
  ~Session() {
    if (context)
      abi.context_free(context);
    if (model)
      abi.model_free(model);
  }
};

/// One model input and where its data comes from.
struct InputBinding {
  TensorSpec spec;
  std::optional<HostTensor> tensor;
  std::string source; // file path or "random"
};

struct OutputResult {
  TensorSpec spec;
  std::optional<HostTensor> tensor;
  std::string file; // empty unless written
};

std::string sanitizeFileName(StringRef name) {
  std::string result;
  for (char c : name)
    result += llvm::isAlnum(c) || c == '_' || c == '.' || c == '-' ? c : '_';
  return result;
}

TensorSpec toSpec(const tessera_tensor_info_t &info) {
  TensorSpec spec;
  spec.name = info.name ? info.name : "";
  spec.dtype = info.dtype;
  for (int32_t i = 0; i < info.rank; ++i) {
    spec.dims.push_back(info.dims[i]);
    if (info.dims[i] < 0 && info.dim_names && info.dim_names[i])
      spec.dimNames.push_back(std::string(info.dim_names[i]));
    else
      spec.dimNames.push_back(std::nullopt);
  }
  return spec;
}

llvm::json::Array signatureShape(const TensorSpec &spec) {
  llvm::json::Array shape;
  for (size_t i = 0; i < spec.dims.size(); ++i) {
    if (spec.dims[i] >= 0)
      shape.push_back(spec.dims[i]);
    else if (spec.dimNames[i])
      shape.push_back(*spec.dimNames[i]);
    else
      shape.push_back(nullptr);
  }
  return shape;
}

llvm::json::Array concreteShape(llvm::ArrayRef<int64_t> dims) {
  llvm::json::Array shape;
  for (int64_t dim : dims)
    shape.push_back(dim);
  return shape;
}

std::string listNames(llvm::ArrayRef<InputBinding> inputs) {
  std::string result;
  for (const InputBinding &input : inputs)
    result += (result.empty() ? "'" : ", '") + input.spec.name + "'";
  return result.empty() ? "(none)" : result;
}

/// Splits "NAME=FILE" into its parts. The name is the longest prefix before
/// an '=' that names an input (names may contain '='); without one, an
/// existing file given whole has no name; otherwise the first '=' splits.
void splitInputSpec(StringRef spec, llvm::ArrayRef<InputBinding> inputs,
                    std::optional<std::string> &name, std::string &file) {
  for (size_t at = spec.size(); at-- > 0;) {
    if (spec[at] != '=')
      continue;
    StringRef prefix = spec.take_front(at);
    for (const InputBinding &input : inputs)
      if (input.spec.name == prefix) {
        name = prefix.str();
        file = spec.drop_front(at + 1).str();
        return;
      }
  }
  size_t at = spec.find('=');
  if (at == StringRef::npos || llvm::sys::fs::exists(spec)) {
    name.reset();
    file = spec.str();
    return;
  }
  name = spec.take_front(at).str();
  file = spec.drop_front(at + 1).str();
}

struct BenchStats {
  unsigned warmup = 0;
  std::vector<double> millis;
  double median() const {
    std::vector<double> sorted = millis;
    std::sort(sorted.begin(), sorted.end());
    size_t n = sorted.size();
    return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
  double min() const { return *std::min_element(millis.begin(), millis.end()); }
  double max() const { return *std::max_element(millis.begin(), millis.end()); }
  double mean() const {
    return std::accumulate(millis.begin(), millis.end(), 0.0) / millis.size();
  }
};

struct KernelTime {
  std::string kind, node;
  double millis; ///< mean per run
};

void printProfile(llvm::raw_ostream &os, int64_t runs, double runMillis,
                  llvm::ArrayRef<KernelTime> kernels) {
  double kernelMillis = 0;
  size_t kindWidth = 4;
  for (const KernelTime &kernel : kernels) {
    kernelMillis += kernel.millis;
    kindWidth = std::max(kindWidth, kernel.kind.size());
  }
  auto share = [&](double millis) {
    return runMillis > 0 ? 100 * millis / runMillis : 0.0;
  };
  os << "profile: " << runs << (runs == 1 ? " run" : " runs")
     << llvm::format(", %.3f ms per run, %.1f%% of it in ", runMillis,
                     share(kernelMillis))
     << kernels.size() << " kernels\n";
  os << llvm::format("  %5s  %-*s %10s %7s  %s\n", "#", int(kindWidth),
                     "kind", "us/run", "share", "node");
  for (size_t i = 0; i < kernels.size(); ++i)
    os << llvm::format("  %5zu  %-*s %10.1f %6.1f%%  %s\n", i, int(kindWidth),
                       kernels[i].kind.c_str(), kernels[i].millis * 1000,
                       share(kernels[i].millis), kernels[i].node.c_str());
}

int runTool() {
  if (benchRuns.getNumOccurrences() && benchRuns == 0)
    return fail("--bench needs at least one run");
  cl::opt<int> &numThreads = threadsOption();
  if (numThreads < 0)
    return fail("--threads must not be negative");

  llvm::Expected<std::unique_ptr<Package>> opened = Package::open(packagePath);
  if (!opened)
    return fail(llvm::toString(opened.takeError()));
  Package &package = **opened;
  const PackageABI &abi = package.abi();

  int32_t packageAbi = abi.abi_version();
  Session session(abi);
  const char *weights = weightsPath.empty() ? nullptr : weightsPath.c_str();
  if (tessera_status_t status =
          abi.model_load(TESSERA_ABI_VERSION, weights, &session.model))
    return fail("cannot load the model in '" + packagePath +
                "': " + package.lastError() + " (" + statusName(status) + ")");

  // The signature.
  std::vector<InputBinding> inputs;
  std::vector<OutputResult> outputs;
  for (int32_t i = 0, e = abi.model_num_inputs(session.model); i < e; ++i) {
    tessera_tensor_info_t info;
    if (tessera_status_t status = abi.model_input_info(session.model, i, &info))
      return fail("cannot query input " + llvm::Twine(i) + ": " +
                  package.lastError() + " (" + statusName(status) + ")");
    inputs.push_back({toSpec(info), std::nullopt, ""});
  }
  for (int32_t i = 0, e = abi.model_num_outputs(session.model); i < e; ++i) {
    tessera_tensor_info_t info;
    if (tessera_status_t status =
            abi.model_output_info(session.model, i, &info))
      return fail("cannot query output " + llvm::Twine(i) + ": " +
                  package.lastError() + " (" + statusName(status) + ")");
    outputs.push_back({toSpec(info), std::nullopt, ""});
  }

  // --input files.
  for (const std::string &spec : inputSpecs) {
    std::optional<std::string> name;
    std::string file;
    splitInputSpec(spec, inputs, name, file);
    if (file.empty())
      return fail("--input '" + spec + "': no file given");
    bool isNpy = StringRef(file).ends_with_insensitive(".npy");
    bool isPb = StringRef(file).ends_with_insensitive(".pb");
    if (!isNpy && !isPb)
      return fail("--input '" + spec +
                  "': unknown file type; expected a .npy or .pb file");
    std::string protoName;
    llvm::Expected<HostTensor> tensor =
        isNpy ? readNpy(file) : readTensorProto(file, protoName);
    if (!tensor)
      return fail(llvm::toString(tensor.takeError()));

    InputBinding *target = nullptr;
    if (name) {
      for (InputBinding &input : inputs)
        if (input.spec.name == *name)
          target = &input;
      if (!target)
        return fail("--input '" + spec + "': the model has no input '" + *name +
                    "'; its inputs are " + listNames(inputs));
    } else if (inputs.size() == 1) {
      target = &inputs.front();
    } else {
      for (InputBinding &input : inputs)
        if (!protoName.empty() && input.spec.name == protoName)
          target = &input;
      if (!target)
        return fail("--input '" + spec + "': the model has " +
                    llvm::Twine(inputs.size()) +
                    " inputs, so name the one to feed (NAME=FILE); its inputs "
                    "are " +
                    listNames(inputs));
    }
    if (target->tensor)
      return fail("input '" + target->spec.name + "' is given twice ('" +
                  target->source + "' and '" + file + "')");
    // numpy has no bfloat16: float32 data feeds a bfloat16 input.
    if (target->spec.dtype == TESSERA_DTYPE_BFLOAT16 &&
        tensor->dtype() == TESSERA_DTYPE_FLOAT32)
      *tensor = convertFloat32ToBFloat16(*tensor);
    target->tensor = std::move(*tensor);
    target->source = file;
  }

  // Symbolic dimensions: --dim, else what the given inputs imply, else 1.
  std::set<std::string> symbols;
  for (const InputBinding &input : inputs)
    for (const auto &dimName : input.spec.dimNames)
      if (dimName)
        symbols.insert(*dimName);
  llvm::StringMap<int64_t> symbolValues;
  for (const std::string &spec : dimSpecs) {
    auto [name, valueText] = StringRef(spec).rsplit('=');
    int64_t value;
    if (!StringRef(spec).contains('=') || name.empty() ||
        valueText.getAsInteger(10, value) || value < 0)
      return fail("--dim '" + spec + "': expected NAME=VALUE with VALUE >= 0");
    if (!symbols.count(name.str())) {
      std::string known;
      for (const std::string &symbol : symbols)
        known += (known.empty() ? "'" : ", '") + symbol + "'";
      return fail("--dim '" + spec + "': the model's inputs have no symbolic "
                  "dimension '" + name + "'" +
                  (known.empty() ? std::string(" (they have none)")
                                 : "; they have " + known));
    }
    symbolValues[name] = value;
  }
  for (const InputBinding &input : inputs) {
    if (!input.tensor || input.tensor->dims().size() != input.spec.dims.size())
      continue;
    for (size_t d = 0; d < input.spec.dims.size(); ++d)
      if (input.spec.dimNames[d])
        symbolValues.try_emplace(*input.spec.dimNames[d],
                                 input.tensor->dims()[d]);
  }

  // Missing inputs.
  std::vector<InputBinding> missing;
  for (const InputBinding &input : inputs)
    if (!input.tensor)
      missing.push_back({input.spec, std::nullopt, ""});
  if (!missing.empty() && !randomInputs)
    return fail("missing input" + llvm::Twine(missing.size() > 1 ? "s " : " ") +
                listNames(missing) +
                "; give them with --input NAME=FILE or fill them with "
                "--random");
  for (size_t i = 0; i < inputs.size(); ++i) {
    InputBinding &input = inputs[i];
    if (input.tensor)
      continue;
    std::vector<int64_t> dims;
    for (size_t d = 0; d < input.spec.dims.size(); ++d) {
      if (input.spec.dims[d] >= 0)
        dims.push_back(input.spec.dims[d]);
      else if (input.spec.dimNames[d])
        dims.push_back(symbolValues.count(*input.spec.dimNames[d])
                           ? symbolValues.lookup(*input.spec.dimNames[d])
                           : 1);
      else
        dims.push_back(1);
    }
    llvm::Expected<HostTensor> tensor =
        HostTensor::allocate(input.spec.dtype, dims);
    if (!tensor)
      return fail("cannot make random data for input '" + input.spec.name +
                  "': " + llvm::toString(tensor.takeError()));
    // Each input has its own stream, so that giving one input from a file
    // leaves the others' data unchanged.
    fillRandom(*tensor, seed * 0x100000001b3ULL + i);
    input.tensor = std::move(*tensor);
    input.source = "random";
  }

  // Context and inputs.
  if (tessera_status_t status =
          abi.context_create(session.model, &session.context))
    return fail("cannot create a context: " + package.lastError() + " (" +
                statusName(status) + ")");
  if (numThreads.getNumOccurrences())
    if (tessera_status_t status =
            abi.context_set_num_threads(session.context, numThreads))
      return fail("cannot use " + llvm::Twine(int(numThreads)) +
                  " threads: " + package.lastError() + " (" +
                  statusName(status) + ")");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const HostTensor &tensor = *inputs[i].tensor;
    if (tessera_status_t status = abi.context_set_input(
            session.context, int32_t(i), tensor.data(), tensor.dims().data(),
            int32_t(tensor.dims().size()), tensor.dtype())) {
      // The runtime's messages usually start "input 'NAME': "; say it once.
      std::string message = package.lastError();
      std::string prefix = "input '" + inputs[i].spec.name + "': ";
      if (StringRef(message).starts_with(prefix))
        message.erase(0, prefix.size());
      return fail("input '" + inputs[i].spec.name + "' (" +
                  dtypeName(tensor.dtype()) + tensor.shapeStr() + " from '" +
                  inputs[i].source + "') was rejected: " + message + " (" +
                  statusName(status) + ")");
    }
  }

  // Run.
  auto runOnce = [&]() -> int {
    if (tessera_status_t status = abi.context_run(session.context))
      return fail("the run failed: " + package.lastError() + " (" +
                  statusName(status) + ")");
    return 0;
  };
  auto startProfiling = [&]() -> int {
    if (!profileKernels)
      return 0;
    if (tessera_status_t status =
            abi.context_set_profiling(session.context, 1))
      return fail("cannot profile: " + package.lastError() + " (" +
                  statusName(status) + ")");
    return 0;
  };
  BenchStats bench;
  if (benchRuns) {
    bench.warmup = std::max(1u, benchRuns / 10);
    for (unsigned i = 0; i < bench.warmup; ++i)
      if (int rc = runOnce())
        return rc;
    if (int rc = startProfiling())
      return rc;
    for (unsigned i = 0; i < benchRuns; ++i) {
      auto start = std::chrono::steady_clock::now();
      if (int rc = runOnce())
        return rc;
      auto end = std::chrono::steady_clock::now();
      bench.millis.push_back(
          std::chrono::duration<double, std::milli>(end - start).count());
    }
  } else {
    if (int rc = startProfiling())
      return rc;
    if (int rc = runOnce())
      return rc;
  }
  std::vector<KernelTime> kernelTimes;
  tessera_profile_t profile = {};
  if (profileKernels) {
    if (tessera_status_t status =
            abi.context_get_profile(session.context, &profile))
      return fail("cannot read the profile: " + package.lastError() + " (" +
                  statusName(status) + ")");
    for (int32_t i = 0; i < profile.num_kernels; ++i) {
      tessera_kernel_info_t info;
      if (tessera_status_t status =
              abi.model_kernel_info(session.model, i, &info))
        return fail("cannot describe kernel " + llvm::Twine(i) + ": " +
                    package.lastError() + " (" + statusName(status) + ")");
      kernelTimes.push_back({info.kind, info.node,
                             profile.kernel_ns[i] / 1e6 / profile.runs});
    }
  }
  double runMillis = profileKernels ? profile.run_ns / 1e6 / profile.runs : 0;

  // Outputs.
  if (!outputDir.empty())
    if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
      return fail("cannot create output directory '" + outputDir +
                  "': " + ec.message());
  std::set<std::string> usedFileNames;
  for (size_t i = 0; i < outputs.size(); ++i) {
    OutputResult &output = outputs[i];
    tessera_tensor_t result;
    if (tessera_status_t status =
            abi.context_get_output(session.context, int32_t(i), &result))
      return fail("cannot read output '" + output.spec.name +
                  "': " + package.lastError() + " (" + statusName(status) +
                  ")");
    if (result.rank < 0 || result.rank > TESSERA_MAX_RANK)
      return fail("output '" + output.spec.name + "' has invalid rank " +
                  llvm::Twine(result.rank));
    llvm::Expected<HostTensor> tensor = HostTensor::allocate(
        result.dtype, llvm::ArrayRef<int64_t>(result.dims, result.rank));
    if (!tensor)
      return fail("output '" + output.spec.name +
                  "': " + llvm::toString(tensor.takeError()));
    if (tensor->sizeInBytes()) {
      if (!result.data)
        return fail("output '" + output.spec.name + "' has no data");
      std::memcpy(tensor->data(), result.data, tensor->sizeInBytes());
    }
    output.tensor = std::move(*tensor);

    if (!outputDir.empty()) {
      std::string base = sanitizeFileName(output.spec.name);
      if (base.empty())
        base = "output" + std::to_string(i);
      if (!usedFileNames.insert(base).second) {
        base += "_" + std::to_string(i);
        usedFileNames.insert(base);
      }
      llvm::SmallString<256> file(outputDir);
      llvm::sys::path::append(file, base + ".npy");
      if (llvm::Error error = writeNpy(file, *output.tensor))
        return fail(llvm::toString(std::move(error)));
      output.file = std::string(file);
    }
  }

  // Report.
  if (jsonOutput) {
    // OStream keeps the keys in this order (json::Object would sort them).
    llvm::json::OStream json(llvm::outs(), 2);
    auto signatureEntry = [&](const TensorSpec &spec) {
      json.object([&] {
        json.attribute("name", spec.name);
        json.attribute("dtype", dtypeName(spec.dtype));
        json.attribute("shape", signatureShape(spec));
      });
    };
    json.object([&] {
      json.attribute("model", abi.model_name(session.model));
      json.attribute("package", package.path());
      json.attribute("abi_version", packageAbi);
      json.attribute("arena_bytes", abi.model_arena_bytes(session.model));
      json.attributeObject("signature", [&] {
        json.attributeArray("inputs", [&] {
          for (const InputBinding &input : inputs)
            signatureEntry(input.spec);
        });
        json.attributeArray("outputs", [&] {
          for (const OutputResult &output : outputs)
            signatureEntry(output.spec);
        });
      });
      json.attributeArray("inputs", [&] {
        for (const InputBinding &input : inputs)
          json.object([&] {
            json.attribute("name", input.spec.name);
            json.attribute("dtype", dtypeName(input.tensor->dtype()));
            json.attribute("shape", concreteShape(input.tensor->dims()));
            json.attribute("source", input.source);
          });
      });
      json.attributeArray("outputs", [&] {
        for (const OutputResult &output : outputs)
          json.object([&] {
            json.attribute("name", output.spec.name);
            json.attribute("dtype", dtypeName(output.tensor->dtype()));
            json.attribute("shape", concreteShape(output.tensor->dims()));
            if (!output.file.empty())
              json.attribute("file", output.file);
          });
      });
      if (numThreads.getNumOccurrences())
        json.attribute("threads", int(numThreads));
      if (benchRuns) {
        json.attribute("runs", int64_t(bench.millis.size()));
        json.attribute("warmup_runs", bench.warmup);
        json.attribute("median_ms", bench.median());
        json.attribute("min_ms", bench.min());
        json.attribute("mean_ms", bench.mean());
        json.attribute("max_ms", bench.max());
      }
      if (profileKernels)
        json.attributeObject("profile", [&] {
          json.attribute("runs", profile.runs);
          json.attribute("run_ms", runMillis);
          json.attributeArray("kernels", [&] {
            for (const KernelTime &kernel : kernelTimes)
              json.object([&] {
                json.attribute("kind", kernel.kind);
                json.attribute("node", kernel.node);
                json.attribute("ms", kernel.millis);
              });
          });
        });
    });
    llvm::outs() << "\n";
    return 0;
  }

  llvm::raw_ostream &os = llvm::outs();
  os << "model: " << abi.model_name(session.model) << " (" << package.path()
     << ", arena " << abi.model_arena_bytes(session.model) << " bytes)\n";
  os << "inputs:\n";
  for (const InputBinding &input : inputs)
    os << "  " << input.spec.name << ": " << input.spec.str() << " <- "
       << input.source << " " << dtypeName(input.tensor->dtype())
       << input.tensor->shapeStr() << "\n";
  os << "outputs:\n";
  for (const OutputResult &output : outputs) {
    const HostTensor &tensor = *output.tensor;
    os << "  " << output.spec.name << ": " << output.spec.str() << " -> "
       << dtypeName(tensor.dtype()) << tensor.shapeStr() << " "
       << formatValues(tensor.dtype(), tensor.data(), tensor.numElements(),
                       printCount);
    if (!output.file.empty())
      os << " (written to " << output.file << ")";
    os << "\n";
  }
  if (benchRuns) {
    // Microseconds for fast models, so that the figures stay readable.
    bool micro = bench.median() < 1.0;
    double scale = micro ? 1000.0 : 1.0;
    const char *unit = micro ? "us" : "ms";
    os << "benchmark: " << bench.millis.size() << " runs after "
       << bench.warmup << " warm-up: "
       << llvm::format("median %.3f %s, min %.3f %s, mean %.3f %s, max %.3f %s",
                       bench.median() * scale, unit, bench.min() * scale, unit,
                       bench.mean() * scale, unit, bench.max() * scale, unit)
       << "\n";
  }
  if (profileKernels)
    printProfile(os, profile.runs, runMillis, kernelTimes);
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  threadsOption();
  cl::HideUnrelatedOptions(runCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "tessera-run: run a compiled tessera model package\n\n"
      "Loads MODEL.so, written by `tessera-compile model.onnx -o model.so`,\n"
      "through its C ABI (tessera_runtime.h), binds every input from an\n"
      "--input file or --random data, runs the model and prints each\n"
      "output's shape, type and first values (or, with --json, one JSON\n"
      "object). --output-dir saves the outputs as .npy files; --bench N\n"
      "times N runs; --profile times each kernel of the runs and names\n"
      "the ONNX node it computes.\n\n"
      "Examples:\n"
      "  tessera-run model.so --input x=x.npy --output-dir out\n"
      "  tessera-run model.so --random --dim batch=8 --bench 100 --json\n"
      "  tessera-run model.so --random --bench 100 --profile\n\n"
      "Errors, including the package's own (tessera_last_error), are\n"
      "printed as 'tessera-run: error: ...' and exit with status 1.\n");
  return runTool();
}
