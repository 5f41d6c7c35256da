#include "bench/console/results_browser.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <system_error>

#include "bench/compare/compare_table.hpp"
#include "bench/k6/result_reader.hpp"
#include "bench/sweep/sweep_report.hpp"
#include "bench/sweep/sweep_results.hpp"

namespace flowbench::console {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kLongestName = 200;

void CheckPlainName(const std::string& name, const char* what) {
  if (name.empty() || name.size() > kLongestName) {
    throw BadRequest(std::string(what) + " must be 1 to 200 characters");
  }
  bool plain = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
  if (!plain || name.front() == '.') {
    throw BadRequest(std::string(what) + " '" + name +
                     "' is not a plain name (letters, digits, '.', '_', '-'; no leading dot)");
  }
}

long long ModifiedUnixSeconds(const fs::path& file) {
  std::error_code error;
  fs::file_time_type at = fs::last_write_time(file, error);
  if (error) return 0;
  auto system = std::chrono::file_clock::to_sys(at);
  return std::chrono::duration_cast<std::chrono::seconds>(system.time_since_epoch()).count();
}

// "created_at" of a results.json or sweep.json: written among the first fields, so read
// from the file's head without parsing a file that may be megabytes.
std::string CreatedAt(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string head(1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  std::size_t key = head.find("\"created_at\"");
  std::size_t colon = key == std::string::npos ? key : head.find(':', key);
  std::size_t open = colon == std::string::npos ? colon : head.find('"', colon);
  std::size_t close = open == std::string::npos ? open : head.find('"', open + 1);
  if (close == std::string::npos) return "";
  return head.substr(open + 1, close - open - 1);
}

// The results directory NAME, a run or a sweep; throws BadRequest, NotFound.
ResultEntry Entry(const fs::path& root, const std::string& name) {
  CheckPlainName(name, "result name");
  std::vector<ResultEntry> all = ListResults(root);
  auto found =
      std::find_if(all.begin(), all.end(), [&](const ResultEntry& e) { return e.name == name; });
  if (found == all.end()) {
    throw NotFound("no run or sweep named '" + name + "' in " + root.string());
  }
  return *found;
}

}  // namespace

std::vector<ResultEntry> ListResults(const fs::path& root) {
  std::vector<ResultEntry> entries;
  std::error_code error;
  if (!fs::is_directory(root, error)) return entries;
  for (const fs::directory_entry& dir : fs::directory_iterator(root, error)) {
    std::string name = dir.path().filename().string();
    if (!dir.is_directory() || name.empty() || name.front() == '.') continue;
    ResultEntry e;
    e.name = name;
    if (fs::exists(dir.path() / "results.json")) {
      e.kind = "run";
      if (fs::exists(dir.path() / "report.html")) e.report = "report.html";
      e.modified_unix_s = ModifiedUnixSeconds(dir.path() / "results.json");
    } else if (fs::exists(dir.path() / "sweep.json")) {
      e.kind = "sweep";
      if (fs::exists(dir.path() / "sweep.html")) e.report = "sweep.html";
      e.modified_unix_s = ModifiedUnixSeconds(dir.path() / "sweep.json");
    } else {
      continue;  // some other directory (micro-benchmarks, notes)
    }
    e.created_at = CreatedAt(dir.path() / (e.kind == "run" ? "results.json" : "sweep.json"));
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(), [](const ResultEntry& a, const ResultEntry& b) {
    if (a.created_at != b.created_at) return a.created_at > b.created_at;  // RFC 3339 UTC sorts
    return a.modified_unix_s != b.modified_unix_s ? a.modified_unix_s > b.modified_unix_s
                                                  : a.name < b.name;
  });
  return entries;
}

std::string ResultsJson(const fs::path& root) {
  boost::json::array list;
  for (const ResultEntry& e : ListResults(root)) {
    list.push_back({{"name", e.name},
                    {"kind", e.kind},
                    {"report", e.report},
                    {"modified_unix_s", e.modified_unix_s},
                    {"created_at", e.created_at}});
  }
  boost::json::object out{{"results_dir", root.string()}, {"results", std::move(list)}};
  return boost::json::serialize(out);
}

fs::path ResultFile(const fs::path& root, const std::string& name, const std::string& file) {
  CheckPlainName(name, "result name");
  CheckPlainName(file, "file name");
  std::error_code error;
  fs::path base = fs::canonical(root, error);
  if (error) throw NotFound("the results directory " + root.string() + " does not exist");
  fs::path path = fs::canonical(base / name / file, error);
  if (error || !fs::is_regular_file(path)) throw NotFound(name + "/" + file + " does not exist");
  // A symbolic link may point anywhere: only what lies inside the results directory is served.
  std::string inside = base.string() + "/";
  if (path.string().compare(0, inside.size(), inside) != 0) {
    throw NotFound(name + "/" + file + " is outside the results directory");
  }
  return path;
}

std::string CompareJson(const fs::path& root, const std::string& a, const std::string& b) {
  ResultEntry first = Entry(root, a);
  ResultEntry second = Entry(root, b);
  if (first.kind != second.kind) {
    throw BadRequest("a run compares with a run and a sweep with a sweep: '" + a + "' is a " +
                     first.kind + ", '" + b + "' a " + second.kind);
  }
  std::string markdown;
  try {
    if (first.kind == "sweep") {
      markdown = sweep::CompareSweeps(sweep::LoadSweep((root / a / "sweep.json").string()), a,
                                      sweep::LoadSweep((root / b / "sweep.json").string()), b);
    } else {
      std::vector<std::unique_ptr<k6::ResultReader>> readers = k6::DefaultResultReaders();
      std::vector<compare::RunSummary> runs{k6::ReadResultFile(root / a, readers),
                                            k6::ReadResultFile(root / b, readers)};
      runs[0].source = a;  // the table's column headings: the names the page shows
      runs[1].source = b;
      compare::CompareOptions options;
      options.metrics = compare::DefaultCompareMetrics();
      markdown = compare::CompareTable(runs, options);
    }
  } catch (const std::exception& e) {
    // The files are there but `flowbench compare` could not read them: the client asked for
    // something that cannot be compared, not a server fault.
    throw BadRequest("cannot compare '" + a + "' and '" + b + "': " + e.what());
  }
  boost::json::object out{{"a", a},
                          {"b", b},
                          {"kind", first.kind == "sweep" ? "sweeps" : "runs"},
                          {"markdown", markdown}};
  return boost::json::serialize(out);
}

}  // namespace flowbench::console
