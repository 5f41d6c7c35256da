#include "asynchronous/runtime/fan_in.hpp"

#include "common/scenarios/stores.hpp"

namespace flowbench::async {

PartDone FinishPart(pqxx::work& tx, std::string_view part, const std::string& message_id,
                    std::span<const std::string_view> parts) {
  // Held until commit: the parts of one message are recorded one after another.
  tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", message_id);
  PartDone done;
  done.first_time = MarkMessageProcessed(tx, part, message_id);
  std::string names;
  for (std::string_view p : parts) {
    if (!names.empty()) names += ", ";
    names += tx.quote(std::string(p));
  }
  auto count = tx.exec_params(
                     "SELECT count(*) FROM processed_messages WHERE message_id = $1 "
                     "AND consumer IN (" +
                         names + ")",
                     message_id)[0][0]
                   .as<std::size_t>();
  done.all_done = count == parts.size();
  return done;
}

}  // namespace flowbench::async
