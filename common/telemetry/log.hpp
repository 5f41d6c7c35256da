// Structured logging: one JSON object per line on stderr, e.g.
// {"ts":"2026-...Z","level":"info","arch":"sync","service":"user","trace_id":"...","msg":"..."}
// `flowbench up` sends each service's stderr to its own file in the run directory.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace flowbench::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Called once in main: every line after it names this process.
void Configure(std::string_view arch, std::string_view service, Level min_level = Level::kInfo);

// The line as written, without the newline (tests read it back).
std::string FormatLine(Level level, std::string_view message, const boost::json::object& fields,
                       std::string_view trace_id);

void Write(Level level, std::string_view message, const boost::json::object& fields = {},
           std::string_view trace_id = {});

inline void Info(std::string_view m, const boost::json::object& f = {}, std::string_view t = {}) {
  Write(Level::kInfo, m, f, t);
}
inline void Warn(std::string_view m, const boost::json::object& f = {}, std::string_view t = {}) {
  Write(Level::kWarn, m, f, t);
}
inline void Error(std::string_view m, const boost::json::object& f = {}, std::string_view t = {}) {
  Write(Level::kError, m, f, t);
}

}  // namespace flowbench::log
