// libFuzzer target: the request bodies of every route (CONTRACT §3), and the path ids. Each
// parser either returns a value or throws ClientError (400/422); anything else escaping,
// a crash or undefined behaviour is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/domain/errors.hpp"
#include "common/domain/requests.hpp"

namespace {

template <typename Parse>
void ExpectValueOrClientError(Parse parse) {
  try {
    parse();
  } catch (const flowbench::ClientError&) {  // the documented refusal of a bad body
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  ExpectValueOrClientError([&] { return flowbench::ParseRegistration(body); });
  ExpectValueOrClientError([&] { return flowbench::ParsePaymentRequest(body); });
  ExpectValueOrClientError([&] { return flowbench::ParseProductUpdate(body); });
  ExpectValueOrClientError([&] { return flowbench::ParseReportRequest(body); });
  ExpectValueOrClientError([&] { return flowbench::ParseOrderRequest(body); });
  ExpectValueOrClientError([&] { return flowbench::ParseClickRequest(body); });
  ExpectValueOrClientError([&] { return flowbench::ParseSlowdown(body); });
  (void)flowbench::IsValidEmail(body);
  (void)flowbench::ParseId(body);
  return 0;
}
