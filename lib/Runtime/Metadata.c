/*===- Metadata.c - parsing tessera_package_metadata ------------------------===*\
 *
 * The format is described in tessera_package_abi.h. The text is copied once;
 * lines and tokens are cut in place and names are decoded in place (decoding
 * only shortens), so every string of the signature points into that copy.
 *
 * The parser is strict: the text is written by tessera-compile for exactly
 * this runtime, so anything unexpected is a bug on one side or the other and
 * is reported (as TESSERA_ERROR_INTERNAL) rather than guessed around.
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "RuntimeInternal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*===--- Element types ------------------------------------------------------===*/

typedef struct dtype_entry {
  tessera_dtype_t dtype;
  const char *name;
  size_t size;
} dtype_entry_t;

static const dtype_entry_t dtype_table[] = {
    {TESSERA_DTYPE_FLOAT32, "float32", 4},   {TESSERA_DTYPE_FLOAT64, "float64", 8},
    {TESSERA_DTYPE_FLOAT16, "float16", 2},   {TESSERA_DTYPE_BFLOAT16, "bfloat16", 2},
    {TESSERA_DTYPE_INT8, "int8", 1},         {TESSERA_DTYPE_INT16, "int16", 2},
    {TESSERA_DTYPE_INT32, "int32", 4},       {TESSERA_DTYPE_INT64, "int64", 8},
    {TESSERA_DTYPE_UINT8, "uint8", 1},       {TESSERA_DTYPE_UINT16, "uint16", 2},
    {TESSERA_DTYPE_UINT32, "uint32", 4},     {TESSERA_DTYPE_UINT64, "uint64", 8},
    {TESSERA_DTYPE_BOOL, "bool", 1},
};

#define DTYPE_COUNT (sizeof(dtype_table) / sizeof(dtype_table[0]))

static const dtype_entry_t *lookup_dtype(tessera_dtype_t dtype) {
  for (size_t i = 0; i < DTYPE_COUNT; ++i)
    if (dtype_table[i].dtype == dtype)
      return &dtype_table[i];
  return NULL;
}

size_t tessera_rt_dtype_size(tessera_dtype_t dtype) {
  const dtype_entry_t *entry = lookup_dtype(dtype);
  return entry ? entry->size : 0;
}

const char *tessera_rt_dtype_name(tessera_dtype_t dtype) {
  const dtype_entry_t *entry = lookup_dtype(dtype);
  return entry ? entry->name : NULL;
}

/*===--- Tokens -------------------------------------------------------------===*/

/* "input NAME DTYPE RANK" and up to TESSERA_MAX_RANK dims. */
#define MAX_TOKENS (4 + TESSERA_MAX_RANK)

static int is_plain_byte(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
         c == '/' || c == '+' || c == '-';
}

static int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* Decodes %XX escapes in place. Returns NULL, or what is wrong. */
static const char *decode_name(char *token) {
  char *out = token;
  for (const char *in = token; *in != '\0';) {
    unsigned char c = (unsigned char)*in;
    if (c == '%') {
      int high = hex_value((unsigned char)in[1]);
      int low = high < 0 ? -1 : hex_value((unsigned char)in[2]);
      if (low < 0)
        return "'%' is not followed by two hex digits";
      if (high == 0 && low == 0)
        return "a name contains %00";
      *out++ = (char)(high * 16 + low);
      in += 3;
      continue;
    }
    if (!is_plain_byte(c))
      return "a name contains a byte that must be escaped";
    *out++ = (char)c;
    ++in;
  }
  *out = '\0';
  return NULL;
}

/* A non-negative decimal int64 without sign. Returns 0 on success. */
static int parse_count(const char *token, int64_t *value) {
  if (*token == '\0')
    return -1;
  int64_t result = 0;
  for (const char *p = token; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9')
      return -1;
    int digit = *p - '0';
    if (result > (INT64_MAX - digit) / 10)
      return -1;
    result = result * 10 + digit;
  }
  *value = result;
  return 0;
}

/*===--- Records ------------------------------------------------------------===*/

typedef struct parser {
  const char *original; /* the package's text, for messages */
  size_t line_offset;   /* of the current line in `original` */
  int line;
} parser_t;

static tessera_status_t malformed(const parser_t *parser, const char *format,
                                  ...) __attribute__((format(printf, 2, 3)));

static tessera_status_t malformed(const parser_t *parser, const char *format,
                                  ...) {
  char reason[512];
  va_list args;
  va_start(args, format);
  vsnprintf(reason, sizeof(reason), format, args);
  va_end(args);
  if (parser->line == 0)
    return tessera_rt_fail(TESSERA_ERROR_INTERNAL,
                           "malformed package metadata: %s", reason);
  const char *line = parser->original + parser->line_offset;
  int length = (int)strcspn(line, "\n");
  if (length > 200)
    length = 200;
  return tessera_rt_fail(TESSERA_ERROR_INTERNAL,
                         "malformed package metadata, line %d ('%.*s'): %s",
                         parser->line, length, line, reason);
}

/* "NAME DTYPE RANK DIM..." of an input or output record. */
static tessera_status_t parse_tensor(const parser_t *parser, char **tokens,
                                     int num_tokens,
                                     tessera_rt_tensor_t *tensor) {
  const char *problem = decode_name(tokens[1]);
  if (problem)
    return malformed(parser, "%s", problem);
  tensor->name = tokens[1];

  const dtype_entry_t *dtype = NULL;
  for (size_t i = 0; i < DTYPE_COUNT && !dtype; ++i)
    if (strcmp(dtype_table[i].name, tokens[2]) == 0)
      dtype = &dtype_table[i];
  if (!dtype)
    return malformed(parser, "unknown element type '%s'", tokens[2]);
  tensor->dtype = dtype->dtype;
  tensor->elem_size = dtype->size;

  int64_t rank;
  if (parse_count(tokens[3], &rank) != 0 || rank > TESSERA_MAX_RANK)
    return malformed(parser, "rank '%s' is not an integer in [0, %d]",
                     tokens[3], TESSERA_MAX_RANK);
  if (num_tokens != 4 + rank)
    return malformed(parser, "rank %d, but %d dimensions follow", (int)rank,
                     num_tokens - 4);
  tensor->rank = (int32_t)rank;

  for (int i = 0; i < (int)rank; ++i) {
    char *dim = tokens[4 + i];
    if (dim[0] == '?') {
      problem = decode_name(dim + 1);
      if (problem)
        return malformed(parser, "%s", problem);
      tensor->dims[i] = -1;
      tensor->dim_names[i] = dim[1] != '\0' ? dim + 1 : NULL;
    } else {
      if (parse_count(dim, &tensor->dims[i]) != 0)
        return malformed(parser, "dimension '%s' is neither a size nor '?'",
                         dim);
      tensor->dim_names[i] = NULL;
    }
  }
  return TESSERA_OK;
}

static int starts_with(const char *text, const char *prefix) {
  return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* "packed a|b PANEL SOURCE LD ROWS COLS PACKED", both matrices inside
 * the weights. */
static tessera_status_t parse_packed(parser_t *parser, char **tokens,
                                     int num_tokens, int64_t weights_bytes,
                                     tessera_rt_packed_weight_t *out) {
  int64_t panel = 0, fields[5];
  int ok = num_tokens == 8 &&
           (strcmp(tokens[1], "a") == 0 || strcmp(tokens[1], "b") == 0) &&
           parse_count(tokens[2], &panel) == 0 && panel > 0 && panel <= 64;
  for (int i = 0; ok && i < 5; ++i)
    ok = parse_count(tokens[3 + i], &fields[i]) == 0;
  if (!ok)
    return malformed(parser,
                     "expected 'packed a|b PANEL SOURCE LD ROWS COLS PACKED'");
  *out = (tessera_rt_packed_weight_t){tokens[1][0] == 'b', (int32_t)panel,
                                      fields[0], fields[1], fields[2],
                                      fields[3], fields[4]};
  /* Sizes are bounded by the weights, so none of this overflows. */
  const int64_t elements = weights_bytes / 4;
  if (out->rows == 0 || out->cols == 0 || out->cols > out->ld ||
      out->ld > elements || out->rows > elements || out->source % 4 ||
      out->packed % 4)
    return malformed(parser, "a packed matrix with a bad shape or alignment");
  const int64_t k = out->is_b ? out->rows : out->cols;
  const int64_t panels = ((out->is_b ? out->cols : out->rows) + panel - 1) / panel;
  if ((out->rows - 1) > (elements - out->cols) / out->ld ||
      out->source / 4 > elements - ((out->rows - 1) * out->ld + out->cols) ||
      panels > elements / panel / k ||
      out->packed / 4 > elements - panels * panel * k)
    return malformed(parser, "a packed matrix runs past the weights");
  return TESSERA_OK;
}

static tessera_status_t parse(parser_t *parser, tessera_rt_metadata_t *meta,
                              int32_t max_inputs, int32_t max_outputs,
                              int32_t max_packed, int32_t max_kernels) {
  int seen_name = 0, seen_arena = 0, seen_weights = 0;
  char *cursor = meta->text;
  while (*cursor != '\0') {
    ++parser->line;
    parser->line_offset = (size_t)(cursor - meta->text);
    char *newline = strchr(cursor, '\n');
    char *next;
    if (newline) {
      *newline = '\0';
      next = newline + 1;
    } else {
      next = cursor + strlen(cursor);
    }

    char *tokens[MAX_TOKENS];
    int num_tokens = 0;
    for (char *token = cursor;;) {
      if (num_tokens == MAX_TOKENS)
        return malformed(parser, "too many tokens");
      tokens[num_tokens++] = token;
      char *space = strchr(token, ' ');
      if (!space)
        break;
      *space = '\0';
      token = space + 1;
    }
    const char *record = tokens[0];
    /* Only a graph name may be empty ("name " for an unnamed graph). */
    int empty_allowed = strcmp(record, "name") == 0 && num_tokens == 2;
    for (int i = 0; i < num_tokens; ++i)
      if (tokens[i][0] == '\0' && !(empty_allowed && i == 1))
        return malformed(parser, num_tokens == 1
                                     ? "empty line"
                                     : "empty token (doubled or trailing space)");

    if (parser->line == 1) {
      int64_t version;
      if (strcmp(record, "tessera-package") != 0 || num_tokens != 2 ||
          parse_count(tokens[1], &version) != 0)
        return malformed(parser,
                         "the first line must be 'tessera-package VERSION'");
      if (version != TESSERA_PACKAGE_FORMAT_VERSION)
        return malformed(parser,
                         "format version %s is not supported (this runtime "
                         "reads version %d)",
                         tokens[1], TESSERA_PACKAGE_FORMAT_VERSION);
    } else if (strcmp(record, "name") == 0) {
      if (seen_name++)
        return malformed(parser, "a second 'name' record");
      if (num_tokens > 2)
        return malformed(parser, "expected 'name NAME'");
      if (num_tokens == 2) {
        const char *problem = decode_name(tokens[1]);
        if (problem)
          return malformed(parser, "%s", problem);
        meta->name = tokens[1];
      } else {
        meta->name = "";
      }
    } else if (strcmp(record, "arena") == 0) {
      if (seen_arena++)
        return malformed(parser, "a second 'arena' record");
      if (num_tokens != 2 || parse_count(tokens[1], &meta->arena_bytes) != 0)
        return malformed(parser, "expected 'arena BYTES'");
    } else if (strcmp(record, "weights") == 0) {
      if (seen_weights++)
        return malformed(parser, "a second 'weights' record");
      if (num_tokens == 3 && strcmp(tokens[1], "embedded") == 0) {
        meta->weights_external = 0;
        if (parse_count(tokens[2], &meta->weights_bytes) != 0)
          return malformed(parser, "weights size '%s' is not a byte count",
                           tokens[2]);
      } else if (num_tokens == 4 && strcmp(tokens[1], "external") == 0) {
        meta->weights_external = 1;
        const char *problem = decode_name(tokens[2]);
        if (problem)
          return malformed(parser, "%s", problem);
        meta->weights_file = tokens[2];
        if (parse_count(tokens[3], &meta->weights_bytes) != 0)
          return malformed(parser, "weights size '%s' is not a byte count",
                           tokens[3]);
      } else {
        return malformed(parser, "expected 'weights embedded BYTES' or "
                                 "'weights external FILE BYTES'");
      }
    } else if (strcmp(record, "input") == 0 || strcmp(record, "output") == 0) {
      if (num_tokens < 4)
        return malformed(parser, "expected '%s NAME DTYPE RANK DIM...'",
                         record);
      /* Every such line was counted (it starts with "input " or "output "). */
      int is_input = record[0] == 'i';
      int32_t *count = is_input ? &meta->num_inputs : &meta->num_outputs;
      if (*count == (is_input ? max_inputs : max_outputs))
        return malformed(parser, "more records than counted");
      tessera_rt_tensor_t *tensor =
          is_input ? &meta->inputs[*count] : &meta->outputs[*count];
      tessera_status_t status = parse_tensor(parser, tokens, num_tokens, tensor);
      if (status != TESSERA_OK)
        return status;
      ++*count;
    } else if (strcmp(record, "packed") == 0) {
      if (!seen_weights)
        return malformed(parser, "a 'packed' record before 'weights'");
      if (meta->num_packed == max_packed)
        return malformed(parser, "more records than counted");
      tessera_status_t status = parse_packed(
          parser, tokens, num_tokens, meta->weights_bytes,
          &meta->packed[meta->num_packed]);
      if (status != TESSERA_OK)
        return status;
      ++meta->num_packed;
    } else if (strcmp(record, "kernel") == 0) {
      if (num_tokens != 2 && num_tokens != 3)
        return malformed(parser, "expected 'kernel KIND [NODE]'");
      if (meta->num_kernels == max_kernels)
        return malformed(parser, "more records than counted");
      for (int i = 1; i < num_tokens; ++i) {
        const char *problem = decode_name(tokens[i]);
        if (problem)
          return malformed(parser, "%s", problem);
      }
      meta->kernels[meta->num_kernels++] = (tessera_kernel_info_t){
          tokens[1], num_tokens == 3 ? tokens[2] : ""};
    } else {
      return malformed(parser, "unknown record '%s'", record);
    }
    cursor = next;
  }

  if (parser->line == 0)
    return malformed(parser, "the text is empty");
  parser->line = 0;
  if (!seen_name)
    return malformed(parser, "no 'name' record");
  if (!seen_arena)
    return malformed(parser, "no 'arena' record");
  if (!seen_weights)
    return malformed(parser, "no 'weights' record");
  return TESSERA_OK;
}

tessera_status_t tessera_rt_parse_metadata(const char *text,
                                           tessera_rt_metadata_t *out) {
  memset(out, 0, sizeof(*out));
  parser_t parser = {text, 0, 0};
  if (!text)
    return malformed(&parser, "the package has no metadata");

  /* Size the signature arrays: count the lines that start a record. */
  int32_t max_inputs = 0, max_outputs = 0, max_packed = 0, max_kernels = 0;
  for (const char *line = text; line;) {
    if (starts_with(line, "input ") && max_inputs < INT32_MAX)
      ++max_inputs;
    else if (starts_with(line, "output ") && max_outputs < INT32_MAX)
      ++max_outputs;
    else if (starts_with(line, "packed ") && max_packed < INT32_MAX)
      ++max_packed;
    else if (starts_with(line, "kernel ") && max_kernels < INT32_MAX)
      ++max_kernels;
    line = strchr(line, '\n');
    if (line)
      ++line;
  }

  tessera_rt_metadata_t meta;
  memset(&meta, 0, sizeof(meta));
  size_t length = strlen(text);
  meta.text = malloc(length + 1);
  meta.inputs = calloc(max_inputs ? (size_t)max_inputs : 1,
                       sizeof(tessera_rt_tensor_t));
  meta.outputs = calloc(max_outputs ? (size_t)max_outputs : 1,
                        sizeof(tessera_rt_tensor_t));
  meta.packed = calloc(max_packed ? (size_t)max_packed : 1,
                       sizeof(tessera_rt_packed_weight_t));
  meta.kernels = calloc(max_kernels ? (size_t)max_kernels : 1,
                        sizeof(tessera_kernel_info_t));
  if (!meta.text || !meta.inputs || !meta.outputs || !meta.packed ||
      !meta.kernels) {
    tessera_rt_free_metadata(&meta);
    return tessera_rt_fail(TESSERA_ERROR_OUT_OF_MEMORY,
                           "out of memory reading the package metadata");
  }
  memcpy(meta.text, text, length + 1);

  tessera_status_t status =
      parse(&parser, &meta, max_inputs, max_outputs, max_packed, max_kernels);
  if (status != TESSERA_OK) {
    tessera_rt_free_metadata(&meta);
    return status;
  }
  *out = meta;
  return TESSERA_OK;
}

void tessera_rt_free_metadata(tessera_rt_metadata_t *metadata) {
  free(metadata->text);
  free(metadata->inputs);
  free(metadata->outputs);
  free(metadata->packed);
  free(metadata->kernels);
  memset(metadata, 0, sizeof(*metadata));
}
