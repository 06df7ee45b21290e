//===- ConstantsTest.cpp - constant storage -------------------------------===//

#include "tessera/Dialect/Tessera/IR/TesseraConstants.h"
#include "tessera/Dialect/Tessera/IR/TesseraDialect.h"

#include "mlir/IR/MLIRContext.h"
#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::tessera;

TEST(Constants, SmallConstantsAreDenseAndLargeOnesAreResources) {
  MLIRContext context;
  auto f32 = Float32Type::get(&context);
  std::vector<float> small(4, 1.5f), large(1000, 2.5f);
  ElementsAttr a = makeConstantAttr(
      RankedTensorType::get({4}, f32),
      ArrayRef<char>(reinterpret_cast<const char *>(small.data()), 16), "w");
  ElementsAttr b = makeConstantAttr(
      RankedTensorType::get({10, 100}, f32),
      ArrayRef<char>(reinterpret_cast<const char *>(large.data()), 4000), "w");
  EXPECT_TRUE(isa<DenseElementsAttr>(a));
  EXPECT_TRUE(isa<DenseResourceElementsAttr>(b));

  std::optional<ConstantBytes> bytes = ConstantBytes::get(b);
  ASSERT_TRUE(bytes.has_value());
  ASSERT_EQ(bytes->getData().size(), 4000u);
  float value;
  std::memcpy(&value, bytes->getData().data() + 4 * 999, 4);
  EXPECT_EQ(value, 2.5f);
}

TEST(Constants, SplatsExpandToEveryElement) {
  MLIRContext context;
  auto type = RankedTensorType::get({3, 2}, IntegerType::get(&context, 64));
  auto splat = DenseElementsAttr::get(type, APInt(64, 7));
  std::optional<ConstantBytes> bytes = ConstantBytes::get(splat);
  ASSERT_TRUE(bytes.has_value());
  ASSERT_EQ(bytes->getData().size(), 48u);
  int64_t last;
  std::memcpy(&last, bytes->getData().data() + 40, 8);
  EXPECT_EQ(last, 7);
}

TEST(Constants, BooleansHaveNoByteLayout) {
  MLIRContext context;
  EXPECT_EQ(getElementByteSize(IntegerType::get(&context, 1)), 0);
  EXPECT_EQ(getElementByteSize(Float16Type::get(&context)), 2);
}

TEST(Constants, IntValuesOfASplatHaveOneEntryPerElement) {
  MLIRContext context;
  auto type = RankedTensorType::get({3}, IntegerType::get(&context, 64));
  std::optional<SmallVector<int64_t>> values =
      getConstantIntValues(DenseElementsAttr::get(type, APInt(64, -2, true)));
  ASSERT_TRUE(values.has_value());
  EXPECT_EQ(*values, (SmallVector<int64_t>{-2, -2, -2}));
}
