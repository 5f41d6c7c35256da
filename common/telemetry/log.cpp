#include "common/telemetry/log.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>

#include "common/domain/events.hpp"
#include "common/domain/secrets.hpp"

namespace flowbench::log {
namespace {

struct Identity {
  std::string arch = "-";
  std::string service = "-";
};

Identity& ProcessIdentity() {
  static Identity identity;
  return identity;
}

std::atomic<Level> g_min_level{Level::kInfo};

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void Configure(std::string_view arch, std::string_view service, Level min_level) {
  ProcessIdentity() = Identity{std::string(arch), std::string(service)};
  g_min_level = min_level;
}

std::string FormatLine(Level level, std::string_view message, const boost::json::object& fields,
                       std::string_view trace_id) {
  boost::json::object line;
  line["ts"] = FormatTimestamp(std::chrono::system_clock::now());
  line["level"] = LevelName(level);
  line["arch"] = ProcessIdentity().arch;
  line["service"] = ProcessIdentity().service;
  if (!trace_id.empty()) line["trace_id"] = trace_id;
  line["msg"] = message;
  for (const auto& [key, value] : fields) line[key] = value;
  // Redacted here, on the whole line, rather than at each call: an error that quotes a URL or
  // a conninfo can come from any library, and no caller has to remember it.
  return RedactSecrets(boost::json::serialize(line));
}

void Write(Level level, std::string_view message, const boost::json::object& fields,
           std::string_view trace_id) {
  if (level < g_min_level.load(std::memory_order_relaxed)) return;
  std::string line = FormatLine(level, message, fields, trace_id);
  line += '\n';
  // One write(2) per line: lines from several threads never interleave.
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;  // nowhere left to report a failed log write
}

}  // namespace flowbench::log
