// Turning hops into the lines a class reads, one per hop, times relative to the request:
//   +    2.3 ms  order      -> call      inventory POST /reserve
//   +  504.1 ms  email      .. wait      SMTP send (500 ms, a timer: no thread waits)
#pragma once

#include <string>
#include <string_view>

#include "bench/demo/hop.hpp"

namespace flowbench::demo {

// The arrow and verb of a hop kind ("-> call"); what a reader scans the timeline by.
std::string_view HopVerb(std::string_view kind);

std::string NarrateHop(const Hop& hop, SystemTime request_sent);

// "+     12.3 ms", aligned for a column (milliseconds since `origin`; negative when a clock
// is behind); CompactRelativeTime: "+12.3 ms", for inside a sentence.
std::string RelativeTime(SystemTime at, SystemTime origin);
std::string CompactRelativeTime(SystemTime at, SystemTime origin);

}  // namespace flowbench::demo
