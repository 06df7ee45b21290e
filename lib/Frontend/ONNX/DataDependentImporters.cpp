//===- DataDependentImporters.cpp - ops whose output size is data -------===//
//
// NonZero, Compress, Unique and NonMaxSuppression return as many elements
// as the data asks for. NonZero and NonMaxSuppression are tessera ops;
// Compress and Unique are spelled with tessera.non_zero, gathers and comparisons. Their
// results keep a dynamic dimension even when the model declares a static
// one (the graph importer does not refine them), so the package reports
// the size it computed.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include <limits>

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::onnx_frontend;

static Value nonZero(NodeImporter &n, Value input) {
  auto type = cast<RankedTensorType>(input.getType());
  return n.create<NonZeroOp>(
      RankedTensorType::get({type.getRank(), ShapedType::kDynamic},
                            n.getBuilder().getI64Type()),
      input);
}

/// The positions of the non-zero entries of a 1-D `mask`, as a 1-D i64
/// tensor of run-time length.
static Value nonZeroPositions(NodeImporter &n, Value mask) {
  return n.reshapeWithDims(nonZero(n, mask), {ShapedType::kDynamic}, {1});
}

static LogicalResult importNonZero(NodeImporter &n) {
  if (n.getInputType(0).getRank() == 0)
    return n.fail("NonZero of a 0-D tensor is not supported");
  n.setResult(0, nonZero(n, n.getInput(0)));
  return success();
}

/// The input of Compress and Unique with the axis they work along: the
/// `axis` attribute, or axis 0 of the input flattened (which needs a static
/// shape) when there is none.
static FailureOr<std::pair<Value, int64_t>> dataAlongAxis(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  if (n.hasAttr("axis")) {
    FailureOr<int64_t> axis =
        n.normalizeAxis(n.getInt("axis", 0), input.getRank());
    if (failed(axis))
      return failure();
    return std::make_pair(n.getInput(0), *axis);
  }
  if (!input.hasStaticShape())
    return n.fail("without an axis the input shape must be static");
  Value flat = n.create<ReshapeOp>(
      RankedTensorType::get({input.getNumElements()}, input.getElementType()),
      n.getInput(0), Value());
  return std::make_pair(flat, int64_t(0));
}

/// Compress: Gather along `axis` (of the flattened input without one) at
/// the positions where `condition` is true. A condition longer than the
/// axis is cut to it; a shorter one selects nothing past its end.
static LogicalResult importCompress(NodeImporter &n) {
  RankedTensorType condition = n.getInputType(1);
  OpBuilder &b = n.getBuilder();
  FailureOr<std::pair<Value, int64_t>> along = dataAlongAxis(n);
  if (failed(along))
    return failure();
  auto [data, axis] = *along;
  auto dataType = cast<RankedTensorType>(data.getType());
  if (condition.getRank() != 1 || condition.isDynamicDim(0) ||
      dataType.isDynamicDim(axis))
    return n.fail("needs a static 1-D condition and a static axis size");
  Value mask = n.getInput(1);
  if (condition.getDimSize(0) > dataType.getDimSize(axis))
    mask = n.create<SliceOp>(mask, b.getDenseI64ArrayAttr({0}),
                             b.getDenseI64ArrayAttr({dataType.getDimSize(axis)}),
                             b.getDenseI64ArrayAttr({1}));
  n.setResult(0, n.create<GatherOp>(data, nonZeroPositions(n, mask),
                                    b.getI64IntegerAttr(axis)));
  return success();
}

/// Unique by comparing every pair of slices along `axis` (of every element
/// without one): quadratic in the axis length, fine for the sizes Unique
/// sees in practice. With the N slices as rows of F (N x M):
///   same[i][j]  = F[i] == F[j]
///   first[i]    = i is the first j with same[i][j]
///   rank[i]     = sorted: number of distinct rows below F[i]
///                 (lexicographic); unsorted: number of first rows before
///                 the first copy of F[i]
/// then the unique rows are the first ones, placed by rank.
static LogicalResult importUnique(NodeImporter &n) {
  RankedTensorType input = n.getInputType(0);
  if (!input.hasStaticShape())
    return n.fail("Unique needs a static input shape");
  OpBuilder &b = n.getBuilder();
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  Type element = input.getElementType();
  bool sorted = n.getInt("sorted", 1) != 0;
  FailureOr<std::pair<Value, int64_t>> along = dataAlongAxis(n);
  if (failed(along))
    return failure();
  auto [data, axis] = *along;
  auto dataType = cast<RankedTensorType>(data.getType());
  int64_t rows = dataType.getDimSize(axis);
  int64_t width = rows == 0 ? 0 : dataType.getNumElements() / rows;
  if (rows == 0)
    return n.fail("Unique of an empty axis is not supported");

  // F: the slices as rows.
  SmallVector<int64_t> perm = {axis};
  for (int64_t d = 0; d < dataType.getRank(); ++d)
    if (d != axis)
      perm.push_back(d);
  Value f = n.create<TransposeOp>(data, b.getDenseI64ArrayAttr(perm));
  auto tensorOf = [](ArrayRef<int64_t> shape, Type t) {
    return RankedTensorType::get(shape, t);
  };
  f = n.create<ReshapeOp>(tensorOf({rows, width}, element), f, Value());
  Value lhs = n.create<ReshapeOp>(tensorOf({rows, 1, width}, element), f,
                                  Value());
  Value rhs = n.create<ReshapeOp>(tensorOf({1, rows, width}, element), f,
                                  Value());
  Value equalElements = n.create<EqualOp>(lhs, rhs);
  auto reduce = [&](auto opTag, Value v, int64_t along) -> Value {
    using OpTy = decltype(opTag);
    return n.create<OpTy>(v, b.getDenseI64ArrayAttr({along}),
                          b.getBoolAttr(false));
  };
  auto castTo = [&](Value v, Type t) -> Value {
    return n.create<CastOp>(cast<RankedTensorType>(v.getType()).clone(t), v);
  };
  // same[i][j] as i32 (1 when all M entries agree).
  Value same = reduce(ReduceMinOp(), castTo(equalElements, i32), 2);

  Value iota = n.indexGrid({rows}, 0);
  Value firstCopy = n.create<ArgMaxOp>(same, b.getI64IntegerAttr(1),
                                       b.getBoolAttr(false), b.getBoolAttr(false));
  Value isFirst = n.create<EqualOp>(firstCopy, iota);

  Value rank;
  if (sorted) {
    // less[i][j]: F[i] < F[j] at the first entry where they differ.
    Value differsBefore = n.create<CumSumOp>(
        castTo(n.create<NotOp>(equalElements), i32), b.getI64IntegerAttr(2),
        b.getBoolAttr(true), b.getBoolAttr(false));
    Value decides = n.create<EqualOp>(differsBefore, n.constantScalar(i32, 0));
    Value less = reduce(
        ReduceMaxOp(),
        castTo(n.create<AndOp>(n.create<LessOp>(lhs, rhs), decides), i32), 2);
    // rank[i] = sum over first rows j of less[j][i].
    Value firstColumn = n.create<ReshapeOp>(
        tensorOf({rows, 1}, i32), castTo(isFirst, i32), Value());
    rank = castTo(reduce(ReduceSumOp(), n.create<MulOp>(firstColumn, less), 0),
                  i64);
  } else {
    Value order = n.create<CumSumOp>(castTo(isFirst, i64),
                                     b.getI64IntegerAttr(0), b.getBoolAttr(true),
                                     b.getBoolAttr(false));
    rank = n.create<GatherOp>(order, firstCopy, b.getI64IntegerAttr(0));
  }

  Value firstRows = nonZeroPositions(n, isFirst);
  Value indices = firstRows;
  if (sorted) {
    // indices[rank of a first row] = that row.
    Value firstRanks = n.create<GatherOp>(rank, firstRows, b.getI64IntegerAttr(0));
    indices = n.create<ScatterElementsOp>(
        firstRows.getType(), firstRows, firstRanks, firstRows,
        b.getI64IntegerAttr(0),
        ScatterReductionAttr::get(n.getContext(), ScatterReduction::none));
  }
  n.setResult(0, n.create<GatherOp>(data, indices, b.getI64IntegerAttr(axis)));
  if (n.hasOutput(1))
    n.setResult(1, indices);
  if (n.hasOutput(2))
    n.setResult(2, rank);
  if (n.hasOutput(3))
    n.setResult(3, castTo(reduce(ReduceSumOp(),
                                 n.create<GatherOp>(same, indices,
                                                    b.getI64IntegerAttr(0)),
                                 1),
                          i64));
  return success();
}


/// NonMaxSuppression; absent optional inputs take ONNX's defaults (no
/// boxes per class, IoU threshold 0, no score threshold).
static LogicalResult importNonMaxSuppression(NodeImporter &n) {
  RankedTensorType boxes = n.getInputType(0);
  Type element = boxes.getElementType();
  auto scalar = [&](int64_t index, Type type, double fallback) -> Value {
    if (!n.hasInput(index))
      return n.constantScalar(type, fallback);
    return n.create<ReshapeOp>(RankedTensorType::get({}, type),
                               n.getInput(index), Value());
  };
  for (int64_t i : {2, 3, 4})
    if (n.hasInput(i) && n.getInputType(i).getNumElements() != 1)
      return n.fail("input " + llvm::Twine(i) + " must hold one value");
  Value maxOutput = scalar(2, n.getBuilder().getI64Type(), 0);
  Value iouThreshold = scalar(3, element, 0);
  Value scoreThreshold =
      scalar(4, element, -std::numeric_limits<double>::infinity());
  n.setResult(0, n.create<NonMaxSuppressionOp>(
                     RankedTensorType::get({ShapedType::kDynamic, 3},
                                           n.getBuilder().getI64Type()),
                     n.getInput(0), n.getInput(1), maxOutput, iouThreshold,
                     scoreThreshold,
                     n.getBuilder().getBoolAttr(
                         n.getInt("center_point_box", 0) != 0)));
  return success();
}

void onnx_frontend::registerDataDependentImporters(OpImporterRegistry &r) {
  r.onOp("NonZero", 9, importNonZero);
  r.onOp("Compress", 9, importCompress);
  r.onOp("Unique", 11, importUnique);
  r.onOp("NonMaxSuppression", 10, importNonMaxSuppression);
}
