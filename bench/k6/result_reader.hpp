// The inputs of `flowbench compare`: any file some ResultReader recognises becomes a
// compare::RunSummary. The three k6 formats and flowbench's own results.json (recognised by its
// "schema" field; flowbench_results_reader.hpp) register in DefaultResultReaders().
#pragma once

#include <boost/json/value.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/compare/run_summary.hpp"

namespace flowbench::k6 {

// What detection may look at without reading a GB file: the start of the (decompressed)
// content, and the whole document when the file is a single small JSON value.
struct FileProbe {
  std::filesystem::path path;
  bool gzip = false;
  std::string head;                            // the first up to 64 KiB, decompressed
  std::optional<boost::json::value> document;  // set when the whole file parses as one JSON value
  std::string selector;  // after '#' in the name given: which runs of a results.json
};

FileProbe ProbeFile(const std::filesystem::path& path);  // throws K6FormatError if unreadable

class ResultReader {
 public:
  virtual ~ResultReader() = default;
  virtual std::string_view Name() const = 0;  // "k6 NDJSON"
  virtual bool Recognises(const FileProbe& probe) const = 0;
  virtual compare::RunSummary Read(const FileProbe& probe) const = 0;
};

// flowbench results.json, and the k6 readers: --out json NDJSON (plain or gzip),
// --summary-export, handleSummary data.
std::vector<std::unique_ptr<ResultReader>> DefaultResultReaders();

// The first reader that recognises the file reads it; a file nobody recognises is a
// K6FormatError that lists what was tried. A directory stands for its results.json (what
// `flowbench run` writes). "PATH#async" (or "#async/baseline") selects one build's runs of a
// flowbench results file (flowbench_results_reader.hpp).
compare::RunSummary ReadResultFile(const std::filesystem::path& path,
                                   std::span<const std::unique_ptr<ResultReader>> readers);

// `flowbench compare --merge`: several k6 --out json outputs of one run (one per machine,
// `--execution-segment`) as one run (ReadMergedNdjsonFiles). Any other format is a
// K6FormatError naming the file and what it is: summaries hold percentiles, which cannot
// be merged.
compare::RunSummary ReadMergedResultFiles(std::span<const std::filesystem::path> paths,
                                          std::span<const std::unique_ptr<ResultReader>> readers);

}  // namespace flowbench::k6
