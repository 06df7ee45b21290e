/* run_digits.c - classify handwritten digits with the compiled digits CNN,
 * through the C ABI every tessera package exports.
 *
 * Build the package and its header, then this program, linking the package
 * directly (it needs nothing else from tessera at run time):
 *
 *   tessera-compile examples/digits/digits_cnn.onnx -o digits_cnn.so \
 *       --emit-header
 *   cc -std=c11 -Wall -Wextra -Werror examples/c/run_digits.c -I. \
 *       -L. -l:digits_cnn.so -Wl,-rpath,'$ORIGIN' -o run_digits
 *
 * Run:
 *
 *   ./run_digits                 two built-in 8x8 images (a 2 and a 1)
 *   ./run_digits images.f32      a batch read from a raw file: N x 1 x 8 x 8
 *                                float32 values (native byte order, pixels
 *                                in [0, 1]), N taken from the file size
 *
 * It prints the model's signature, demonstrates how the runtime reports an
 * error (an input of the wrong rank), runs the batch and prints the
 * predicted digit of each image. Exit status: 0 on success, 1 on any error.
 */

#include "digits_cnn.h" /* written by --emit-header: tessera_runtime.h plus
                           DIGITS_CNN_INPUT_IMAGE, DIGITS_CNN_OUTPUT_LOGITS */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { IMAGE_PIXELS = 8 * 8, NUM_CLASSES = 10 };

/* Two images from scikit-learn's digits data set, pixels 0..16. */
static const unsigned char kBuiltinImages[2][IMAGE_PIXELS] = {
    /* a 2 */
    {0, 0, 11, 16, 15, 3,  0,  0, 0, 5, 16, 12, 11, 13, 0,  0,
     0, 3, 13, 1,  5,  15, 0,  0, 0, 0, 0,  0,  12, 11, 0,  0,
     0, 0, 0,  1,  16, 7,  0,  0, 0, 0, 0,  10, 15, 0,  0,  0,
     0, 0, 12, 16, 16, 11, 1,  0, 0, 0, 13, 13, 8,  13, 16, 8},
    /* a 1 */
    {0, 0, 0, 10, 13, 0,  0,  0, 0, 0, 0, 13, 16, 5,  0, 0,
     0, 0, 0, 16, 16, 4,  0,  0, 0, 0, 3, 16, 16, 7,  0, 0,
     0, 0, 7, 16, 16, 9,  0,  0, 0, 0, 9, 16, 16, 10, 0, 0,
     0, 0, 10, 16, 16, 14, 0, 0, 0, 0, 1, 5,  7,  15, 8, 0},
};

static const char *status_name(tessera_status_t status) {
  switch (status) {
  case TESSERA_OK:
    return "TESSERA_OK";
  case TESSERA_ERROR_INVALID_ARGUMENT:
    return "TESSERA_ERROR_INVALID_ARGUMENT";
  case TESSERA_ERROR_SHAPE_MISMATCH:
    return "TESSERA_ERROR_SHAPE_MISMATCH";
  case TESSERA_ERROR_DTYPE_MISMATCH:
    return "TESSERA_ERROR_DTYPE_MISMATCH";
  case TESSERA_ERROR_MISSING_INPUT:
    return "TESSERA_ERROR_MISSING_INPUT";
  case TESSERA_ERROR_IO:
    return "TESSERA_ERROR_IO";
  case TESSERA_ERROR_OUT_OF_MEMORY:
    return "TESSERA_ERROR_OUT_OF_MEMORY";
  case TESSERA_ERROR_ABI_MISMATCH:
    return "TESSERA_ERROR_ABI_MISMATCH";
  case TESSERA_ERROR_INTERNAL:
    return "TESSERA_ERROR_INTERNAL";
  }
  return "unknown status";
}

static const char *dtype_name(tessera_dtype_t dtype) {
  switch (dtype) {
  case TESSERA_DTYPE_FLOAT32:
    return "float32";
  case TESSERA_DTYPE_FLOAT64:
    return "float64";
  case TESSERA_DTYPE_INT64:
    return "int64";
  case TESSERA_DTYPE_INT32:
    return "int32";
  default:
    return "other";
  }
}

/* Prints "NAME: DTYPE[D0,D1,...]", symbolic dimensions by their name. */
static void print_tensor_info(const char *kind, int32_t index,
                              const tessera_tensor_info_t *info) {
  printf("  %s %d: %s: %s[", kind, (int)index, info->name,
         dtype_name(info->dtype));
  for (int32_t d = 0; d < info->rank; ++d) {
    if (d)
      printf(",");
    if (info->dims[d] >= 0)
      printf("%lld", (long long)info->dims[d]);
    else if (info->dim_names && info->dim_names[d])
      printf("%s", info->dim_names[d]);
    else
      printf("?");
  }
  printf("]\n");
}

/* Reports a failed call: the status and the runtime's own message. */
static int report(const char *what, tessera_status_t status) {
  fprintf(stderr, "run_digits: %s: %s (%s)\n", what, tessera_last_error(),
          status_name(status));
  return 1;
}

/* Reads a raw float32 file whose size is a whole number of images. */
static float *read_images(const char *path, int64_t *count) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "run_digits: cannot open '%s'\n", path);
    return NULL;
  }
  size_t capacity = 16 * IMAGE_PIXELS, size = 0;
  float *data = malloc(capacity * sizeof(float));
  while (data) {
    size += fread(data + size, sizeof(float), capacity - size, file);
    if (size < capacity)
      break;
    capacity *= 2;
    float *grown = realloc(data, capacity * sizeof(float));
    if (!grown) {
      free(data);
      data = NULL;
      break;
    }
    data = grown;
  }
  int failed = !data || ferror(file) || size == 0 || size % IMAGE_PIXELS;
  fclose(file);
  if (failed) {
    fprintf(stderr,
            "run_digits: '%s' is not a non-empty raw float32 file of "
            "N x 1 x 8 x 8 values\n",
            path);
    free(data);
    return NULL;
  }
  *count = (int64_t)(size / IMAGE_PIXELS);
  return data;
}

int main(int argc, char **argv) {
  if (argc > 2) {
    fprintf(stderr, "usage: %s [IMAGES.f32]\n", argv[0]);
    return 1;
  }

  /* 1. The package must speak the ABI this program was compiled against.
   * (tessera_model_load checks it too and fails with
   * TESSERA_ERROR_ABI_MISMATCH.) */
  if (tessera_abi_version() != TESSERA_ABI_VERSION) {
    fprintf(stderr,
            "run_digits: the package implements tessera ABI version %d, "
            "this program was built for version %d\n",
            (int)tessera_abi_version(), TESSERA_ABI_VERSION);
    return 1;
  }
  printf("tessera ABI version %d\n", (int)tessera_abi_version());

  /* The batch: from the file, or the built-in images. */
  float *images;
  int64_t batch;
  if (argc == 2) {
    images = read_images(argv[1], &batch);
    if (!images)
      return 1;
  } else {
    batch = 2;
    images = malloc(sizeof(float) * 2 * IMAGE_PIXELS);
    if (!images)
      return 1;
    for (int i = 0; i < 2 * IMAGE_PIXELS; ++i)
      images[i] = kBuiltinImages[i / IMAGE_PIXELS][i % IMAGE_PIXELS] / 16.0f;
  }

  /* 2. Load the model: parses the package's metadata and, for a package
   * compiled with --weights=external, maps the weights file next to it
   * (NULL: the default location). */
  tessera_model_t *model = NULL;
  tessera_context_t *context = NULL;
  int exit_code = 1;
  tessera_status_t status =
      tessera_model_load(TESSERA_ABI_VERSION, NULL, &model);
  if (status != TESSERA_OK) {
    report("cannot load the model", status);
    goto done;
  }

  /* 3. The signature. */
  printf("model: %s (arena %lld bytes)\n", tessera_model_name(model),
         (long long)tessera_model_arena_bytes(model));
  for (int32_t i = 0; i < tessera_model_num_inputs(model); ++i) {
    tessera_tensor_info_t info;
    if ((status = tessera_model_input_info(model, i, &info)) != TESSERA_OK) {
      report("tessera_model_input_info", status);
      goto done;
    }
    print_tensor_info("input", i, &info);
  }
  for (int32_t i = 0; i < tessera_model_num_outputs(model); ++i) {
    tessera_tensor_info_t info;
    if ((status = tessera_model_output_info(model, i, &info)) != TESSERA_OK) {
      report("tessera_model_output_info", status);
      goto done;
    }
    print_tensor_info("output", i, &info);
  }

  /* 4. A context holds one run's state: the bound inputs, the arena for
   * intermediate tensors and the outputs. One per thread. */
  if ((status = tessera_context_create(model, &context)) != TESSERA_OK) {
    report("cannot create a context", status);
    goto done;
  }

  /* 5. Errors are reported by status and by tessera_last_error(), a message
   * naming the input at fault. Here: a rank-3 input for the rank-4 image. */
  int64_t wrong_dims[3] = {batch, 8, 8};
  status = tessera_context_set_input(context, DIGITS_CNN_INPUT_IMAGE, images,
                                     wrong_dims, 3, TESSERA_DTYPE_FLOAT32);
  printf("binding a rank-3 image: %s: %s\n", status_name(status),
         tessera_last_error());
  /* The failed call left the input unset, so running now fails too. */
  status = tessera_context_run(context);
  printf("running without the image: %s: %s\n", status_name(status),
         tessera_last_error());

  /* 6. Bind the batch and run. The runtime reads `images` during the run;
   * it must stay valid until tessera_context_run returns. */
  int64_t dims[4] = {batch, 1, 8, 8};
  status = tessera_context_set_input(context, DIGITS_CNN_INPUT_IMAGE, images,
                                     dims, 4, TESSERA_DTYPE_FLOAT32);
  if (status != TESSERA_OK) {
    report("cannot bind the images", status);
    goto done;
  }
  if ((status = tessera_context_run(context)) != TESSERA_OK) {
    report("the run failed", status);
    goto done;
  }

  /* 7. The output belongs to the context: valid until the next run or
   * tessera_context_free. Copy it if it must live longer. */
  tessera_tensor_t logits;
  status = tessera_context_get_output(context, DIGITS_CNN_OUTPUT_LOGITS,
                                      &logits);
  if (status != TESSERA_OK) {
    report("cannot read the logits", status);
    goto done;
  }
  if (logits.dtype != TESSERA_DTYPE_FLOAT32 || logits.rank != 2 ||
      logits.dims[0] != batch || logits.dims[1] != NUM_CLASSES) {
    fprintf(stderr, "run_digits: unexpected logits\n");
    goto done;
  }
  const float *scores = logits.data;
  printf("logits: float32[%lld,%lld]\n", (long long)logits.dims[0],
         (long long)logits.dims[1]);
  printf("predictions:");
  for (int64_t n = 0; n < batch; ++n) {
    int best = 0;
    for (int c = 1; c < NUM_CLASSES; ++c)
      if (scores[n * NUM_CLASSES + c] > scores[n * NUM_CLASSES + best])
        best = c;
    printf(" %d", best);
  }
  printf("\n");
  exit_code = 0;

done:
  /* Contexts before their model; both accept NULL. */
  tessera_context_free(context);
  tessera_model_free(model);
  free(images);
  return exit_code;
}
