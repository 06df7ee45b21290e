/*===- Weights.c - mapping an external weights file -------------------------===*\
 *
 * A package compiled with --weights=external names its weights file relative
 * to its own directory. The runtime is linked into the package, so the
 * package's path is the path of the object that contains this code, which
 * dladdr() reports for any address inside it.
\*===----------------------------------------------------------------------===*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "RuntimeInternal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* An address inside this shared object, for dladdr. */
static const char package_anchor = 0;

/* What an empty weights file maps to. */
static _Alignas(TESSERA_PACKAGE_WEIGHTS_ALIGNMENT) const uint8_t
    empty_weights[TESSERA_PACKAGE_WEIGHTS_ALIGNMENT];

/* The malloc()ed path of the object containing the runtime, or NULL. */
static char *package_path(void) {
  Dl_info info;
  memset(&info, 0, sizeof(info));
  if (dladdr(&package_anchor, &info) != 0 && info.dli_fname &&
      strchr(info.dli_fname, '/'))
    return strdup(info.dli_fname);
  /* The runtime is linked into the main program, whose name dladdr may
   * report without a directory (or not at all). */
  char buffer[PATH_MAX];
  ssize_t length = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  if (length <= 0)
    return NULL;
  buffer[length] = '\0';
  return strdup(buffer);
}

/* Sets `*path` to the malloc()ed path of the weights file: the override, or
 * `file` relative to the package's directory. */
static tessera_status_t weights_path(const char *override_path,
                                     const char *file, char **path) {
  *path = NULL;
  if (override_path || file[0] == '/') {
    *path = strdup(override_path ? override_path : file);
    return *path ? TESSERA_OK
                 : tessera_rt_fail(TESSERA_ERROR_OUT_OF_MEMORY, "out of memory");
  }
  char *package = package_path();
  if (!package)
    return tessera_rt_fail(TESSERA_ERROR_IO,
                           "cannot find the weights file '%s': the package's "
                           "own path is unknown; pass the file's path to "
                           "tessera_model_load",
                           file);
  char *slash = strrchr(package, '/'); /* package_path has one */
  size_t dir_length = (size_t)(slash - package) + 1;
  size_t file_length = strlen(file);
  *path = malloc(dir_length + file_length + 1);
  if (*path) {
    memcpy(*path, package, dir_length);
    memcpy(*path + dir_length, file, file_length + 1);
  }
  free(package);
  return *path ? TESSERA_OK
               : tessera_rt_fail(TESSERA_ERROR_OUT_OF_MEMORY, "out of memory");
}

tessera_status_t tessera_rt_map_weights(const char *override_path,
                                        const char *file, int64_t bytes,
                                        tessera_rt_weights_map_t *out) {
  memset(out, 0, sizeof(*out));
  char *path;
  tessera_status_t status = weights_path(override_path, file, &path);
  if (status != TESSERA_OK)
    return status;

  char reason[256];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    status = tessera_rt_fail(
        TESSERA_ERROR_IO, "cannot open the weights file '%s': %s", path,
        tessera_rt_strerror(errno, reason, sizeof(reason)));
    goto done;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    status = tessera_rt_fail(
        TESSERA_ERROR_IO, "cannot read the weights file '%s': %s", path,
        tessera_rt_strerror(errno, reason, sizeof(reason)));
    goto done;
  }
  if (!S_ISREG(st.st_mode)) {
    status = tessera_rt_fail(TESSERA_ERROR_IO,
                             "the weights file '%s' is not a regular file",
                             path);
    goto done;
  }
  if ((int64_t)st.st_size != bytes) {
    status = tessera_rt_fail(TESSERA_ERROR_IO,
                             "the weights file '%s' is %lld bytes, expected "
                             "%lld",
                             path, (long long)st.st_size, (long long)bytes);
    goto done;
  }
  if (bytes == 0) {
    out->data = empty_weights;
    goto done;
  }
  void *mapping = mmap(NULL, (size_t)bytes, PROT_READ, MAP_PRIVATE, fd, 0);
  if (mapping == MAP_FAILED) {
    int error = errno;
    status = tessera_rt_fail(
        error == ENOMEM ? TESSERA_ERROR_OUT_OF_MEMORY : TESSERA_ERROR_IO,
        "cannot map the weights file '%s': %s", path,
        tessera_rt_strerror(error, reason, sizeof(reason)));
    goto done;
  }
  out->data = mapping;
  out->mapping = mapping;
  out->mapping_size = (size_t)bytes;

done:
  if (fd >= 0)
    close(fd);
  free(path);
  return status;
}

void tessera_rt_unmap_weights(tessera_rt_weights_map_t *map) {
  if (map->mapping)
    munmap(map->mapping, map->mapping_size);
  memset(map, 0, sizeof(*map));
}
