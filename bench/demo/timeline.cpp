#include "bench/demo/timeline.hpp"

#include <algorithm>
#include <fstream>

#include "common/telemetry/span.hpp"

namespace flowbench::demo {
namespace fs = std::filesystem;

TraceFollower::TraceFollower(std::string trace_id, std::vector<fs::path> logs,
                             std::chrono::milliseconds settle)
    : trace_id_(std::move(trace_id)),
      settle_(settle),
      last_hop_read_(std::chrono::steady_clock::now()) {
  for (fs::path& path : logs) {
    std::error_code ec;
    std::uintmax_t size = fs::file_size(path, ec);
    logs_.push_back({std::move(path), ec ? 0 : size, {}});
  }
}

void TraceFollower::ReadNewLines() {
  for (FollowedLog& log : logs_) {
    std::error_code ec;
    std::uintmax_t size = fs::file_size(log.path, ec);
    if (ec) continue;  // not created yet (a service being restarted): read it next time
    if (size < log.offset) log = {log.path, 0, {}};  // truncated: start over
    if (size == log.offset) continue;
    std::ifstream in(log.path, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(log.offset));
    std::string chunk(size - log.offset, '\0');
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    chunk.resize(static_cast<std::size_t>(in.gcount()));
    log.offset += chunk.size();

    std::string text = std::move(log.partial) + chunk;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
      if (std::optional<Hop> hop =
              ParseHop(std::string_view(text).substr(start, end - start), trace_id_)) {
        held_.push_back(std::move(*hop));
        last_hop_read_ = std::chrono::steady_clock::now();
      }
    }
    log.partial = text.substr(start);
  }
}

std::vector<Hop> TraceFollower::Release(SystemTime up_to) {
  std::stable_sort(held_.begin(), held_.end(),
                   [](const Hop& a, const Hop& b) { return a.ts < b.ts; });
  auto later = std::find_if(held_.begin(), held_.end(), [&](const Hop& h) { return h.ts > up_to; });
  std::vector<Hop> released(std::make_move_iterator(held_.begin()), std::make_move_iterator(later));
  held_.erase(held_.begin(), later);
  return released;
}

std::vector<Hop> TraceFollower::Poll() {
  ReadNewLines();
  return Release(std::chrono::system_clock::now() - settle_);
}

std::vector<Hop> TraceFollower::Drain() {
  ReadNewLines();
  return Release(SystemTime::max());
}

void HopBalance::Add(const Hop& hop) {
  if (hop.kind == span::kReceived || hop.kind == span::kCall || hop.kind == span::kConsume) {
    ++open_;
  } else if (hop.kind == span::kAnswered || hop.kind == span::kAck) {
    --open_;
  } else if (hop.kind == span::kCallDone && hop.Field("error") != "circuit_open") {
    --open_;  // a call refused by the open circuit never opened one
  }
}

}  // namespace flowbench::demo
