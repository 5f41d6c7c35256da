// The table `flowbench run` prints when it ends: per profile, scenario and build, the answer
// p99, the completion p99 and what became of the requests, in plain text within 100 columns.
#include <sstream>

#include "bench/report/aggregate.hpp"
#include "bench/report/reports.hpp"

namespace flowbench::report {
namespace {

constexpr std::size_t kWidth = 100;

// Columns a UTF-8 string takes in a terminal (every character here is one column wide).
std::size_t Columns(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Pad(const std::string& text, std::size_t width) {
  std::size_t used = Columns(text);
  return text + std::string(used < width ? width - used : 1, ' ');
}

// "done 1490/1497, dead_lettered 2, unfinished 5, cut 1": done of accepted, then the rest
// that are not zero.
std::vector<std::string> OutcomeParts(const ScenarioResult& s) {
  std::vector<std::string> parts;
  if (!s.outcomes) {
    parts.emplace_back("outcomes not collected");
  } else {
    const Outcomes& o = *s.outcomes;
    parts.push_back("done " + std::to_string(o.done) + "/" + std::to_string(o.accepted));
    const std::pair<const char*, std::uint64_t> others[] = {
        {"degraded", o.degraded},      {"compensated", o.compensated},
        {"failed", o.failed},          {"dead_lettered", o.dead_lettered},
        {"withdrawn", o.withdrawn},    {"duplicated", o.duplicated},
        {"unfinished", o.unfinished},  {"lost", o.lost},
        {"unknown_ids", o.unknown_ids}};
    for (const auto& [name, count] : others) {
      if (count > 0) parts.push_back(std::string(name) + " " + std::to_string(count));
    }
  }
  if (s.cut > 0) parts.push_back("cut " + std::to_string(s.cut));
  return parts;
}

}  // namespace

std::string RunSummaryTable(const RunResults& r) {
  constexpr std::size_t kScenario = 11, kBuild = 9, kAnswer = 12, kCompletion = 16;
  constexpr std::size_t kOutcomesAt = kScenario + kBuild + kAnswer + kCompletion;
  std::ostringstream out;
  for (const std::string& profile : r.profiles) {
    out << profile << "\n"
        << Pad("scenario", kScenario) << Pad("build", kBuild) << Pad("answer p99", kAnswer)
        << Pad("completion p99", kCompletion) << "outcomes\n";
    for (const std::string& id : ScenarioIds(r)) {
      for (const std::string& arch : Archs(r)) {
        std::vector<const ProfileRun*> runs = r.Runs(arch, profile);
        for (const ProfileRun* run : runs) {
          const ScenarioResult* s = run->Scenario(id);
          if (s == nullptr) continue;
          std::string build = arch + (runs.size() > 1 ? "#" + std::to_string(run->repeat) : "");
          std::string completion =
              s->completion ? (s->completion_lower_bound ? "≥ " : "") + Millis(s->completion->p99)
                            : "not measured";
          std::string line = Pad(id, kScenario) + Pad(build, kBuild) +
                             Pad(Millis(s->latency.p99), kAnswer) + Pad(completion, kCompletion);
          // Outcomes fill the rest of the line, wrapping under their own column.
          std::size_t used = Columns(line);
          bool first = true;
          for (const std::string& part : OutcomeParts(*s)) {
            std::string piece = (first ? "" : ", ") + part;
            if (!first && used + Columns(piece) + 1 > kWidth) {
              out << line << ",\n";
              line = std::string(kOutcomesAt, ' ') + part;
            } else {
              line += piece;
            }
            used = Columns(line);
            first = false;
          }
          out << line << "\n";
        }
      }
    }
  }
  bool lower_bound = false;
  for (const ProfileRun& run : r.runs) {
    for (const ScenarioResult& s : run.scenarios) lower_bound |= s.completion_lower_bound;
  }
  if (lower_bound) {
    out << "≥: the run did not drain before the deadline; the true completion p99 is higher.\n";
  }
  return out.str();
}

}  // namespace flowbench::report
