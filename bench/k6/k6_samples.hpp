// Where the tests find k6 output: the real samples beside the source tree, and temp files.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <zlib.h>

namespace flowbench::k6::testing {

// `<source>/../shared/k6-samples` (CTest sets FLOWBENCH_SOURCE_DIR; CI clones shared/ beside
// the source), overridable with FLOWBENCH_K6_SAMPLES.
inline std::filesystem::path K6SamplesDir() {
  if (const char* dir = std::getenv("FLOWBENCH_K6_SAMPLES")) return dir;
  const char* source = std::getenv("FLOWBENCH_SOURCE_DIR");
  return std::filesystem::path(source ? source : ".") / ".." / "shared" / "k6-samples";
}

inline std::filesystem::path WriteTempFile(std::string_view name, std::string_view content,
                                           bool gzip = false) {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("flowbench-k6-" + std::to_string(::getpid()) + "-" + std::string(name));
  if (gzip) {
    gzFile file = gzopen(path.c_str(), "wb");
    gzwrite(file, content.data(), static_cast<unsigned>(content.size()));
    gzclose(file);
  } else {
    std::ofstream(path, std::ios::binary) << content;
  }
  return path;
}

}  // namespace flowbench::k6::testing
