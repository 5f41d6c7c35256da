// When several consumers in parallel share one scenario's work (the three fan-out consumers
// of a product update; inventory and order compensating a failed payment), the one that
// finishes last records the scenario's completion. Each records its part in the same
// transaction as its effect; a per-message advisory lock makes "am I the last?" exact.
#pragma once

#include <pqxx/pqxx>
#include <span>
#include <string>
#include <string_view>

namespace flowbench::async {

struct PartDone {
  bool first_time = false;  // false: this part was done before (a redelivery)
  bool all_done = false;    // every part of `parts` is now done
};

// `parts`: one of the lists of common/scenarios/step_names.hpp.
PartDone FinishPart(pqxx::work& tx, std::string_view part, const std::string& message_id,
                    std::span<const std::string_view> parts);

}  // namespace flowbench::async
