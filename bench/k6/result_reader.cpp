#include "bench/k6/result_reader.hpp"

#include <zlib.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "bench/k6/flowbench_results_reader.hpp"
#include "bench/k6/k6_error.hpp"
#include "bench/k6/ndjson_reader.hpp"
#include "bench/k6/summary_readers.hpp"

namespace flowbench::k6 {
namespace json = boost::json;
namespace {

constexpr std::size_t kHeadBytes = 64 * 1024;
// Summaries are kilobytes; a larger single document is not one (and is not parsed whole).
constexpr std::uintmax_t kMaxDocumentBytes = 64ull << 20;

constexpr std::string_view kNdjsonFormat = "k6 NDJSON (--out json)";

class NdjsonReader : public ResultReader {
 public:
  std::string_view Name() const override { return kNdjsonFormat; }
  bool Recognises(const FileProbe& probe) const override {
    // Any of the first few lines will do, so a broken first line is reported by line
    // number by the reader rather than as "unknown format".
    std::string_view head = probe.head;
    for (int i = 0; i < 5 && !head.empty(); ++i) {
      std::size_t end = head.find('\n');
      if (end == std::string_view::npos) break;  // a cut-off line proves nothing
      json::error_code ec;
      json::value line = json::parse(head.substr(0, end), ec);
      head.remove_prefix(end + 1);
      if (ec || !line.is_object()) continue;
      const json::value* type = line.get_object().if_contains("type");
      if (type && (*type == "Metric" || *type == "Point")) return true;
    }
    return false;
  }
  compare::RunSummary Read(const FileProbe& probe) const override {
    return ReadNdjsonFile(probe.path);
  }
};

class SummaryExportReader : public ResultReader {
 public:
  std::string_view Name() const override { return "k6 --summary-export"; }
  bool Recognises(const FileProbe& probe) const override {
    return probe.document && LooksLikeSummaryExport(*probe.document);
  }
  compare::RunSummary Read(const FileProbe& probe) const override {
    return SummaryExportFromJson(*probe.document, probe.path.string());
  }
};

class HandleSummaryReader : public ResultReader {
 public:
  std::string_view Name() const override { return "k6 handleSummary data"; }
  bool Recognises(const FileProbe& probe) const override {
    return probe.document && LooksLikeHandleSummary(*probe.document);
  }
  compare::RunSummary Read(const FileProbe& probe) const override {
    return HandleSummaryFromJson(*probe.document, probe.path.string());
  }
};

class FlowbenchResultsReader : public ResultReader {
 public:
  std::string_view Name() const override { return kFlowbenchResultsFormat; }
  bool Recognises(const FileProbe& probe) const override {
    if (probe.document) return LooksLikeFlowbenchResults(*probe.document);
    // Not valid JSON, but it says what it means to be: report that, not "unknown format".
    return probe.head.find("\"flowbench.results/") != std::string::npos &&
           probe.head.find("\"schema\"") != std::string::npos;
  }
  compare::RunSummary Read(const FileProbe& probe) const override {
    if (!probe.document) {
      json::error_code ec;
      json::parse(probe.head, ec);
      throw K6FormatError(probe.path.string() +
                          ": a flowbench results file that is not valid JSON (" + ec.message() +
                          ")");
    }
    return FlowbenchResultsFromJson(*probe.document, probe.path.string(), probe.selector);
  }
};

std::string ReadWholeFile(const std::filesystem::path& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw K6FormatError(path.string() + ": cannot open");
  std::unique_ptr<gzFile_s, int (*)(gzFile)> closer(file, gzclose);
  std::string content;
  char buffer[64 * 1024];
  for (;;) {
    int n = gzread(file, buffer, sizeof buffer);
    if (n < 0) throw K6FormatError(path.string() + ": cannot read");
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
    if (content.size() > kMaxDocumentBytes) break;
  }
  return content;
}

}  // namespace

FileProbe ProbeFile(const std::filesystem::path& path) {
  FileProbe probe;
  probe.path = path;
  std::ifstream raw(path, std::ios::binary);
  if (!raw) throw K6FormatError(path.string() + ": cannot open");
  unsigned char magic[2] = {0, 0};
  raw.read(reinterpret_cast<char*>(magic), 2);
  probe.gzip = magic[0] == 0x1f && magic[1] == 0x8b;

  std::error_code ec;
  std::uintmax_t size = std::filesystem::file_size(path, ec);
  bool small = !ec && (probe.gzip ? size <= kMaxDocumentBytes / 16 : size <= kMaxDocumentBytes);
  std::string content;
  if (small) {
    content = ReadWholeFile(path);
    json::error_code parse_error;
    json::value document = json::parse(content, parse_error);
    if (!parse_error) probe.document = std::move(document);
    probe.head = content.substr(0, kHeadBytes);
  } else {
    gzFile file = gzopen(path.c_str(), "rb");
    if (file == nullptr) throw K6FormatError(path.string() + ": cannot open");
    probe.head.resize(kHeadBytes);
    int n = gzread(file, probe.head.data(), static_cast<unsigned>(kHeadBytes));
    gzclose(file);
    probe.head.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  }
  return probe;
}

std::vector<std::unique_ptr<ResultReader>> DefaultResultReaders() {
  std::vector<std::unique_ptr<ResultReader>> readers;
  readers.push_back(std::make_unique<FlowbenchResultsReader>());
  readers.push_back(std::make_unique<HandleSummaryReader>());
  readers.push_back(std::make_unique<SummaryExportReader>());
  readers.push_back(std::make_unique<NdjsonReader>());
  return readers;
}

compare::RunSummary ReadResultFile(const std::filesystem::path& named,
                                   std::span<const std::unique_ptr<ResultReader>> readers) {
  // "PATH#selector", unless a file of that very name exists.
  std::filesystem::path given = named;
  std::string selector;
  std::string text = named.string();
  if (std::size_t hash = text.rfind('#');
      hash != std::string::npos && !std::filesystem::exists(named)) {
    given = text.substr(0, hash);
    selector = text.substr(hash + 1);
    if (selector.empty()) throw K6FormatError(text + ": nothing after '#' (e.g. #async)");
  }
  std::filesystem::path path = given;
  if (std::filesystem::is_directory(given)) {
    path = given / "results.json";
    if (!std::filesystem::exists(path)) {
      throw K6FormatError(given.string() +
                          ": a directory without results.json (give a "
                          "results directory of `flowbench run`, or a file)");
    }
  }
  FileProbe probe = ProbeFile(path);
  probe.selector = selector;
  for (const auto& reader : readers) {
    if (!reader->Recognises(probe)) continue;
    if (!selector.empty() && reader->Name() != kFlowbenchResultsFormat) {
      throw K6FormatError(text + ": '#" + selector +
                          "' selects runs of a flowbench results.json; "
                          "this is " +
                          std::string(reader->Name()));
    }
    return reader->Read(probe);
  }
  std::ostringstream tried;
  for (const auto& reader : readers) tried << (tried.tellp() > 0 ? ", " : "") << reader->Name();
  throw K6FormatError(path.string() +
                      ": not a format flowbench compare knows (tried: " + tried.str() + ")");
}

compare::RunSummary ReadMergedResultFiles(std::span<const std::filesystem::path> paths,
                                          std::span<const std::unique_ptr<ResultReader>> readers) {
  for (const std::filesystem::path& path : paths) {
    FileProbe probe = ProbeFile(path);
    std::string_view format = "a format flowbench compare does not know";
    for (const auto& reader : readers) {
      if (reader->Recognises(probe)) {
        format = reader->Name();
        break;
      }
    }
    if (format != kNdjsonFormat) {
      throw K6FormatError(path.string() + ": --merge takes k6 --out json outputs (their samples " +
                          "can be merged; a summary's percentiles cannot); this is " +
                          std::string(format));
    }
  }
  return ReadMergedNdjsonFiles(paths);
}

}  // namespace flowbench::k6
