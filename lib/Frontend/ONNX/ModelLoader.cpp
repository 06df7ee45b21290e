//===- ModelLoader.cpp - read, validate and shape-infer a model -*- C++ -*-===//
//
// Everything that happens to the protobuf before IR is built: parsing
// (binary or textual), the opset and supported-op checks, ONNX's checker,
// input-shape specialization and ONNX shape inference. libonnx reports
// problems with exceptions; they end here as diagnostics.
//
//===----------------------------------------------------------------------===//

#include "ModelLoader.h"
#include "NodeImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include "onnx/checker.h"
#include "onnx/defs/parser.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::onnx_frontend;

static bool looksTextual(llvm::StringRef sourceName, llvm::StringRef buffer) {
  if (sourceName.ends_with(".onnxtxt"))
    return true;
  return buffer.ltrim().starts_with("<");
}

static LogicalResult parseModel(llvm::StringRef buffer,
                                llvm::StringRef sourceName, Location loc,
                                onnx::ModelProto &model) {
  if (buffer.empty())
    return emitError(loc) << "'" << sourceName
                          << "' is empty; expected an ONNX model";
  if (looksTextual(sourceName, buffer)) {
    std::string text = buffer.str();
    onnx::OnnxParser parser(text.c_str());
    onnx::Status status = parser.Parse(model);
    if (!status.IsOK())
      return emitError(loc) << "cannot parse '" << sourceName
                            << "' as a textual ONNX model: "
                            << status.ErrorMessage();
    return success();
  }
  google::protobuf::io::ArrayInputStream raw(buffer.data(),
                                             static_cast<int>(buffer.size()));
  google::protobuf::io::CodedInputStream coded(&raw);
  coded.SetTotalBytesLimit(INT_MAX);
  if (!model.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage())
    return emitError(loc) << "cannot parse '" << sourceName
                          << "' as an ONNX model: the protobuf is malformed "
                             "or truncated";
  if (!model.has_graph())
    return emitError(loc) << "'" << sourceName << "' has no graph";
  return success();
}

int64_t onnx_frontend::getDefaultOpset(const onnx::ModelProto &model) {
  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      return opset.version();
  return 0;
}

static int64_t getDomainOpset(const onnx::ModelProto &model,
                              llvm::StringRef domain) {
  if (domain.empty() || domain == "ai.onnx")
    return getDefaultOpset(model);
  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    if (opset.domain() == domain)
      return opset.version();
  return 0;
}

/// One diagnostic for all the ops the importer table lacks, so a user sees
/// the whole gap at once.
static LogicalResult checkSupportedOps(const onnx::ModelProto &model,
                                       Location loc) {
  const OpImporterRegistry &registry = OpImporterRegistry::get();
  SmallVector<std::string> unsupported;
  for (const onnx::NodeProto &node : model.graph().node()) {
    int64_t opset = getDomainOpset(model, node.domain());
    if (registry.lookup(node.domain(), node.op_type(), opset))
      continue;
    std::string line;
    llvm::raw_string_ostream os(line);
    os << node.op_type() << " (domain '"
       << (node.domain().empty() ? "ai.onnx" : node.domain()) << "', opset "
       << opset << ") at " << describeNode(node);
    unsupported.push_back(line);
  }
  if (unsupported.empty())
    return success();
  InFlightDiagnostic diag = emitError(loc);
  diag << "the model uses " << unsupported.size()
       << " unsupported operator node(s):";
  for (const std::string &line : unsupported)
    diag << "\n  " << line;
  return diag;
}

/// Every node input must be a graph input, an initializer or an earlier
/// node's output (ONNX requires topological order).
static LogicalResult checkValuesDefined(const onnx::GraphProto &graph,
                                        Location loc) {
  llvm::StringSet<> defined;
  for (const onnx::ValueInfoProto &input : graph.input())
    defined.insert(input.name());
  for (const onnx::TensorProto &tensor : graph.initializer())
    defined.insert(tensor.name());
  for (const onnx::NodeProto &node : graph.node()) {
    for (const std::string &input : node.input())
      if (!input.empty() && !defined.contains(input))
        return emitError(loc)
               << describeNode(node) << " reads '" << input
               << "', which no graph input, initializer or earlier node "
                  "defines";
    for (const std::string &output : node.output())
      defined.insert(output);
  }
  for (const onnx::ValueInfoProto &output : graph.output())
    if (!defined.contains(output.name()))
      return emitError(loc) << "graph output '" << output.name()
                            << "' is not produced by any node, input or "
                               "initializer";
  return success();
}

static void specializeInputShapes(onnx::ModelProto &model,
                                  const ImportOptions &options) {
  for (onnx::ValueInfoProto &input : *model.mutable_graph()->mutable_input()) {
    auto it = options.inputShapes.find(input.name());
    if (it == options.inputShapes.end() || !input.type().has_tensor_type())
      continue;
    onnx::TensorShapeProto *shape =
        input.mutable_type()->mutable_tensor_type()->mutable_shape();
    const SmallVector<int64_t> &dims = it->second;
    // Keep declared dims (and their symbolic names) where the user wrote `?`.
    onnx::TensorShapeProto declared = *shape;
    shape->clear_dim();
    for (auto [i, size] : llvm::enumerate(dims)) {
      onnx::TensorShapeProto::Dimension *dim = shape->add_dim();
      if (size != ShapedType::kDynamic)
        dim->set_dim_value(size);
      else if (static_cast<int>(i) < declared.dim_size())
        *dim = declared.dim(i);
    }
  }
}

static LogicalResult checkInputShapeOptions(const onnx::ModelProto &model,
                                            const ImportOptions &options,
                                            Location loc) {
  for (const auto &entry : options.inputShapes) {
    const onnx::ValueInfoProto *found = nullptr;
    for (const onnx::ValueInfoProto &input : model.graph().input())
      if (input.name() == entry.getKey())
        found = &input;
    if (!found)
      return emitError(loc) << "--input-shape names '" << entry.getKey()
                            << "', which is not an input of the model";
    if (found->type().has_tensor_type() &&
        found->type().tensor_type().has_shape() &&
        found->type().tensor_type().shape().dim_size() !=
            static_cast<int>(entry.getValue().size()))
      return emitError(loc)
             << "--input-shape gives input '" << entry.getKey() << "' "
             << entry.getValue().size() << " dimensions but the model declares "
             << found->type().tensor_type().shape().dim_size();
    for (auto [i, size] : llvm::enumerate(entry.getValue())) {
      if (!found->type().has_tensor_type() ||
          i >= static_cast<size_t>(found->type().tensor_type().shape().dim_size()))
        break;
      const auto &dim = found->type().tensor_type().shape().dim(i);
      if (size != ShapedType::kDynamic && dim.has_dim_value() &&
          dim.dim_value() != size)
        return emitError(loc)
               << "--input-shape sets dimension " << i << " of input '"
               << entry.getKey() << "' to " << size
               << " but the model fixes it at " << dim.dim_value();
    }
  }
  return success();
}

LogicalResult onnx_frontend::loadModel(llvm::StringRef buffer,
                                       llvm::StringRef sourceName,
                                       llvm::StringRef baseDirectory,
                                       const ImportOptions &options,
                                       Location loc, onnx::ModelProto &model) {
  if (failed(parseModel(buffer, sourceName, loc, model)))
    return failure();

  int64_t opset = getDefaultOpset(model);
  if (opset > kMaxSupportedOpset)
    return emitError(loc) << "'" << sourceName << "' uses ONNX opset " << opset
                          << ", newer than the newest tessera supports ("
                          << kMaxSupportedOpset << ")";
  if (opset == 0)
    return emitError(loc) << "'" << sourceName
                          << "' imports no version of the default ONNX domain";
  if (failed(checkValuesDefined(model.graph(), loc)) ||
      failed(checkSupportedOps(model, loc)) ||
      failed(checkInputShapeOptions(model, options, loc)))
    return failure();

  try {
    // check_model(ModelProto) would look for external data relative to
    // the working directory; check the graph relative to the model's.
    onnx::checker::CheckerContext checker;
    checker.set_ir_version(static_cast<int>(model.ir_version()));
    std::unordered_map<std::string, int> opsets;
    for (const onnx::OperatorSetIdProto &opsetId : model.opset_import())
      opsets[opsetId.domain()] = static_cast<int>(opsetId.version());
    checker.set_opset_imports(opsets);
    checker.set_model_dir(baseDirectory.str());
    onnx::checker::LexicalScopeContext scope;
    onnx::checker::check_graph(model.graph(), checker, scope);
  } catch (const std::exception &e) {
    return emitError(loc) << "'" << sourceName
                          << "' is not a valid ONNX model: " << e.what();
  }

  specializeInputShapes(model, options);
  try {
    onnx::ShapeInferenceOptions inference(/*check_type=*/true,
                                          /*error_mode=*/1,
                                          /*enable_data_propagation=*/true);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       inference);
  } catch (const std::exception &e) {
    // Old exporters use element types an op's schema does not list (an
    // int64 Constant at opset 6, say). That is a schema violation, not a
    // shape conflict: infer without type checks, and say so.
    std::string message = e.what();
    if (message.find("has unsupported type") == std::string::npos)
      return emitError(loc) << "ONNX shape inference rejects '" << sourceName
                            << "' (inconsistent types or shapes): " << message;
    emitWarning(loc) << "'" << sourceName
                     << "' uses element types its op schemas do not allow; "
                        "continuing without ONNX type checks: "
                     << message;
    try {
      onnx::ShapeInferenceOptions lax(/*check_type=*/false, /*error_mode=*/0,
                                      /*enable_data_propagation=*/true);
      onnx::shape_inference::InferShapes(
          model, onnx::OpSchemaRegistry::Instance(), lax);
    } catch (const std::exception &retry) {
      return emitError(loc) << "ONNX shape inference rejects '" << sourceName
                            << "': " << retry.what();
    }
  }
  return success();
}
