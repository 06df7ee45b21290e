# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "tessera"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
# .onnxtxt: ONNX's textual model syntax; .mlir: tessera IR; .test: scripts.
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "models", "inputs", "e2e/inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tessera_obj_root, "test")

config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%models", os.path.join(config.tessera_src_root, "test", "models")))
config.substitutions.append(("%runtime_test_dir", os.path.join(config.tessera_obj_root, "test", "Runtime")))
# The build and source trees, for tests of the runtime, tessera-run and the
# Python package (e.g. %build_dir/test/Runtime/libtessera_fake_package.so).
config.substitutions.append(("%build_dir", config.tessera_obj_root))
config.substitutions.append(("%src_root", config.tessera_src_root))
config.substitutions.append(("%tessera_bin", config.tessera_tools_dir))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.tessera_tools_dir, config.llvm_tools_dir]
tools = ["tessera-opt", "tessera-compile", "tessera-unit-tests", "tessera-runtime-test", "tessera-gemm-test", "tessera-depthwise-test", "tessera-pointwise-depthwise-test", "tessera-winograd-test", "tessera-direct-conv-test"]
tools.append("tessera-run")
llvm_config.add_tool_substitutions(tools, tool_dirs)
