// The request bodies of CONTRACT.md §3 as typed values. Both fronts parse a body with these
// functions, so the sync and the async build accept and reject exactly the same input.
// Each Parse* throws ClientError (400 malformed JSON, 422 missing/mistyped/invalid field).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/domain/workload_settings.hpp"

namespace flowbench {

struct Registration {  // scenario 1: POST /register
  std::string email;
};

struct PaymentRequest {  // scenario 2: POST /process_payment
  double amount = 0;
  std::string currency;  // ISO 4217 code, "USD" when the body has none
};

struct ProductUpdate {  // scenario 3: PUT /products/{id}
  std::optional<std::string> name;
  std::optional<std::int64_t> stock;
};

struct ReportRequest {  // scenario 4: POST /generate_report
  std::string report_type;
};

struct OrderRequest {  // scenario 5: POST /create_order
  std::int64_t product_id = 0;
  std::int64_t quantity = 0;
};

struct ClickRequest {  // scenario 6: POST /track_click
  std::int64_t user_id = 0;
  std::string page;
};

Registration ParseRegistration(std::string_view body);
PaymentRequest ParsePaymentRequest(std::string_view body);
ProductUpdate ParseProductUpdate(std::string_view body);
ReportRequest ParseReportRequest(std::string_view body);
OrderRequest ParseOrderRequest(std::string_view body);
ClickRequest ParseClickRequest(std::string_view body);
// PUT /fault/slow (CONTRACT §5.2): {"extra_ms": 0..60000}.
Milliseconds ParseSlowdown(std::string_view body);

// A plausible address: one '@', a non-empty local part, a dotted domain, no spaces, at most
// 254 characters. (Deliverability is the email service's business, not validation's.)
bool IsValidEmail(std::string_view email);

// Path ids ("/products/{id}"): a positive decimal integer, else a 404-worthy nullopt.
std::optional<std::int64_t> ParseId(std::string_view text);

}  // namespace flowbench
