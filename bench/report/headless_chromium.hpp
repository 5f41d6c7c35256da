// Debian's headless Chromium as the browser tests drive it (report.html, sweep.html): offline,
// with a profile of its own, and nothing in the background that would log to the console.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace flowbench::report::testing {

inline constexpr const char* kChromium = "/usr/bin/chromium";

inline std::vector<std::string> ChromiumArgs(const std::filesystem::path& profile) {
  // No network here: background services would only log refused connections.
  return {kChromium,
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--user-data-dir=" + profile.string()};
}

}  // namespace flowbench::report::testing
