//===- Passes.td - CPU target passes -----------------------*- tablegen -*-===//

#ifndef TESSERA_TARGET_CPU_PASSES_TD
#define TESSERA_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def TesseraCopyToLinalg : Pass<"tessera-copy-to-linalg", "func::FuncOp"> {
  let summary = "Rewrite memref.copy as linalg.copy, erasing self-copies";
  let description = [{
    Bufferization copies buffers with `memref.copy`. For strided views the
    upstream LLVM lowering calls `memrefCopy` from MLIR's C runner
    utilities, a library a package must not depend on. As `linalg.copy`
    the copy becomes ordinary loops that LLVM can vectorize.

    A copy between two views of the same memory (one value, or equal view
    ops on the same operands) is erased: bufferization writes a slice that
    was updated in place back onto itself that way, once per loop
    iteration of a banded convolution.

    ```mlir
    memref.copy %a, %b : memref<4xf32, strided<[2]>> to memref<4xf32>
    // becomes
    linalg.copy ins(%a : memref<4xf32, strided<[2]>>) outs(%b : memref<4xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def TesseraApproximateMath : Pass<"tessera-approximate-math"> {
  let summary = "Replace f32 transcendental functions by MLIR's polynomial "
                "approximations, which LLVM vectorizes";
  let description = [{
    Rewrites the f32 (scalar or vector) `math` ops named by `functions`
    with upstream MLIR's
    polynomial approximations (`populateMathPolynomialApproximationPatterns`):
    straight-line `arith`/`math.fma` code with selects for the range
    reduction and special values. A loop whose body calls libm stays
    scalar; with the approximation LLVM's loop vectorizer runs 16 elements
    per instruction with AVX-512 (the CPU target asks for 512-bit vectors:
    `prefer-vector-width=512`). Ops on other element types, and the
    functions not named, are left to the libm lowering. A name the
    patterns do not cover (anything but acos, asin, atan, atan2, cbrt, cos,
    erf, erfc, exp, expm1, log, log1p, log2, sin, tanh) is an error. `math.fma` and
    `math.floor`, which the approximations use, become the LLVM intrinsics
    (the libm lowering would call `fmaf` and `floorf`).

    Accuracy, measured by `test/python/test_math_accuracy.py` against float64
    references: see `docs/user-guide.md` ("Transcendental functions").
    `tessera-compile --exact-math` leaves every function to libm.

    ```mlir
    %y = math.erf %x : f32
    // becomes a rational approximation of about 40 arith/math.fma ops
    ```
  }];
  let options = [
    ListOption<"functions", "functions", "std::string",
               "math functions to approximate, by op name without the 'math.' "
               "prefix (erf, exp, tanh, ...)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def TesseraCollapseContiguousLoops
    : Pass<"tessera-collapse-contiguous-loops", "func::FuncOp"> {
  let summary = "Merge the adjacent loops of elementwise ops and reductions "
                "whose dimensions are contiguous in every operand";
  let description = [{
    A `linalg.generic` or `linalg.copy` on buffers whose loops `d` and
    `d + 1` are both parallel or both reductions and index adjacent,
    contiguous dimensions of every operand that uses them (or neither) runs
    them as one loop, with the operands collapsed by
    `memref.collapse_shape` (upstream `linalg::collapseOpIterationDims`),
    after its unit dims are dropped. LLVM vectorizes the innermost loop
    only: a bias add over `1x576x14x14` then runs 196-element rows instead
    of 14-element ones, and a global average pool over `1x1000x13x13` sums
    169-element planes instead of 13-element rows (SqueezeNet's: 50 -> 18
    us). Operands that broadcast over both loops (a per-channel bias) do not
    block the merge; a strided view does. A sum's zero fill moves down to
    the sum and fills its collapsed view, so that
    `tessera-outline-kernels` still runs both in one kernel.

    Products (contractions) are left as they are, unit dims included, for
    `tessera-matmul-to-microkernel`; so are reductions over windows
    (convolutions, pools), whose loops never merge. Merged loops run in the
    same order as before, but a sum's innermost loop is then the whole
    plane, which `tessera-reassociate-inner-sums` lets LLVM split into
    vector lanes: a mean or pool differs from an unmerged one in its last
    bits.

    ```mlir
    // out[n, c, y, x] = max(in[n, c, y, x] + bias[c], 0) on 1x576x14x14
    // becomes loops (c, y*14 + x) on 576x196 views
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect"];
}

def TesseraFuseProductEpilogues
    : Pass<"tessera-fuse-product-epilogues", "func::FuncOp"> {
  let summary = "Rewrite the elementwise op that works in place on a matrix "
                "product's output onto the product's output view and loops";
  let description = [{
    Runs on buffers. An all-parallel `linalg.generic` that directly follows
    a matrix product (the form `tessera-matmul-to-microkernel` matches;
    only side-effect-free ops between) and writes the product's output in
    place, element for element (its output, and any input that reads the
    output, is the same buffer, possibly a strided part of a larger one,
    through `memref.collapse_shape` and `memref.expand_shape`, with loops of
    the same extents once unit extents are dropped, or loops that multiply
    to one output dimension's extent: a part's 55x55 rows that unit-dim
    dropping cannot collapse on a strided view), is rebuilt over the output
    dimensions on the product's own output view. Its other operands keep
    their buffers; their indexing maps follow the loops (a unit loop indexes
    element 0), and none may be read by loops that share an output
    dimension.

    That is a convolution's or Gemm's bias add, residual add and
    activation after fusion. `tessera-outline-kernels` then puts the op
    into the product's kernel, split over threads the same way, and
    `tessera-matmul-to-microkernel` applies it as the micro-kernel's
    epilogue: no separate pass over the output, and one fork and join of
    the thread pool fewer.

    ```mlir
    // C: memref<1x64x196xf32> = A * B, then in place on
    // collapse_shape(C) : memref<64x196xf32>:
    //   out[c, p] = max(out[c, p] + bias[c], 0)
    // becomes, on C itself, over loops (d0, d1, d2):
    //   C[d0, d1, d2] = max(C[d0, d1, d2] + bias[d1], 0)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def TesseraOrderContractionLoops
    : Pass<"tessera-order-contraction-loops", "func::FuncOp"> {
  let summary = "Put the output's contiguous dimension innermost in "
                "matmul and convolution loops";
  let description = [{
    A `linalg.generic` with several inputs and reduction iterators (matmul,
    batched matmul, convolution windows, einsum) lowers to loops in
    iterator order, which puts the reduction innermost: a serial chain of
    scalar adds that LLVM may not vectorize without reassociating. This
    pass interchanges the iterators so that the reductions come before the
    output's last (contiguous) dimension, which becomes the innermost loop:
    each step then updates a row of independent outputs, which LLVM
    vectorizes without changing any sum's order. A plain matrix product
    whose B operand is larger than a 256 x 256 block is first tiled into
    such blocks of N and K (K blocks in order), so that a block of B stays
    in cache while every row of A uses it.

    ```mlir
    // C[m, n] += A[m, k] * B[k, n], iterators (m, n, k)
    // becomes iterators (m, k, n)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def TesseraReassociateInnerSums
    : Pass<"tessera-reassociate-inner-sums", "func::FuncOp"> {
  let summary = "Let LLVM vectorize float sums along the innermost loop";
  let description = [{
    A `linalg.generic` whose innermost iterator is still a reduction after
    `tessera-order-contraction-loops` (softmax's sum of exponentials, a
    normalization's mean and variance, ReduceSum along the last axis) lowers
    to an innermost loop that adds into one scalar. LLVM's loop vectorizer
    leaves that chain scalar unless its add may be reassociated, so such a
    sum costs one add latency (4 cycles) per element. This pass marks the
    combining `arith.addf` of such an op `reassoc`: LLVM then keeps vectors
    of partial sums and adds them up after the loop. The result differs
    from the sequential sum by rounding only, and it is the same at every
    thread count (a row is never split between threads). Max and min
    reductions vectorize without a flag: they are exact in any order.

    ```mlir
    // iterators (m, k), body: %s = arith.addf %acc, %e : f32
    // becomes              %s = arith.addf %acc, %e fastmath<reassoc> : f32
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def TesseraExpandIntegerDivisions
    : Pass<"tessera-expand-integer-divisions"> {
  let summary = "Expand arith's ceil and floor divisions, which LLVM lacks";
  let description = [{
    `arith.ceildivsi`, `arith.ceildivui` and `arith.floordivsi` have no LLVM
    counterpart; this pass rewrites them into plain divisions and selects.
    Upstream `arith-expand` does that too, but it also rewrites float
    `maximumf`/`minimumf` into compare-and-select chains, in which LLVM's
    loop vectorizer no longer sees a max reduction (softmax's row maximum
    then stays scalar). Left alone, they become `llvm.intr.maximum` and
    `llvm.intr.minimum`, which the vectorizer handles.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def TesseraMatmulToMicrokernel
    : Pass<"tessera-matmul-to-microkernel", "ModuleOp"> {
  let summary = "Call the runtime's fp32 matrix-product micro-kernel for "
                "matrix products";
  let description = [{
    Replaces each `linalg.generic` that computes an fp32 matrix product,
    `C[b, m, n] += A[b, m, k] * B[b, k, n]` with at most one batch loop
    (absent from A or B when that operand is shared) and operands whose
    last dimension is contiguous, by a call to the package runtime's
    `tessera_sgemm_<isa>` (see `tessera_package_abi.h`), passing each
    operand's aligned pointer plus offset and its strides. The micro-kernel
    blocks the sum over k and uses fused multiply-adds, so results round
    differently (and no less accurately) than the loop nest.

    A product that directly follows a `linalg.fill` of zero into its output
    (only side-effect-free ops between; `tessera-outline-kernels` puts a
    convolution's zeroed accumulator there) is called with
    `TESSERA_SGEMM_OVERWRITE` in its last argument, `flags`, and the fill
    is erased: the micro-kernel writes C = A * B without reading C, one
    pass over the output fewer. Its sums start from +0 and so are never
    -0, which makes the result bit-identical to accumulating into zeros.
    Otherwise `flags` is 0.

    With `isa=none` (the default) the pass changes nothing; the compiler
    sets `avx512` or `avx2` from the target CPU's features.

    ```mlir
    linalg.generic {indexing_maps = [(m, n, k) -> (m, k), (m, n, k) -> (k, n),
                                     (m, n, k) -> (m, n)], ...}
        ins(%a, %b : memref<64x32xf32>, memref<32x16xf32>)
        outs(%c : memref<64x16xf32>) { mulf, addf }
    // becomes
    func.call @tessera_sgemm_avx512(%c1, %c64, %c16, %c32, %pa, %c0, %c32,
                                    %pb, %c0, %c16, %pc, %c0, %c16, %c0)
    ```
  }];
  let options = [
    Option<"isa", "isa", "std::string", /*default=*/"\"none\"",
           "Micro-kernel variant to call: avx512, avx2 or none">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def TesseraDepthwiseToMicrokernel
    : Pass<"tessera-depthwise-to-microkernel", "ModuleOp"> {
  let summary = "Call the runtime's depthwise convolution kernel for "
                "depthwise convolutions";
  let description = [{
    Runs on buffers, before `tessera-plan-buffers`. Replaces each
    `linalg.generic` that computes an fp32 depthwise 2-D convolution, in
    the form the Conv lowering leaves (one strided window of the padded
    input per kernel tap, each multiplied by that tap of a
    `[C, 1, KH, KW]` or `[C, KH, KW]` weight, summed, plus an optional
    per-channel bias, then an optional `maximumf` and `minimumf` with
    constants, as fused ReLU, ReLU6 or Clip leave them), by a call to the
    package runtime's `tessera_depthwise_conv2d_<isa>` (see
    `tessera_package_abi.h`). Kernel sides up to 16, any strides, no
    dilation.

    When the windowed buffer is a bufferized `tensor.pad` (a constant
    written over the whole buffer by `linalg.map` or `linalg.fill`, then
    the source copied into its interior by `memref.copy`, padding only
    rows and columns), used by nothing else, and nothing may write memory
    between the copy and the convolution but the output (a fresh
    allocation), the call reads the unpadded source and gets the pad
    sizes and value instead; the fill, the copy and the padded buffer go
    away. Run before the arena is planned, the call's read of the source
    keeps it apart from the output. When, in turn, the source was last
    written by an in-place elementwise op that adds a per-channel bias
    and/or clamps with constants (a producer's bias and activation that
    fusion left apart, as after MobileNetV2's expanding 1x1 convolutions),
    and nothing but the pad reads the source after it, the kernel applies
    that transform to the rows it reads and the op goes away too.

    When, with `fuse-pointwise` (the default), the pad's source was
    written, after a zero fill, by nothing but a 1 x 1 convolution in
    matrix-product form (weights `[C, K]` times a source `[N, K, H * W]`,
    into a static buffer of its own, of at least 1 MiB, seen as `[N, C, H,
    W]`: MobileNet's expanding convolution; smaller products stay in the
    cache between the two kernels), which only the pad and its input
    transform read, and
    nothing else writes memory between the product and the convolution,
    the call is to `tessera_pointwise_depthwise_conv2d_<isa>` instead. It
    takes the product's operands, computes the product band by band into
    each thread's scratch and convolves each band while it is in the
    core's cache; the product, its fill and its buffer go away.

    The kernel sums with fused multiply-adds in (kh, kw) order, then adds
    the bias: results round differently (no less accurately) than the
    generic's separate multiplies and adds. The fused product, likewise,
    sums in k order with fused multiply-adds.

    With `isa=none` (the default) the pass changes nothing; the compiler
    sets `avx512` or `avx2` from the target CPU's features.
  }];
  let options = [
    Option<"isa", "isa", "std::string", /*default=*/"\"none\"",
           "Kernel variant to call: avx512, avx2 or none">,
    Option<"fusePointwise", "fuse-pointwise", "bool", /*default=*/"true",
           "Compute a 1 x 1 convolution that only the depthwise "
           "convolution reads inside the depthwise kernel">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}


def TesseraFuseDirectConvMaxPool
    : Pass<"tessera-fuse-direct-conv-max-pool", "ModuleOp"> {
  let summary = "Compute a max pool with the direct convolution it reads";
  let description = [{
    Runs on buffers, after `tessera-max-pool-to-microkernel` and
    `tessera-conv-to-microkernel` and before `tessera-plan-buffers`. A
    call to `tessera_conv2d_direct_<isa>` (one image) whose output is an
    allocation that only a later `tessera_max_pool2d_<isa>` call (batch 1,
    the same instruction set) reads, with nothing between the two calls
    that may write memory, becomes one call to
    `tessera_conv2d_direct_max_pool2d_<isa>` in the pool's place (see
    `tessera_package_abi.h`): each thread keeps the convolution rows its
    pooled rows need in L2 and writes only the pooled output. The
    allocation goes away. A network's stem and its pool (SqueezeNet's 64 x
    111 x 111 output, ResNet-18's 64 x 112 x 112: 3 MiB each) no longer
    write the convolution's output to memory and read it back. The values
    are those of the two calls (a max is exact).
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def TesseraMaxPoolToMicrokernel
    : Pass<"tessera-max-pool-to-microkernel", "ModuleOp"> {
  let summary = "Call the runtime's max pool kernel for 2-D max pools";
  let description = [{
    Runs on buffers, before `tessera-plan-buffers`. Replaces each
    `linalg.generic` that computes an fp32 2-D max pool in the form the
    MaxPool lowering leaves (the `maximumf` of a kh x kw rectangle of
    strided windows of one buffer, then an optional `maximumf` and
    `minimumf` with constants) by a call to the package runtime's
    `tessera_max_pool2d_<isa>` (see `tessera_package_abi.h`), which walks
    the windows as the depthwise kernel does: input rows laid out once per
    phase of the column stride, or read whole for narrow planes. Kernel
    sides up to 16, any strides, no dilation.

    The lowering splits a window with a column stride into a column pass
    (kh x 1 taps, row stride sh) into a buffer of its own and a row pass
    (1 x kw taps, column stride sw) over it. When the row pass is the only
    reader of that buffer and nothing may write memory between the two,
    both become one call with the kh x kw window of the column pass's
    input, and the buffer goes away: the generated passes write and read
    it through memory (SqueezeNet's 64 x 111 x 111 pool: 1.6 MB). A
    column pass alone is left to the generated code. A bufferized
    `tensor.pad` of the windowed buffer is read through as
    `tessera-depthwise-to-microkernel` reads it.

    The maximum of the vector instructions keeps one operand when the
    other is a NaN, or when both are zeros, so a NaN input may not reach
    the output as `maximumf` would carry it, and a window of -0 and +0
    may give -0 where `maximumf` gives +0.

    With `isa=none` (the default) the pass changes nothing; the compiler
    sets `avx512` or `avx2` from the target CPU's features.
  }];
  let options = [
    Option<"isa", "isa", "std::string", /*default=*/"\"none\"",
           "Kernel variant to call: avx512, avx2 or none">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}
def TesseraConvToMicrokernel
    : Pass<"tessera-conv-to-microkernel", "ModuleOp"> {
  let summary = "Call the runtime's Winograd and direct convolution kernels "
                "for whole convolutions";
  let description = [{
    Runs on buffers, before `tessera-plan-buffers`. Replaces each
    `linalg.conv_2d_nchw_fchw` (the Conv lowering's form for the
    convolutions below when the target asks for them) that is fp32,
    undilated, with contiguous `[F][C][KH][KW]` weights, input and output
    rows of unit stride, static channels and spatial sizes, and a zero fill
    of its output just before, by a call to one of the package runtime's
    convolution kernels (see `tessera_package_abi.h`), which overwrites
    the output; the fill goes away. A batch larger than one becomes a loop
    of calls.
    - With `direct` (the default), at most 4 input channels (a network's
      first layer), strides of at most 2 and at most 256 window values:
      `tessera_conv2d_direct_<isa>`, which computes each output row from
      its input rows, without im2col. Its sums are fused multiply-adds in
      (c, kh, kw) order, as im2col and the micro-kernel's are.
    - Otherwise 3x3 of stride 1, on an input of exactly `(OH + 2) x
      (OW + 2)` (the padded input): `tessera_conv3x3_winograd_<isa>`,
      Winograd F(2x2, 3x3), or with `winograd-tile=4x4`
      `tessera_conv3x3_winograd_4x4_<isa>`, F(4x4, 3x3) on outputs of at
      least 24 x 24 and F(2x2, 3x3) on smaller ones. Their sums are not
      the direct ones: the transforms add and subtract inputs before
      multiplying, so F(2x2, 3x3)'s results differ from im2col's by a few
      ulps of the sum of the terms' magnitudes; F(4x4, 3x3)'s larger
      transforms (factors up to 8, and weights through sixths and
      twenty-fourths) round about 17 times more, past the end-to-end
      tolerances on some inputs.

    When the padded input is a bufferized zero pad (a `linalg.fill` or
    `linalg.map` of +0.0 over the whole buffer, then a `memref.copy` of the
    source into its interior) that only the convolution reads, and nothing
    between the copy and the convolution writes the source, the call reads
    the source and pads as it reads (`pad_top`, `pad_left`; the kernels
    read zero outside the source); the padded buffer, its fill and its
    copy go away.

    The elementwise op that follows in place on the output (a bias,
    residual add and activation after fusion), when it is
    `min(upper, max(lower, (out + a0) + a1))` with addends that index
    each output dimension at most once and do not overlap the output, is
    applied by the kernel as it writes each block, and goes away too. Run
    before the arena is planned, the call's reads keep the input and the
    addends apart from the output.

    A convolution that matches neither kernel is left to lower as loops,
    with a warning that says why.

    With `isa=none` (the default) the pass changes nothing; the compiler
    sets `avx512` or `avx2` from the target CPU's features, as for the
    matrix-product micro-kernel.

    ```mlir
    linalg.fill ins(%zero : f32) outs(%out : memref<1x64x56x56xf32>)
    linalg.conv_2d_nchw_fchw ins(%padded, %w : memref<1x64x58x58xf32>,
                                               memref<64x64x3x3xf32>)
                             outs(%out : memref<1x64x56x56xf32>)
    linalg.generic ... outs(%out) { max(out + bias[c], 0) }
    // becomes
    func.call @tessera_conv3x3_winograd_avx512(%c64, %c64, %in, ..., %w,
        %outp, ..., %bias, %c1, %c0, %c0, %null, ..., %zero, %inf)

    linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>}
        ins(%image, %w : memref<1x3x224x224xf32>, memref<64x3x3x3xf32>)
        outs(%out : memref<1x64x111x111xf32>)
    // becomes (window 3 x 3, strides 2 x 2 after the pads)
    func.call @tessera_conv2d_direct_avx512(%c3, %c64, %in, ..., %c0, %c0,
        %c3, %c3, %c2, %c2, %w, %outp, ...)
    ```
  }];
  let options = [
    Option<"isa", "isa", "std::string", /*default=*/"\"none\"",
           "Kernel variant to call: avx512, avx2 or none">,
    Option<"direct", "direct", "bool", /*default=*/"true",
           "Call the direct kernel for stems (off: 3x3 stride-1 stems go "
           "to Winograd too, as before the direct kernel existed)">,
    Option<"winogradTile", "winograd-tile", "std::string",
           /*default=*/"\"2x2\"",
           "Winograd's output tile: 2x2, or 4x4 (on outputs of at least "
           "24 x 24, 2x2 below)">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def TesseraPrepackWeights : Pass<"tessera-prepack-weights", "ModuleOp"> {
  let summary = "Pack the weight operands of matrix products ahead of time";
  let description = [{
    Runs on buffers, after `tessera-outline-weights` and bufferization.
    For each fp32 matrix product that `tessera-matmul-to-microkernel` will
    hand to the runtime's micro-kernel, an operand that is a whole weight
    (a `memref.view` of the weights blob at a constant offset, through
    reshapes only, with contiguous rows and no batch dimension) gets a
    packed copy appended to the blob: the layout the micro-kernel reads, as
    the `packed` record of `tessera_package_abi.h` describes it. A is packed
    in panels of the ISA's register-block rows (MR); B in panels of its
    columns (NR), and only when the product has at least
    `TESSERA_SGEMM_PACK_B_MIN_ROWS` rows, a dynamic row count, or fewer
    rows than a register block (a GEMV: a Linear at batch 1). Other
    products read B in place. Each weight is packed once per role.

    A weight that only such products read, and whose copy is as big as it
    (whole panels: rows a multiple of MR for A, columns of NR for B), is
    replaced by the copy in the blob; others keep their original, and the
    copy is appended, except a B that only products of fewer rows than a
    register block read: that is packed in place or not at all. Those
    products read each value of B once per row, so the copy pays only by
    making each thread's part of B contiguous (a part of every row in
    place), which is not worth a second copy of the weight in the package.
    The pass records the copies in the module's
    `tessera.packed_weights` attribute, which the package writer turns into
    `packed` metadata records. The runtime registers them when it loads
    the package, so no run packs those weights. The products themselves are
    not changed: the runtime finds the copy from the operand's address (and
    never reads a replaced original).

    With `isa=none` (the default) the pass changes nothing.
  }];
  let options = [
    Option<"isa", "isa", "std::string", /*default=*/"\"none\"",
           "Micro-kernel variant whose layout to pack for: avx512, avx2 or "
           "none">,
  ];
}

def TesseraOutlineKernels : Pass<"tessera-outline-kernels", "ModuleOp"> {
  let summary = "Move each linalg op into its own kernel function whose "
                "buffer arguments are marked as not aliasing";
  let description = [{
    After buffer planning every intermediate is a view into one arena, so
    LLVM sees loads and stores through pointers derived from the same base
    and cannot prove a matmul's output row distinct from its inputs: it
    leaves such loops scalar ("unknown data dependence"). This pass moves
    every linalg op into a private `func.func` (a kernel) called in its
    place, with the op's buffers and captured scalars as arguments.

    When no buffer the op writes can overlap another of its buffers, the
    kernel gets the `tessera.noalias_args` attribute. Overlap is decided
    from where the buffers come from: views into the same function argument
    at known, disjoint byte ranges (as buffer planning makes them),
    different function arguments, allocations and globals do not overlap;
    anything else is assumed to. `tessera-kernel-noalias-args` turns the
    attribute into LLVM `noalias` arguments once the kernel is an
    `llvm.func`; LLVM's inliner then keeps the fact as alias scopes.

    A kernel with at least `min-parallel-iterations` loop iterations is
    also made splittable across threads: it takes two more `index`
    arguments, `begin` and `end`, and computes only that range of one of
    its parallel loops. The loop must index the outputs directly (an input
    may read it through a sliding window, whose halo the threads then both
    read), and the output's contiguous loop must index the inputs directly
    too. A product splits the loop that partitions its larger input,
    except when the next op to access its output is a runtime depthwise
    convolution that reads it as its input and splits its channels
    (`tessera_depthwise_row_granule` in tessera_package_abi.h returns 0):
    then it splits its output's channels, so that each thread reads the
    channels it wrote. Otherwise the largest loop wins, preferring loops
    other than the output's contiguous one. Such a kernel is marked
    `tessera.parallel_kernel`, and the call passes 0 and the loop's extent;
    `tessera-dispatch-parallel-kernels` later hands the range to the
    runtime's thread pool. Where the output's static layout allows, the
    range counts groups of iterations that each start a cache line of
    the output (`begin` and `end` are then multiplied by the group's size
    in the kernel, and the call passes the number of groups), so that no
    line is written by two threads.

    A `linalg.fill` of zero into exactly the output of the reduction that
    follows it (only side-effect-free ops between) goes into that op's
    kernel, before it, and is split with it: each thread zeroes the slice
    of the output it then accumulates into. `tessera-matmul-to-microkernel`
    then folds the pair into one overwriting micro-kernel call.

    ```mlir
    linalg.generic ... ins(%a, %b : ...) outs(%c : ...) { ... }
    // becomes
    func.call @tessera_model_kernel_0(%a, %b, %c) : (...) -> ()
    func.func private @tessera_model_kernel_0(...) attributes {tessera.noalias_args}
    ```
  }];
  let options = [
    Option<"minParallelIterations", "min-parallel-iterations", "int64_t",
           /*default=*/"16384",
           "Split kernels with at least this many loop iterations (a "
           "static count; dynamic loops count as large) over threads">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect"];
}

def TesseraKernelNoAliasArgs
    : Pass<"tessera-kernel-noalias-args", "ModuleOp"> {
  let summary = "Mark the pointer arguments of no-alias kernels `noalias`";
  let description = [{
    The func-to-LLVM conversion drops argument attributes of a memref
    argument, which expands into several LLVM arguments. For every
    `llvm.func` with the `tessera.noalias_args` attribute (set by
    `tessera-outline-kernels`) this pass puts `llvm.noalias` on each
    pointer argument and removes the attribute. Only the aligned pointer of
    a memref descriptor is used for access, so marking the allocated
    pointer too claims nothing more.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def TesseraProfileKernels : Pass<"tessera-profile-kernels", "ModuleOp"> {
  let summary = "Let the runtime time each kernel the entry function runs";
  let description = [{
    After `tessera-outline-kernels` and the passes that call the runtime's
    kernels, a package's entry function is a sequence of kernels: calls of
    an outlined loop nest or matrix product, of a runtime convolution,
    depthwise convolution or max pool, and loops around such calls (a
    convolution computed in bands of rows). After each op directly in the
    body of a public function with a body that calls a function, itself or
    in its regions, this pass adds
    `func.call @tessera_profile_kernel_done(%index)`, with the kernel's
    index in run order (an `i32` from 0). The runtime
    (`tessera_package_abi.h`) adds the time since the previous kernel, or
    since the run started, to that kernel's counter when the context
    profiles, and returns at once otherwise.

    The module gets `tessera.kernel_labels`: for each index, the pair
    `[kind, node]` that the package's metadata gives users. A call's kind
    is the external function it calls, a runtime function without its
    `tessera_` prefix and ISA suffix (`sgemm_fused`, `conv3x3_winograd`,
    ...); for an outlined kernel, the first external function its body
    calls, or `loops`. Its node is the ONNX node named by its location (the
    names of a fused location joined with `+`), or empty. A loop's kind and
    node are its calls' distinct ones, joined with `+`.

    A module that already has `tessera.kernel_labels` is left as it is, and
    calls of the hook are never kernels.

    ```mlir
    func.call @tessera_model_kernel_3(%a, %b, %c0, %c64) : (...) -> ()
        loc("/layer1/Conv")
    // becomes
    func.call @tessera_model_kernel_3(%a, %b, %c0, %c64) : (...) -> ()
    %c3_i32 = arith.constant 3 : i32
    func.call @tessera_profile_kernel_done(%c3_i32) : (i32) -> ()
    // and the module gets
    tessera.kernel_labels = [..., ["sgemm_fused", "/layer1/Conv"], ...]
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect"];
}

def TesseraDispatchParallelKernels
    : Pass<"tessera-dispatch-parallel-kernels", "ModuleOp"> {
  let summary = "Call parallel kernels through the runtime's thread pool";
  let description = [{
    Runs on the LLVM dialect. For each `llvm.func` marked
    `tessera.parallel_kernel` (by `tessera-outline-kernels`; its last two
    arguments are a `begin` and an `end` of one parallel loop) it creates a
    task function `NAME_task(ptr args, i64 begin, i64 end)` that reads the
    kernel's other arguments from a packed struct and calls the kernel on
    that range. Every call of the kernel, which passes 0 and the loop's
    extent, becomes: store the arguments into a struct on the stack, then
    `tessera_parallel_for(NAME_task, struct, extent)`. The runtime splits
    the extent over the running context's threads (see
    `tessera_package_abi.h`).

    ```mlir
    llvm.call @k(%a, %b, %c0, %n) : (!llvm.ptr, i64, i64, i64) -> ()
    // becomes
    llvm.store %a, ... ; llvm.store %b, ...
    llvm.call @tessera_parallel_for(%k_task, %args, %n)
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // TESSERA_TARGET_CPU_PASSES_TD
