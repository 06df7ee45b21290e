//===- SamplingToLinalg.cpp - Resize and GridSample ---------------------===//
//
// Ops that read their input at computed, fractional coordinates: every
// output element is one linalg.generic body that finds its source
// coordinate, then reads the nearest element or interpolates (linear or
// Keys cubic) between neighbours with tensor.extract.
//
//===----------------------------------------------------------------------===//

#include "LinalgBuilders.h"

#include "tessera/Conversion/TesseraToLinalg.h"
#include "tessera/Dialect/Tessera/IR/TesseraOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::tessera;
using namespace mlir::tessera::lowering;

namespace {

/// Keys' cubic convolution weight of a tap at distance `dist` (>= 0, f32)
/// with coefficient A:
///   |d| <= 1:     (A+2)|d|^3 - (A+3)|d|^2 + 1
///   1 < |d| < 2:  A|d|^3 - 5A|d|^2 + 8A|d| - 4A
Value cubicWeight(OpBuilder &b, Location l, Value dist, double A) {
  Type type = dist.getType();
  auto constF = [&](double v) {
    return arith::ConstantOp::create(b, l, b.getFloatAttr(type, v)).getResult();
  };
  Value d2 = arith::MulFOp::create(b, l, dist, dist);
  Value d3 = arith::MulFOp::create(b, l, d2, dist);
  Value near = arith::AddFOp::create(
      b, l,
      arith::SubFOp::create(b, l, arith::MulFOp::create(b, l, constF(A + 2), d3),
                            arith::MulFOp::create(b, l, constF(A + 3), d2)),
      constF(1));
  Value far = arith::SubFOp::create(
      b, l,
      arith::AddFOp::create(
          b, l,
          arith::SubFOp::create(b, l, arith::MulFOp::create(b, l, constF(A), d3),
                                arith::MulFOp::create(b, l, constF(5 * A), d2)),
          arith::MulFOp::create(b, l, constF(8 * A), dist)),
      constF(4 * A));
  Value isNear =
      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, dist, constF(1));
  return arith::SelectOp::create(b, l, isNear, near, far);
}

/// Resize: each output element computes its source coordinate per
/// dimension (coordinate_transform), then takes the nearest element or
/// interpolates between the two neighbours of every resized dimension.
struct ResizeOpLowering : OpRewritePattern<ResizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ResizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = inputType.getRank();
    if (llvm::any_of(resultType.getShape().drop_front(1),
                     ShapedType::isDynamic) ||
        llvm::any_of(inputType.getShape().drop_front(1), ShapedType::isDynamic) ||
        inputType.getDimSize(0) != resultType.getDimSize(0))
      return rewriter.notifyMatchFailure(
          op, "needs static sizes outside the batch dimension");
    ArrayRef<float> scales = op.getScales();
    Value runtimeScales = op.getRuntimeScales();
    Type elementType = inputType.getElementType();
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(rewriter.getIndexAttr(resultType.getDimSize(d)));
    if (inputType.isDynamicDim(0))
      sizes[0] = tensor::getMixedSize(rewriter, loc, input, 0);
    SmallVector<int64_t> resized;
    for (int64_t d = 0; d < rank; ++d)
      if (inputType.getDimSize(d) != resultType.getDimSize(d) ||
          scales[d] != 1.0f || runtimeScales)
        resized.push_back(d);
    bool linear = op.getMode() == ResizeMode::linear;
    bool cubic = op.getMode() == ResizeMode::cubic;
    CoordinateTransform transform = op.getCoordinateTransform();
    NearestRounding rounding = op.getNearestRounding();
    Value result = createFromIndices(
        rewriter, loc, resultType, sizes,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          auto f32 = b.getF32Type();
          auto constF = [&](double v) {
            return arith::ConstantOp::create(b, l, b.getF32FloatAttr(v))
                .getResult();
          };
          SmallVector<Value> base;
          for (int64_t d = 0; d < rank; ++d)
            base.push_back(linalg::IndexOp::create(b, l, d));
          // Per resized dim: low index, high index, weight of the high one.
          SmallVector<Value> lowIndex, highIndex, weight;
          SmallVector<SmallVector<Value>> cubicTaps, cubicWeights;
          for (int64_t d : resized) {
            int64_t in = inputType.getDimSize(d), out = resultType.getDimSize(d);
            Value x = arith::SIToFPOp::create(
                b, l, f32,
                arith::IndexCastOp::create(b, l, b.getI64Type(), base[d]));
            Value scale = constF(scales[d]);
            if (runtimeScales)
              scale = tensor::ExtractOp::create(
                  b, l, runtimeScales,
                  ValueRange{arith::ConstantIndexOp::create(b, l, d)});
            Value source;
            switch (transform) {
            case CoordinateTransform::half_pixel:
            case CoordinateTransform::pytorch_half_pixel:
              source = arith::SubFOp::create(
                  b, l,
                  arith::DivFOp::create(b, l,
                                        arith::AddFOp::create(b, l, x, constF(0.5)),
                                        scale),
                  constF(0.5));
              if (transform == CoordinateTransform::pytorch_half_pixel &&
                  out == 1)
                source = constF(0);
              break;
            case CoordinateTransform::align_corners: {
              // ONNX takes the resized length as in * scale, unrounded.
              if (runtimeScales) {
                Value resizedLength =
                    arith::MulFOp::create(b, l, constF(double(in)), scale);
                Value ratio = arith::DivFOp::create(
                    b, l, constF(double(in - 1)),
                    arith::SubFOp::create(b, l, resizedLength, constF(1)));
                Value isOne = arith::CmpFOp::create(
                    b, l, arith::CmpFPredicate::OEQ, resizedLength, constF(1));
                source = arith::SelectOp::create(
                    b, l, isOne, constF(0), arith::MulFOp::create(b, l, x, ratio));
                break;
              }
              double resizedLength = double(in) * double(scales[d]);
              source = resizedLength == 1.0
                           ? constF(0)
                           : arith::MulFOp::create(
                                 b, l, x,
                                 constF(double(in - 1) / (resizedLength - 1.0)))
                                 .getResult();
              break;
            }
            case CoordinateTransform::asymmetric:
              source = arith::DivFOp::create(b, l, x, scale);
              break;
            case CoordinateTransform::tf_half_pixel_for_nn:
              source = arith::DivFOp::create(
                  b, l, arith::AddFOp::create(b, l, x, constF(0.5)), scale);
              break;
            }
            Value last = arith::ConstantIndexOp::create(b, l, in - 1);
            Value zeroIdx = arith::ConstantIndexOp::create(b, l, 0);
            auto toIndex = [&](Value v) {
              Value i = arith::IndexCastOp::create(
                  b, l, b.getIndexType(),
                  arith::FPToSIOp::create(b, l, b.getI64Type(), v));
              return arith::MinSIOp::create(
                         b, l, arith::MaxSIOp::create(b, l, i, zeroIdx), last)
                  .getResult();
            };
            if (!linear && !cubic) {
              Value rounded;
              switch (rounding) {
              case NearestRounding::floor:
                rounded = math::FloorOp::create(b, l, source);
                break;
              case NearestRounding::ceil:
                rounded = math::CeilOp::create(b, l, source);
                break;
              case NearestRounding::round_prefer_floor:
                // x.5 goes down: ceil(x - 0.5).
                rounded = math::CeilOp::create(
                    b, l, arith::SubFOp::create(b, l, source, constF(0.5)));
                break;
              case NearestRounding::round_prefer_ceil:
                rounded = math::FloorOp::create(
                    b, l, arith::AddFOp::create(b, l, source, constF(0.5)));
                break;
              }
              lowIndex.push_back(toIndex(rounded));
              continue;
            }
            if (cubic) {
              // Four taps floor-1 .. floor+2 with Keys' cubic weights
              // (coefficient A); with exclude_outside, taps outside the
              // input get weight 0 and the rest are renormalized.
              Value floor = math::FloorOp::create(b, l, source);
              Value t = arith::SubFOp::create(b, l, source, floor);
              double A = op.getCubicCoeffA().convertToDouble();
              auto weightAt = [&](Value dist) {
                return cubicWeight(b, l, dist, A);
              };
              SmallVector<Value> taps, weights;
              Value total = constF(0);
              for (int64_t j = -1; j <= 2; ++j) {
                Value position =
                    arith::AddFOp::create(b, l, floor, constF(double(j)));
                Value dist = math::AbsFOp::create(
                    b, l, arith::SubFOp::create(b, l, t, constF(double(j))));
                Value w = weightAt(dist);
                if (op.getExcludeOutside()) {
                  Value inside = arith::AndIOp::create(
                      b, l,
                      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE,
                                            position, constF(0)),
                      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE,
                                            position, constF(double(in - 1))));
                  w = arith::SelectOp::create(b, l, inside, w, constF(0));
                }
                total = arith::AddFOp::create(b, l, total, w);
                taps.push_back(toIndex(position));
                weights.push_back(w);
              }
              if (op.getExcludeOutside())
                for (Value &w : weights)
                  w = arith::DivFOp::create(b, l, w, total);
              cubicTaps.push_back(taps);
              cubicWeights.push_back(weights);
              continue;
            }
            Value floor = math::FloorOp::create(b, l, source);
            lowIndex.push_back(toIndex(floor));
            highIndex.push_back(
                toIndex(arith::AddFOp::create(b, l, floor, constF(1))));
            Value w = arith::SubFOp::create(b, l, source, floor);
            if (elementType != f32)
              w = arith::ExtFOp::create(b, l, elementType, w);
            weight.push_back(w);
          }
          if (cubic) {
            // Sum over every combination of taps (4 per resized dim).
            Value sum;
            unsigned combinations = 1u << (2 * resized.size());
            for (unsigned c = 0; c < combinations; ++c) {
              SmallVector<Value> coords = base;
              Value w = constF(1);
              for (auto [k, d] : llvm::enumerate(resized)) {
                unsigned tap = (c >> (2 * k)) & 3;
                coords[d] = cubicTaps[k][tap];
                w = arith::MulFOp::create(b, l, w, cubicWeights[k][tap]);
              }
              Value v = tensor::ExtractOp::create(b, l, input, coords);
              if (elementType != f32)
                w = arith::ExtFOp::create(b, l, elementType, w);
              Value term = arith::MulFOp::create(b, l, v, w);
              sum = sum ? Value(arith::AddFOp::create(b, l, sum, term)) : term;
            }
            return sum;
          }
          auto read = [&](unsigned corner) {
            SmallVector<Value> coords = base;
            for (auto [k, d] : llvm::enumerate(resized))
              coords[d] = (linear && (corner >> k) & 1) ? highIndex[k]
                                                        : lowIndex[k];
            return tensor::ExtractOp::create(b, l, input, coords).getResult();
          };
          if (!linear)
            return read(0);
          // Interpolate one resized dimension at a time.
          SmallVector<Value> values;
          for (unsigned corner = 0; corner < (1u << resized.size()); ++corner)
            values.push_back(read(corner));
          for (size_t k = 0; k < resized.size(); ++k) {
            SmallVector<Value> next;
            for (size_t j = 0; j < values.size(); j += 2) {
              Value diff = arith::SubFOp::create(b, l, values[j + 1], values[j]);
              next.push_back(arith::AddFOp::create(
                  b, l, values[j], arith::MulFOp::create(b, l, diff, weight[k])));
            }
            values = next;
          }
          return values[0];
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};


/// GridSample, as PyTorch's grid_sampler_2d computes it (the ONNX test
/// data comes from it): the grid point is unnormalized to pixel units;
/// for nearest and bilinear the padding mode then moves it (border clamps,
/// reflection mirrors then clamps), for bicubic it moves each tap instead;
/// reads outside the input are 0.
struct GridSampleOpLowering : OpRewritePattern<GridSampleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GridSampleOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput(), grid = op.getGrid();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    SmallVector<OpFoldResult> inputSizes = getSizes(rewriter, loc, input);
    SmallVector<OpFoldResult> gridSizes = getSizes(rewriter, loc, grid);
    SmallVector<OpFoldResult> sizes = {inputSizes[0], inputSizes[1],
                                       gridSizes[1], gridSizes[2]};
    Value height = materializeIndex(rewriter, loc, inputSizes[2]);
    Value width = materializeIndex(rewriter, loc, inputSizes[3]);
    ResizeMode mode = op.getMode();
    GridSamplePadding padding = op.getPadding();
    bool alignCorners = op.getAlignCorners();

    Value result = createFromIndices(
        rewriter, loc, resultType, sizes,
        [&](OpBuilder &b, Location l, ValueRange position) -> Value {
          auto constF = [&](double v) {
            return arith::ConstantOp::create(b, l, b.getFloatAttr(element, v))
                .getResult();
          };
          auto toFloat = [&](Value index) -> Value {
            return arith::SIToFPOp::create(
                b, l, element,
                arith::IndexCastOp::create(b, l, b.getI64Type(), index));
          };
          Value heightF = toFloat(height), widthF = toFloat(width);
          Value n = position[0], c = position[1];
          auto gridAt = [&](int64_t component) -> Value {
            return tensor::ExtractOp::create(
                b, l, grid,
                ValueRange{n, position[2], position[3],
                           arith::ConstantIndexOp::create(b, l, component)});
          };
          // align_corners: (g + 1) / 2 * (size - 1);
          // otherwise:     ((g + 1) * size - 1) / 2.
          auto unnormalize = [&](Value g, Value size) -> Value {
            Value shifted = arith::AddFOp::create(b, l, g, constF(1));
            if (alignCorners)
              return arith::MulFOp::create(
                  b, l, arith::DivFOp::create(b, l, shifted, constF(2)),
                  arith::SubFOp::create(b, l, size, constF(1)));
            return arith::DivFOp::create(
                b, l,
                arith::SubFOp::create(
                    b, l, arith::MulFOp::create(b, l, shifted, size), constF(1)),
                constF(2));
          };
          auto clamp = [&](Value x, Value size) -> Value {
            return arith::MinimumFOp::create(
                b, l, arith::MaximumFOp::create(b, l, x, constF(0)),
                arith::SubFOp::create(b, l, size, constF(1)));
          };
          // Mirror into [low, high] = [twiceLow / 2, twiceHigh / 2].
          auto reflect = [&](Value x, Value size) -> Value {
            Value twiceLow = alignCorners ? constF(0) : constF(-1);
            Value twiceHigh =
                alignCorners
                    ? Value(arith::MulFOp::create(
                          b, l, constF(2),
                          arith::SubFOp::create(b, l, size, constF(1))))
                    : Value(arith::SubFOp::create(
                          b, l, arith::MulFOp::create(b, l, constF(2), size),
                          constF(1)));
            Value low = arith::DivFOp::create(b, l, twiceLow, constF(2));
            Value span = arith::DivFOp::create(
                b, l, arith::SubFOp::create(b, l, twiceHigh, twiceLow),
                constF(2));
            Value distance = math::AbsFOp::create(
                b, l, arith::SubFOp::create(b, l, x, low));
            Value extra = arith::RemFOp::create(b, l, distance, span);
            Value flips = math::FloorOp::create(
                b, l, arith::DivFOp::create(b, l, distance, span));
            Value halfFlips = math::FloorOp::create(
                b, l, arith::DivFOp::create(b, l, flips, constF(2)));
            Value even = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::OEQ, flips,
                arith::MulFOp::create(b, l, halfFlips, constF(2)));
            Value mirrored = arith::SelectOp::create(
                b, l, even, arith::AddFOp::create(b, l, extra, low),
                arith::AddFOp::create(
                    b, l, arith::SubFOp::create(b, l, span, extra), low));
            // A one-pixel axis with align_corners has nothing to mirror.
            Value degenerate = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::OEQ, twiceLow, twiceHigh);
            return arith::SelectOp::create(b, l, degenerate, constF(0),
                                           mirrored);
          };
          auto applyPadding = [&](Value x, Value size) -> Value {
            switch (padding) {
            case GridSamplePadding::zeros:
              return x;
            case GridSamplePadding::border:
              return clamp(x, size);
            case GridSamplePadding::reflection:
              return clamp(reflect(x, size), size);
            }
            return x;
          };
          // The input at integral-valued (y, x); 0 outside.
          auto read = [&](Value y, Value x) -> Value {
            auto inside = [&](Value v, Value size) {
              return arith::AndIOp::create(
                  b, l,
                  arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, v,
                                        constF(0)),
                  arith::CmpFOp::create(
                      b, l, arith::CmpFPredicate::OLE, v,
                      arith::SubFOp::create(b, l, size, constF(1))));
            };
            Value valid = arith::AndIOp::create(b, l, inside(y, heightF),
                                                inside(x, widthF));
            auto toIndex = [&](Value v, Value size) -> Value {
              return arith::IndexCastOp::create(
                  b, l, b.getIndexType(),
                  arith::FPToSIOp::create(b, l, b.getI64Type(),
                                          clamp(v, size)));
            };
            Value value = tensor::ExtractOp::create(
                b, l, input,
                ValueRange{n, c, toIndex(y, heightF), toIndex(x, widthF)});
            return arith::SelectOp::create(b, l, valid, value, constF(0));
          };

          Value x = unnormalize(gridAt(0), widthF);
          Value y = unnormalize(gridAt(1), heightF);
          if (mode == ResizeMode::cubic) {
            Value x0 = math::FloorOp::create(b, l, x);
            Value y0 = math::FloorOp::create(b, l, y);
            Value tx = arith::SubFOp::create(b, l, x, x0);
            Value ty = arith::SubFOp::create(b, l, y, y0);
            // Keys weight (A = -0.75) of the tap `offset` away from the
            // floor, for fractional position t.
            auto tapWeight = [&](Value t, int64_t offset) {
              return cubicWeight(
                  b, l,
                  math::AbsFOp::create(
                      b, l, arith::SubFOp::create(b, l, t, constF(offset))),
                  -0.75);
            };
            Value sum = constF(0);
            for (int64_t i = -1; i <= 2; ++i) {
              Value wy = tapWeight(ty, i);
              Value row = applyPadding(
                  arith::AddFOp::create(b, l, y0, constF(i)), heightF);
              for (int64_t j = -1; j <= 2; ++j) {
                Value wx = tapWeight(tx, j);
                Value column = applyPadding(
                    arith::AddFOp::create(b, l, x0, constF(j)), widthF);
                sum = arith::AddFOp::create(
                    b, l, sum,
                    arith::MulFOp::create(
                        b, l, read(row, column),
                        arith::MulFOp::create(b, l, wy, wx)));
              }
            }
            return sum;
          }
          x = applyPadding(x, widthF);
          y = applyPadding(y, heightF);
          if (mode == ResizeMode::nearest)
            return read(math::RoundEvenOp::create(b, l, y),
                        math::RoundEvenOp::create(b, l, x));
          Value x0 = math::FloorOp::create(b, l, x);
          Value y0 = math::FloorOp::create(b, l, y);
          Value x1 = arith::AddFOp::create(b, l, x0, constF(1));
          Value y1 = arith::AddFOp::create(b, l, y0, constF(1));
          Value wx1 = arith::SubFOp::create(b, l, x, x0);
          Value wy1 = arith::SubFOp::create(b, l, y, y0);
          Value wx0 = arith::SubFOp::create(b, l, constF(1), wx1);
          Value wy0 = arith::SubFOp::create(b, l, constF(1), wy1);
          auto term = [&](Value yy, Value xx, Value wy, Value wx) -> Value {
            return arith::MulFOp::create(b, l, read(yy, xx),
                                         arith::MulFOp::create(b, l, wy, wx));
          };
          Value top = arith::AddFOp::create(b, l, term(y0, x0, wy0, wx0),
                                            term(y0, x1, wy0, wx1));
          Value bottom = arith::AddFOp::create(b, l, term(y1, x0, wy1, wx0),
                                               term(y1, x1, wy1, wx1));
          return arith::AddFOp::create(b, l, top, bottom);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::tessera::populateSamplingToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ResizeOpLowering, GridSampleOpLowering>(patterns.getContext());
}
