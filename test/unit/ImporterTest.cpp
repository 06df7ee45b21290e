//===- ImporterTest.cpp - importer entry points ---------------------------===//

#include "tessera/Frontend/ONNX/Importer.h"

#include "tessera/Dialect/Tessera/IR/TesseraOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::tessera::onnx_frontend;

TEST(InputShape, ParsesStaticAndSymbolicDims) {
  ImportOptions options;
  EXPECT_EQ(addInputShape("input=1x3x?x224", options), "");
  ASSERT_EQ(options.inputShapes["input"].size(), 4u);
  EXPECT_EQ(options.inputShapes["input"][2], ShapedType::kDynamic);
  EXPECT_EQ(options.inputShapes["input"][3], 224);
}

TEST(InputShape, RejectsMalformedSpecs) {
  ImportOptions options;
  EXPECT_NE(addInputShape("input", options), "");
  EXPECT_NE(addInputShape("=1x2", options), "");
  EXPECT_NE(addInputShape("x=1x-2", options), "");
  EXPECT_TRUE(options.inputShapes.empty());
}

static const char *kModel = R"(
<ir_version: 8, opset_import: ["" : 11]>
g (float[N, 4] x) => (float[N, 4] y) {
  y = Softmax <axis = 1> (x)
}
)";

TEST(Importer, ImportsFromMemoryAndSpecializes) {
  MLIRContext context;
  ImportOptions options;
  ASSERT_EQ(addInputShape("x=3x4", options), "");
  OwningOpRef<ModuleOp> module =
      importModelBuffer(&context, kModel, "memory.onnxtxt", ".", options);
  ASSERT_TRUE(module);
  auto func = module->lookupSymbol<func::FuncOp>("main");
  ASSERT_TRUE(func);
  EXPECT_EQ(func.getResultTypes()[0],
            RankedTensorType::get({3, 4}, Float32Type::get(&context)));
  int softmaxCount = 0;
  func.walk([&](mlir::tessera::SoftmaxOp) { ++softmaxCount; });
  EXPECT_EQ(softmaxCount, 1);
}

TEST(Importer, ReportsErrorsThroughTheContext) {
  MLIRContext context;
  std::string messages;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    messages += diag.str();
    return success();
  });
  OwningOpRef<ModuleOp> module =
      importModelBuffer(&context, "not a model", "bad.onnx", ".", {});
  EXPECT_FALSE(module);
  EXPECT_NE(messages.find("malformed or truncated"), std::string::npos);
}
