# lit configuration for the avila tests: every .mlir file under test/ is a test.
import os

import lit.formats

config.name = "Avila"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = config.avila_obj_root
config.excludes = ["unit", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in"]

config.environment["PATH"] = os.pathsep.join(
    [config.avila_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")]
)
config.substitutions.append(("%avila_src", config.avila_source_dir))
# Golden models and real inputs (../shared), read in place.
config.substitutions.append(("%shared", config.avila_shared_dir))
# A command run on lavapipe, as the Vulkan tests run (test/CMakeLists.txt).
config.substitutions.append(
    ("%lavapipe", "env " + " ".join(config.lavapipe_environment.split(";")))
)
# MLIR's runtime support library, for tests that run lowered code with
# mlir-runner.
config.substitutions.append(
    (
        "%mlir_c_runner_utils",
        os.path.join(config.llvm_tools_dir, "..", "lib", "libmlir_c_runner_utils.so"),
    )
)
