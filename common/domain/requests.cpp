#include "common/domain/requests.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include "common/domain/errors.hpp"
#include "common/domain/json_fields.hpp"

namespace flowbench {
namespace {

constexpr std::size_t kMaxTextLength = 2048;

// C0 (U+0000-U+001F), DEL and C1 (U+0080-U+009F, in UTF-8 0xC2 0x80-0x9F). The JSON parser
// has already refused invalid UTF-8, so a 0xC2 byte always starts a two-byte character.
bool HasControlCharacter(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) return true;
    if (byte == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      return true;
    }
  }
  return false;
}

// No stored text needs a control character, and a NUL would be worse than useless: libpq
// sends text as C strings, so the database would store the text cut short at it.
void RequireNoControlCharacters(std::string_view key, std::string_view text) {
  if (HasControlCharacter(text)) {
    throw ValidationError("field '" + std::string(key) +
                          "' must not contain control characters (U+0000-U+001F, U+007F-U+009F)");
  }
}

std::string BoundedText(const JsonFields& fields, std::string_view key, std::size_t max_length) {
  std::string text = fields.String(key);
  if (text.empty()) throw ValidationError("field '" + std::string(key) + "' must not be empty");
  RequireNoControlCharacters(key, text);
  if (text.size() > max_length) {
    throw ValidationError("field '" + std::string(key) + "' is longer than " +
                          std::to_string(max_length) + " characters");
  }
  return text;
}

}  // namespace

bool IsValidEmail(std::string_view email) {
  if (email.size() < 3 || email.size() > 254) return false;
  if (HasControlCharacter(email) || std::any_of(email.begin(), email.end(), [](unsigned char c) {
        return std::isspace(c) || c == '"' || c == ',' || c == '<' || c == '>';
      })) {
    return false;
  }
  std::size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 ||
      email.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view domain = email.substr(at + 1);
  std::size_t dot = domain.find('.');
  return dot != std::string_view::npos && dot != 0 && domain.back() != '.' &&
         domain.find("..") == std::string_view::npos;
}

std::optional<std::int64_t> ParseId(std::string_view text) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

Registration ParseRegistration(std::string_view body) {
  boost::json::object json = ParseJsonObject(body);
  std::string email = JsonFields(json).String("email");
  if (!IsValidEmail(email)) throw ValidationError("field 'email' is not a valid email address");
  return Registration{std::move(email)};
}

PaymentRequest ParsePaymentRequest(std::string_view body) {
  boost::json::object json = ParseJsonObject(body);
  JsonFields fields(json);
  PaymentRequest request;
  request.amount = fields.Number("amount");
  if (!std::isfinite(request.amount) || request.amount <= 0) {
    throw ValidationError("field 'amount' must be a positive number");
  }
  if (request.amount > 1e12) throw ValidationError("field 'amount' is implausibly large");
  // The column is NUMERIC(16, 2) CHECK (amount > 0): whole cents, from one cent. Up to 1e12
  // a double times 100 is within far less than half a cent of the integer it should be, and
  // that integer divided by 100 is the very double a two-decimal amount was parsed into.
  if (request.amount < 0.01) throw ValidationError("field 'amount' must be at least 0.01");
  if (std::round(request.amount * 100) / 100 != request.amount) {
    throw ValidationError("field 'amount' must be whole cents: at most two decimals");
  }
  request.currency = fields.OptionalString("currency").value_or("USD");
  bool iso_code =
      request.currency.size() == 3 && std::all_of(request.currency.begin(), request.currency.end(),
                                                  [](unsigned char c) { return std::isupper(c); });
  if (!iso_code) {
    throw ValidationError("field 'currency' must be a three-letter ISO 4217 code such as \"USD\"");
  }
  return request;
}

ProductUpdate ParseProductUpdate(std::string_view body) {
  boost::json::object json = ParseJsonObject(body);
  JsonFields fields(json);
  ProductUpdate update;
  if (json.contains("name") && !json.at("name").is_null()) {
    update.name = BoundedText(fields, "name", 200);
  }
  update.stock = fields.OptionalInteger("stock");
  if (update.stock && (*update.stock < 0 || *update.stock > 1'000'000'000)) {
    throw ValidationError("field 'stock' must be between 0 and 1000000000");
  }
  return update;
}

ReportRequest ParseReportRequest(std::string_view body) {
  boost::json::object json = ParseJsonObject(body);
  return ReportRequest{BoundedText(JsonFields(json), "report_type", 64)};
}

OrderRequest ParseOrderRequest(std::string_view body) {
  boost::json::object json = ParseJsonObject(body);
  JsonFields fields(json);
  OrderRequest order{fields.Integer("product_id"), fields.Integer("quantity")};
  if (order.product_id <= 0) throw ValidationError("field 'product_id' must be positive");
  if (order.quantity <= 0 || order.quantity > 1000) {
    throw ValidationError("field 'quantity' must be between 1 and 1000");
  }
  return order;
}

ClickRequest ParseClickRequest(std::string_view body) {
  // Thousands a second, read once and copied out: the object lives in an arena on the stack.
  std::array<unsigned char, 1024> buffer;
  boost::json::monotonic_resource arena(buffer.data(), buffer.size());
  boost::json::object json = ParseJsonObject(body, &arena);
  JsonFields fields(json);
  ClickRequest click{fields.Integer("user_id"), BoundedText(fields, "page", kMaxTextLength)};
  if (click.user_id < 0) throw ValidationError("field 'user_id' must not be negative");
  return click;
}

Milliseconds ParseSlowdown(std::string_view body) {
  boost::json::object json = ParseJsonObject(body);
  std::int64_t extra_ms = JsonFields(json).Integer("extra_ms");
  if (extra_ms < 0 || extra_ms > 60'000) {
    throw ValidationError("field 'extra_ms' must be between 0 and 60000");
  }
  return Milliseconds(extra_ms);
}

}  // namespace flowbench
