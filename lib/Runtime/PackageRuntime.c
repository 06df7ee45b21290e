/*===- PackageRuntime.c - loading a package's model and its signature -----===*\
 *
 * tessera_model_load parses tessera_package_metadata and finds the weights;
 * the model is immutable afterwards, so every query here is thread-safe.
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "RuntimeInternal.h"

#include <stdlib.h>
#include <string.h>

TESSERA_EXPORT tessera_status_t tessera_model_load(int32_t abi_version,
                                                   const char *weights_path,
                                                   tessera_model_t **model) {
  if (!model)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "tessera_model_load: model is null");
  *model = NULL;
  if (abi_version != TESSERA_ABI_VERSION)
    return tessera_rt_fail(TESSERA_ERROR_ABI_MISMATCH,
                           "ABI version mismatch: the caller was built for "
                           "tessera ABI version %d, but the package implements "
                           "version %d",
                           (int)abi_version, TESSERA_ABI_VERSION);

  tessera_model_t *result = calloc(1, sizeof(*result));
  if (!result)
    return tessera_rt_fail(TESSERA_ERROR_OUT_OF_MEMORY,
                           "out of memory loading the model");
  tessera_status_t status =
      tessera_rt_parse_metadata(tessera_package_metadata, &result->metadata);
  if (status != TESSERA_OK) {
    free(result);
    return status;
  }

  const tessera_rt_metadata_t *meta = &result->metadata;
  if (meta->weights_external) {
    status = tessera_rt_map_weights(weights_path, meta->weights_file,
                                    meta->weights_bytes, &result->weights);
    if (status != TESSERA_OK) {
      tessera_rt_free_metadata(&result->metadata);
      free(result);
      return status;
    }
  } else {
    result->weights.data = tessera_package_weights;
  }
  result->constants_registered =
      tessera_rt_gemm_add_constants(result->weights.data,
                                    (size_t)meta->weights_bytes) == 0;
  for (int32_t i = 0; i < meta->num_packed; ++i) {
    const tessera_rt_packed_weight_t *weight = &meta->packed[i];
    const uint8_t *base = result->weights.data;
    if (tessera_rt_gemm_add_packed((const float *)(base + weight->source),
                                   weight->ld, weight->rows, weight->cols,
                                   weight->panel, weight->is_b,
                                   (const float *)(base + weight->packed)) !=
            0 &&
        weight->packed == weight->source) {
      /* That weight exists only in the micro-kernel's layout. */
      if (result->constants_registered)
        tessera_rt_gemm_remove_constants(result->weights.data,
                                         (size_t)meta->weights_bytes);
      tessera_rt_unmap_weights(&result->weights);
      tessera_rt_free_metadata(&result->metadata);
      free(result);
      return tessera_rt_fail(
          TESSERA_ERROR_OUT_OF_MEMORY,
          "cannot register the model's packed weights: too many models' "
          "weights are loaded at once, or memory is short");
    }
  }
  *model = result;
  return TESSERA_OK;
}

TESSERA_EXPORT void tessera_model_free(tessera_model_t *model) {
  if (!model)
    return;
  if (model->constants_registered)
    tessera_rt_gemm_remove_constants(model->weights.data,
                                     (size_t)model->metadata.weights_bytes);
  tessera_rt_unmap_weights(&model->weights);
  tessera_rt_free_metadata(&model->metadata);
  free(model);
}

TESSERA_EXPORT const char *tessera_model_name(const tessera_model_t *model) {
  if (!model) {
    tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                    "tessera_model_name: model is null");
    return NULL;
  }
  return model->metadata.name;
}

TESSERA_EXPORT int32_t tessera_model_num_inputs(const tessera_model_t *model) {
  if (!model) {
    tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                    "tessera_model_num_inputs: model is null");
    return -1;
  }
  return model->metadata.num_inputs;
}

TESSERA_EXPORT int32_t tessera_model_num_outputs(const tessera_model_t *model) {
  if (!model) {
    tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                    "tessera_model_num_outputs: model is null");
    return -1;
  }
  return model->metadata.num_outputs;
}

static tessera_status_t tensor_info(const char *function,
                                    const tessera_model_t *model,
                                    int is_input, int32_t index,
                                    tessera_tensor_info_t *info) {
  if (!model)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "%s: model is null", function);
  if (!info)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT, "%s: info is null",
                           function);
  const tessera_rt_metadata_t *meta = &model->metadata;
  int32_t count = is_input ? meta->num_inputs : meta->num_outputs;
  if (index < 0 || index >= count)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "%s: %s index %d is out of range (the model has "
                           "%d %s)",
                           function, is_input ? "input" : "output", (int)index,
                           (int)count, is_input ? "inputs" : "outputs");
  const tessera_rt_tensor_t *tensor =
      is_input ? &meta->inputs[index] : &meta->outputs[index];
  info->name = tensor->name;
  info->dtype = tensor->dtype;
  info->rank = tensor->rank;
  info->dims = tensor->dims;
  info->dim_names = tensor->dim_names;
  return TESSERA_OK;
}

TESSERA_EXPORT tessera_status_t
tessera_model_input_info(const tessera_model_t *model, int32_t index,
                         tessera_tensor_info_t *info) {
  return tensor_info("tessera_model_input_info", model, 1, index, info);
}

TESSERA_EXPORT tessera_status_t
tessera_model_output_info(const tessera_model_t *model, int32_t index,
                          tessera_tensor_info_t *info) {
  return tensor_info("tessera_model_output_info", model, 0, index, info);
}

static int32_t tensor_index(const char *function, const tessera_model_t *model,
                            int is_input, const char *name) {
  if (!model) {
    tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT, "%s: model is null",
                    function);
    return -1;
  }
  if (!name) {
    tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT, "%s: name is null",
                    function);
    return -1;
  }
  const tessera_rt_metadata_t *meta = &model->metadata;
  int32_t count = is_input ? meta->num_inputs : meta->num_outputs;
  const tessera_rt_tensor_t *tensors = is_input ? meta->inputs : meta->outputs;
  for (int32_t i = 0; i < count; ++i)
    if (strcmp(tensors[i].name, name) == 0)
      return i;
  tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT, "the model has no %s '%s'",
                  is_input ? "input" : "output", name);
  return -1;
}

TESSERA_EXPORT int32_t tessera_model_input_index(const tessera_model_t *model,
                                                 const char *name) {
  return tensor_index("tessera_model_input_index", model, 1, name);
}

TESSERA_EXPORT int32_t tessera_model_output_index(const tessera_model_t *model,
                                                  const char *name) {
  return tensor_index("tessera_model_output_index", model, 0, name);
}

TESSERA_EXPORT int64_t tessera_model_arena_bytes(const tessera_model_t *model) {
  if (!model) {
    tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                    "tessera_model_arena_bytes: model is null");
    return -1;
  }
  return model->metadata.arena_bytes;
}

TESSERA_EXPORT int32_t tessera_model_num_kernels(const tessera_model_t *model) {
  if (!model) {
    tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                    "tessera_model_num_kernels: model is null");
    return -1;
  }
  return model->metadata.num_kernels;
}

TESSERA_EXPORT tessera_status_t tessera_model_kernel_info(
    const tessera_model_t *model, int32_t index, tessera_kernel_info_t *info) {
  if (!model || !info)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "tessera_model_kernel_info: %s is null",
                           model ? "info" : "model");
  if (index < 0 || index >= model->metadata.num_kernels)
    return tessera_rt_fail(TESSERA_ERROR_INVALID_ARGUMENT,
                           "tessera_model_kernel_info: kernel index %d is out "
                           "of range (the model has %d kernels)",
                           (int)index, (int)model->metadata.num_kernels);
  *info = model->metadata.kernels[index];
  return TESSERA_OK;
}
