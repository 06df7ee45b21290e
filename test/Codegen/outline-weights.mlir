// RUN: tessera-opt %s -split-input-file -verify-diagnostics -tessera-outline-weights | FileCheck %s
// RUN: tessera-opt %s -split-input-file -verify-diagnostics -tessera-outline-weights=min-bytes=36 | FileCheck %s --check-prefix=MIN36

// Two equal 512-byte constants share one slot; the 36-byte one stays (below
// the default 256) and so does the 16-byte one. Tensor arguments become
// read-only, other arguments are left alone.
// CHECK:       module attributes {tessera.weight_offsets = array<i64: 0>, tessera.weights = [dense<1.000000e+00> : tensor<8x16xf32>], tessera.weights_size = 512 : i64}
// CHECK-LABEL: func.func @main
// CHECK-SAME:    (%[[BLOB:.*]]: memref<?xi8>, %[[X:.*]]: tensor<8x16xf32> {bufferization.writable = false}, %{{.*}}: i32)
// CHECK:         %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[V:.*]] = memref.view %[[BLOB]][%[[C0]]][] : memref<?xi8> to memref<8x16xf32>
// CHECK:         %[[W:.*]] = bufferization.to_tensor %[[V]] restrict : memref<8x16xf32> to tensor<8x16xf32>
// CHECK:         %[[C0B:.*]] = arith.constant 0 : index
// CHECK:         %[[V2:.*]] = memref.view %[[BLOB]][%[[C0B]]][] : memref<?xi8> to memref<8x16xf32>
// CHECK:         %[[W2:.*]] = bufferization.to_tensor %[[V2]] restrict
// CHECK-DAG:     %[[SMALL:.*]] = arith.constant dense<2.000000e+00> : tensor<3x3xf32>
// CHECK-DAG:     %[[TINY:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK:         %[[S:.*]] = arith.addf %[[X]], %[[W]]
// CHECK:         arith.addf %[[S]], %[[W2]]
// CHECK-NOT:     arith.constant dense<1.0

// With min-bytes=36 the 3x3 constant gets the next 64-byte aligned offset
// after the 512 bytes; the blob is 576 bytes.
// MIN36:       module attributes {tessera.weight_offsets = array<i64: 0, 512>, tessera.weights = [dense<1.000000e+00> : tensor<8x16xf32>, dense<2.000000e+00> : tensor<3x3xf32>], tessera.weights_size = 576 : i64}
// MIN36:         %[[C512:.*]] = arith.constant 512 : index
// MIN36:         memref.view %{{.*}}[%[[C512]]][] : memref<?xi8> to memref<3x3xf32>
// MIN36:         arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
func.func @main(%x: tensor<8x16xf32>, %i: i32) -> (tensor<8x16xf32>, tensor<4xf32>, tensor<3x3xf32>) {
  %w = arith.constant dense<1.0> : tensor<8x16xf32>
  %w2 = arith.constant dense<1.0> : tensor<8x16xf32>
  %small = arith.constant dense<2.0> : tensor<3x3xf32>
  %tiny = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = arith.addf %x, %w : tensor<8x16xf32>
  %1 = arith.addf %0, %w2 : tensor<8x16xf32>
  return %1, %tiny, %small : tensor<8x16xf32>, tensor<4xf32>, tensor<3x3xf32>
}

// -----

// Only @main is rewritten; without constants the blob is empty.
// CHECK:       module attributes {tessera.weight_offsets = array<i64>, tessera.weights = [], tessera.weights_size = 0 : i64}
// CHECK-LABEL: func.func @helper
// CHECK-SAME:    (%{{.*}}: tensor<128xf32>) -> tensor<128xf32>
// CHECK:         arith.constant dense<3.000000e+00> : tensor<128xf32>
// CHECK-LABEL: func.func @main
// CHECK-SAME:    (%{{.*}}: memref<?xi8>) -> i32
func.func @helper(%x: tensor<128xf32>) -> tensor<128xf32> {
  %c = arith.constant dense<3.0> : tensor<128xf32>
  %0 = arith.addf %x, %c : tensor<128xf32>
  return %0 : tensor<128xf32>
}
func.func @main() -> i32 {
  %c = arith.constant 7 : i32
  return %c : i32
}

// -----

// A dense_resource blob of exactly min-bytes (256) is outlined as it is.
// CHECK:       module attributes {tessera.weight_offsets = array<i64: 0>, tessera.weights = [dense_resource<fc_weight> : tensor<64xf32>], tessera.weights_size = 256 : i64}
// CHECK-LABEL: func.func @main
// CHECK-SAME:    (%[[RBLOB:.*]]: memref<?xi8>) -> tensor<64xf32>
// CHECK:         %[[V:.*]] = memref.view %[[RBLOB]][%{{.*}}][] : memref<?xi8> to memref<64xf32>
// CHECK:         %[[W:.*]] = bufferization.to_tensor %[[V]] restrict
// CHECK:         return %[[W]]
func.func @main() -> tensor<64xf32> {
  %w = arith.constant dense_resource<fc_weight> : tensor<64xf32>
  return %w : tensor<64xf32>
}
{-#
  dialect_resources: {
    builtin: {
      fc_weight: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F"
    }
  }
#-}

// -----

// expected-error @below {{tessera-outline-weights: no entry function @main}}
module {
  func.func @not_main(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
