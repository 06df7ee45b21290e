# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "tessera"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
# .onnxtxt: ONNX's textual model syntax; .mlir: tessera IR; .test: scripts.
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "models", "inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tessera_obj_root, "test")

config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%models", os.path.join(config.tessera_src_root, "test", "models")))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.tessera_tools_dir, config.llvm_tools_dir]
tools = ["tessera-opt", "tessera-compile", "tessera-unit-tests"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
