// The results directory as the console browses it: the runs (results.json + report.html) and
// sweeps (sweep.json + sweep.html) directly under it, one of their files by name, and two of
// them lined up as `flowbench compare` lines them up. Every name comes from a URL: anything
// that is not one plain file or directory name under the results directory is refused.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace flowbench::console {

// Bad input from the client (400) and nothing of that name (404): the server answers each
// with its status and the message as a JSON error.
class BadRequest : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};
class NotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ResultEntry {
  std::string name;               // the directory's name under the results directory
  std::string kind;               // "run" | "sweep"
  std::string report;             // "report.html" | "sweep.html", "" when it has none
  long long modified_unix_s = 0;  // its results.json / sweep.json
  std::string created_at;         // that file's own "created_at" (RFC 3339 UTC), "" if none
};

// Newest first (by created_at, else the file's time); a missing results directory is an empty list
// (nothing ran yet).
std::vector<ResultEntry> ListResults(const std::filesystem::path& root);
std::string ResultsJson(const std::filesystem::path& root);

// `name` and `file`: one plain name each ([A-Za-z0-9._-], not starting with a dot); the file
// must exist and lie inside `root` once symbolic links are resolved. Throws BadRequest, NotFound.
std::filesystem::path ResultFile(const std::filesystem::path& root, const std::string& name,
                                 const std::string& file);

// Two runs (any mix of what `flowbench compare` reads is not offered here: results
// directories only) or two sweeps side by side, as `flowbench compare A B` prints them:
// {"a", "b", "kind": "runs"|"sweeps", "markdown"}. Throws BadRequest, NotFound.
std::string CompareJson(const std::filesystem::path& root, const std::string& a,
                        const std::string& b);

}  // namespace flowbench::console
