//===- FusionGroups.cpp - reading and presenting fusion groups ------------===//

#include "tessera/Dialect/Tessera/Transforms/FusionGroups.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringExtras.h"

#include <map>

using namespace mlir;
using namespace mlir::tessera;

std::optional<int64_t> mlir::tessera::getFusionGroup(Operation *op) {
  if (auto id = op->getAttrOfType<IntegerAttr>(kFusionGroupAttr))
    return id.getInt();
  return std::nullopt;
}

SmallVector<FusionGroup> mlir::tessera::collectFusionGroups(func::FuncOp func) {
  std::map<int64_t, FusionGroup> byId;
  if (func.isExternal())
    return {};
  for (Operation &op : func.getBody().front())
    if (std::optional<int64_t> id = getFusionGroup(&op)) {
      FusionGroup &group = byId[*id];
      group.id = *id;
      group.ops.push_back(&op);
    }
  SmallVector<FusionGroup> groups;
  for (auto &[id, group] : byId) {
    for (Operation *op : group.ops)
      for (Value result : op->getResults()) {
        // A product is still written by its own kernel; a conv's bias add,
        // lowered after it, runs in the epilogue's loop nest.
        auto conv = dyn_cast<ConvOp>(op);
        if (headsEpilogueGroup(op) && !(conv && conv.getBias()))
          continue;
        bool internal = !result.use_empty() &&
                        llvm::all_of(result.getUsers(), [&](Operation *user) {
                          return getFusionGroup(user) == id;
                        });
        if (!internal)
          continue;
        auto type = dyn_cast<RankedTensorType>(result.getType());
        if (!type || !type.hasStaticShape()) {
          group.savedBytesPartial = true;
          continue;
        }
        int64_t bits = type.getElementTypeBitWidth();
        group.savedBytes += type.getNumElements() * ((bits + 7) / 8);
      }
    groups.push_back(std::move(group));
  }
  return groups;
}

/// The ONNX node name an op was imported from, when its location has one.
static std::string nodeName(Operation *op) {
  std::string name;
  op->getLoc()->walk([&](Location loc) {
    if (auto named = dyn_cast<NameLoc>(loc)) {
      name = named.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

void mlir::tessera::printFusionReport(llvm::raw_ostream &os, ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>()) {
    SmallVector<FusionGroup> groups = collectFusionGroups(func);
    int64_t ops = 0, bytes = 0;
    bool partial = false;
    for (const FusionGroup &group : groups) {
      ops += static_cast<int64_t>(group.ops.size());
      bytes += group.savedBytes;
      partial |= group.savedBytesPartial;
    }
    os << "fusion report for @" << func.getSymName() << ": " << groups.size()
       << " groups of " << ops << " ops; intermediates no longer written: "
       << bytes << " bytes" << (partial ? " (plus dynamically shaped ones)" : "")
       << "\n";
    for (const FusionGroup &group : groups) {
      os << "  group " << group.id << ": " << group.ops.size() << " ops, "
         << group.savedBytes << " bytes not written"
         << (group.savedBytesPartial ? " (plus dynamic ones)" : "") << "\n";
      for (Operation *op : group.ops) {
        os << "    " << op->getName().getStringRef();
        std::string node = nodeName(op);
        if (!node.empty())
          os << " '" << node << "'";
        os << " -> " << op->getResult(0).getType() << "\n";
      }
    }
  }
}

static std::string escapeDot(StringRef text) {
  std::string escaped;
  for (char c : text) {
    if (c == '"' || c == '\\')
      escaped += '\\';
    escaped += c;
  }
  return escaped;
}

void mlir::tessera::printFusionDot(llvm::raw_ostream &os, ModuleOp module) {
  os << "digraph tessera {\n  rankdir=TB;\n  node [shape=box, fontsize=10, "
        "style=filled, fillcolor=white];\n";
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    std::string prefix = func.getSymName().str() + "_";
    llvm::DenseMap<Value, std::string> nodeOf;
    for (auto [index, arg] : llvm::enumerate(func.getArguments())) {
      std::string node = prefix + "arg" + std::to_string(index);
      nodeOf[arg] = node;
      std::string label = "input";
      if (auto name = func.getArgAttrOfType<StringAttr>(index, "tessera.name"))
        label = name.getValue().str();
      os << "  \"" << node << "\" [label=\"" << escapeDot(label)
         << "\", shape=ellipse, fillcolor=lightgrey];\n";
    }
    std::map<int64_t, SmallVector<std::string>> clusters;
    SmallVector<std::string> edges;
    int64_t counter = 0;
    for (Operation &op : func.getBody().front()) {
      if (matchPattern(&op, m_Constant()))
        continue;
      std::string node = prefix + "op" + std::to_string(counter++);
      for (Value result : op.getResults())
        nodeOf[result] = node;
      std::string label = op.getName().getStringRef().str();
      if (isa<func::ReturnOp>(op))
        label = "outputs";
      else if (op.getNumResults() == 1) {
        std::string type;
        llvm::raw_string_ostream typeStream(type);
        typeStream << op.getResult(0).getType();
        label += "\\n" + escapeDot(type);
      }
      std::string line = "\"" + node + "\" [label=\"" + label + "\"";
      if (isa<func::ReturnOp>(op))
        line += ", shape=ellipse, fillcolor=lightgrey";
      line += "];";
      if (std::optional<int64_t> group = getFusionGroup(&op))
        clusters[*group].push_back(line);
      else
        os << "  " << line << "\n";
      for (Value operand : op.getOperands()) {
        auto source = nodeOf.find(operand);
        if (source != nodeOf.end())
          edges.push_back("\"" + source->second + "\" -> \"" + node + "\";");
      }
    }
    for (auto &[group, lines] : clusters) {
      os << "  subgraph \"cluster_" << prefix << group << "\" {\n"
         << "    label=\"fusion group " << group
         << "\"; style=filled; fillcolor=\"#e8f0ff\";\n";
      for (const std::string &line : lines)
        os << "    " << line << "\n";
      os << "  }\n";
    }
    for (const std::string &edge : edges)
      os << "  " << edge << "\n";
  }
  os << "}\n";
}
