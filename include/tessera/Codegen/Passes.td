//===- Passes.td - target-independent code generation passes -*- tablegen -*-===//
//
// The passes between the tensor-level lowering and a target backend. They
// give the entry function the package calling convention: weights come
// from one blob, intermediates live in one arena planned at compile time,
// and every result is a heap buffer the runtime takes over.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CODEGEN_PASSES_TD
#define TESSERA_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def TesseraOutlineWeights : Pass<"tessera-outline-weights", "ModuleOp"> {
  let summary = "Move large constants into one weights blob read through a "
                "function argument";
  let description = [{
    Every tensor `arith.constant` in the entry function `@main` holding at
    least `min-bytes` bytes is given an offset (64-byte aligned) in a weights
    blob and replaced by a read-only view of a new leading
    `memref<?xi8>` argument. The constants, in blob order, and their
    offsets are recorded on the module as `tessera.weights` and
    `tessera.weight_offsets` (and the size as `tessera.weights_size`) for
    the package writer, which embeds the blob in the package or writes it
    to a side file. This keeps weights out of the IR that later passes
    copy and out of the LLVM module.

    Before:
    ```mlir
    func.func @main(%x: tensor<1x256xf32>) -> tensor<1x64xf32> {
      %w = arith.constant dense_resource<fc.weight> : tensor<256x64xf32>
      ...
    ```
    After:
    ```mlir
    module attributes {tessera.weight_offsets = array<i64: 0>,
                       tessera.weights = [dense_resource<fc.weight> : tensor<256x64xf32>],
                       tessera.weights_size = 65536 : i64} {
    func.func @main(%weights: memref<?xi8>, %x: tensor<1x256xf32>) -> tensor<1x64xf32> {
      %c0 = arith.constant 0 : index
      %v = memref.view %weights[%c0][] : memref<?xi8> to memref<256x64xf32>
      %w = bufferization.to_tensor %v restrict : memref<256x64xf32> to tensor<256x64xf32>
      ...
    ```
  }];
  let options = [
    Option<"minBytes", "min-bytes", "int64_t", "256",
           "Constants smaller than this stay in the code">,
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::arith::ArithDialect"];
}

def TesseraPrivatizeFills : Pass<"tessera-privatize-fills", "func::FuncOp"> {
  let summary = "Give every user of a filled tensor its own fill";
  let description = [{
    CSE merges identical `linalg.fill`s of `tensor.empty` (the zero
    accumulators of every matrix product of one shape). One-shot
    bufferization then keeps one filled buffer and copies it before each
    product that writes into it: a read and a write of the whole buffer
    instead of a write. This pass clones the fill (and its empty tensor)
    for every use as a destination (`outs`) but the first, so that each
    product bufferizes onto a buffer it fills itself; uses that only read
    the fill keep sharing it.

    ```mlir
    %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<128x1024xf32>) -> tensor<128x1024xf32>
    %a = linalg.generic ... outs(%z ...)
    %b = linalg.generic ... outs(%z ...)
    // becomes
    %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<128x1024xf32>) -> tensor<128x1024xf32>
    %a = linalg.generic ... outs(%z ...)
    %e1 = tensor.empty() : tensor<128x1024xf32>
    %z1 = linalg.fill ins(%c0 : f32) outs(%e1 : tensor<128x1024xf32>) -> tensor<128x1024xf32>
    %b = linalg.generic ... outs(%z1 ...)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def TesseraSlicesThroughReshapes
    : Pass<"tessera-slices-through-reshapes", "func::FuncOp"> {
  let summary = "Compute an inserted part in its destination through reshapes";
  let description = [{
    A value inserted into a part of a larger tensor (a Concat operand) is
    computed directly in that part when it starts from a `tensor.empty`
    and reaches the insertion through destination operands (linalg ops,
    loop iteration arguments) and static reshapes, each value feeding only
    the next link. The use of the empty tensor is replaced with the part,
    extracted from the destination and reshaped back the way the chain
    reshaped it; one-shot bufferization then writes the computation into
    the destination's buffer and copies nothing. Upstream
    `eliminate-empty-tensors` does this for chains without reshapes (a
    1x1 convolution is a matrix product on a collapsed view) and only
    where the destination already exists; an operand-less `tensor.empty`
    destination later in the block is moved up to the chain's start.

    ```mlir
    %e = tensor.empty() : tensor<1x64x3025xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x64x3025xf32>) -> ...
    %p = linalg.generic ... outs(%f : tensor<1x64x3025xf32>) -> ...
    %x = tensor.expand_shape %p [[0], [1], [2, 3]] ... into tensor<1x64x55x55xf32>
    %cat = tensor.empty() : tensor<1x128x55x55xf32>
    %r = tensor.insert_slice %x into %cat[0, 0, 0, 0] [1, 64, 55, 55] [1, 1, 1, 1]
    // becomes
    %cat = tensor.empty() : tensor<1x128x55x55xf32>
    %s = tensor.extract_slice %cat[0, 0, 0, 0] [1, 64, 55, 55] [1, 1, 1, 1]
    %e = tensor.collapse_shape %s [[0], [1], [2, 3]] : ... into tensor<1x64x3025xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x64x3025xf32>) -> ...
    ...
    ```
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def TesseraElementwiseInPlace
    : Pass<"tessera-elementwise-in-place", "func::FuncOp"> {
  let summary = "Let an elementwise op write over an input that dies there";
  let description = [{
    An elementwise `linalg.generic` (all loops parallel, output map the
    identity, output a `tensor.empty` the body does not read) gets as its
    destination an input of the same type, read through the same map,
    whose value is used by nothing else: the result of a computation (a
    linalg op or a loop, possibly through single-use reshapes), not a
    function argument or a weight. One-shot bufferization then writes the
    result over that input's buffer: the lines it reads are the lines it
    writes (no second buffer to fetch for writing), and the arena needs one
    buffer less. A convolution's bias and activation thus run in place on
    its output. When several inputs qualify, the result of a matrix product
    or convolution (a linalg op with a reduction, or a loop that computes
    one band by band) is chosen: a residual add after a downsampling
    convolution then runs in place on the convolution's output, where the
    CPU target applies it as the micro-kernel's epilogue.

    ```mlir
    %c = linalg.generic ... -> tensor<64x196xf32>
    %e = tensor.empty() : tensor<64x196xf32>
    %r = linalg.generic ins(%c, %bias : ...) outs(%e : tensor<64x196xf32>)
    // becomes
    %r = linalg.generic ins(%c, %bias : ...) outs(%c : tensor<64x196xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def TesseraMaterializeResults
    : Pass<"tessera-materialize-results", "func::FuncOp"> {
  let summary = "Make every returned buffer a fresh, whole heap allocation";
  let description = [{
    The package runtime takes ownership of each result buffer and frees it.
    After bufferization a returned memref may instead be a function
    argument, a constant, a view into another buffer, or the same buffer
    returned twice. This pass copies every such result into a new
    `memref.alloc` (sizes from `memref.dim`), so the runtime may always
    `free` what it gets.

    Before:
    ```mlir
    func.func @main(%x: memref<4xf32>) -> memref<4xf32> {
      return %x : memref<4xf32>
    }
    ```
    After:
    ```mlir
    func.func @main(%x: memref<4xf32>) -> memref<4xf32> {
      %0 = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
      memref.copy %x, %0 : memref<4xf32> to memref<4xf32>
      return %0 : memref<4xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def TesseraPlanBuffers : Pass<"tessera-plan-buffers", "func::FuncOp"> {
  let summary = "Place static intermediates in one arena by liveness; free "
                "dynamic ones after their last use";
  let description = [{
    Runs on bufferized functions whose allocations sit in the entry block.
    Each statically shaped `memref.alloc` that is not returned gets a live
    range (its definition to the last use of the buffer or of any view of
    it) and an offset in an arena; buffers whose live ranges do not overlap
    share memory. Offsets are assigned largest buffer first, at the lowest
    64-byte aligned offset free for the whole live range. The arena is a new
    `memref<?xi8>` argument inserted at position `arena-arg-index`, and its
    size is recorded on the function as `tessera.arena_size`.

    Dynamically shaped allocations stay on the heap and get a
    `memref.dealloc` after their last use. Returned buffers are left alone.

    Before:
    ```mlir
    func.func @f(%w: memref<?xi8>, %x: memref<8xf32>) -> memref<8xf32> {
      %0 = memref.alloc() : memref<8xf32>
      ...
    ```
    After:
    ```mlir
    func.func @f(%w: memref<?xi8>, %arena: memref<?xi8>, %x: memref<8xf32>)
        -> memref<8xf32> attributes {tessera.arena_size = 32 : i64} {
      %c0 = arith.constant 0 : index
      %0 = memref.view %arena[%c0][] : memref<?xi8> to memref<8xf32>
      ...
    ```
  }];
  let options = [
    Option<"arenaArgIndex", "arena-arg-index", "unsigned", "1",
           "Where the arena argument is inserted">,
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // TESSERA_CODEGEN_PASSES_TD
