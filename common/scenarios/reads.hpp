// The read routes of both builds (GET /users/{id}, /payments/{id}, ...): one query and one
// answer each, with one 404 text ("user 42 does not exist"), whichever build answers.
// Each runs in the caller's transaction; the builds differ only in how they get there.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "common/service/reply.hpp"

namespace flowbench {

Reply UserReply(pqxx::work& tx, std::int64_t user_id);
Reply PaymentReply(pqxx::work& tx, const std::string& payment_id);
Reply ProductReply(pqxx::work& tx, std::int64_t product_id);
Reply ProductListReply(pqxx::work& tx);  // {"products": [...], "count": n}
Reply ReportJobReply(pqxx::work& tx, const std::string& job_id);
Reply OrderReply(pqxx::work& tx, std::int64_t order_id);
Reply StockReply(pqxx::work& tx, std::int64_t product_id);  // {"product_id", "reserved"}
Reply ClickCountReply(pqxx::work& tx);                      // {"count": n}

}  // namespace flowbench
