// What the three probes share: a name for the queue or schema a probe makes for itself, and
// the window in seconds.
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>

namespace flowbench::limits {

// "<prefix>_<pid>_<n>": private to this process and this probe (another flowbench on the same
// servers, or a probe run twice in one process, never meets it).
inline std::string UniqueProbeName(const std::string& prefix) {
  static std::atomic<int> next{0};
  return prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(next.fetch_add(1));
}

inline double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace flowbench::limits
