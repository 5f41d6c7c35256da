// Where the tests find k6 output: the real samples beside the source tree, and temp files.
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "bench/compare/run_summary.hpp"

namespace flowbench::k6::testing {

// Real k6 output kept in the repository, `<source>/bench/k6/testdata/real-k6` (CTest sets
// FLOWBENCH_SOURCE_DIR), overridable with FLOWBENCH_K6_SAMPLES for other k6 versions' output.
inline std::filesystem::path K6SamplesDir() {
  if (const char* dir = std::getenv("FLOWBENCH_K6_SAMPLES")) return dir;
  const char* source = std::getenv("FLOWBENCH_SOURCE_DIR");
  return std::filesystem::path(source ? source : ".") / "bench" / "k6" / "testdata" / "real-k6";
}

inline std::filesystem::path WriteTempFile(std::string_view name, std::string_view content,
                                           bool gzip = false) {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() /
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

// One statistic of one metric of a read run; a test failure (and -1) when it is missing.
inline double StatOf(const compare::RunSummary& run, std::string_view key, std::string_view stat) {
  const compare::MetricSummary* m = run.Find(key);
  if (m == nullptr) {
    ADD_FAILURE() << key << " missing in " << run.source;
    return -1;
  }
  std::optional<double> v = m->Stat(stat);
  if (!v) ADD_FAILURE() << stat << " of " << key << " missing in " << run.source;
  return v.value_or(-1);
}

}  // namespace flowbench::k6::testing
