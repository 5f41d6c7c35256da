#include "common/domain/json_fields.hpp"

#include <cmath>

#include "common/domain/errors.hpp"

namespace flowbench {
namespace {

std::string Quote(std::string_view key) { return "'" + std::string(key) + "'"; }

// Integers are written `3`, or `3.0` by a client that only has doubles (JavaScript's
// JSON.stringify never does this, Python's may); `3.5` is not one. Every integer column is
// BIGINT, so a value beyond 64 bits is out of range rather than rounded or wrapped; one with
// a fraction or an exponent is exact only below 2^53, so it is out of range from 9e15 on.
std::int64_t ReadInteger(const boost::json::value& v, std::string_view key) {
  if (v.is_int64()) return v.get_int64();
  auto out_of_range = [&] {
    return ValidationError("field " + Quote(key) +
                           " is out of range: integers are 64-bit (or below 9e15 when written "
                           "with a fraction or an exponent)");
  };
  if (v.is_uint64()) {  // Boost.JSON reads into uint64 only what int64 cannot hold
    if (v.get_uint64() > static_cast<std::uint64_t>(INT64_MAX)) throw out_of_range();
    return static_cast<std::int64_t>(v.get_uint64());
  }
  if (v.is_double()) {
    double d = v.get_double();
    if (std::isinf(d) || std::fabs(d) >= 9.0e15) throw out_of_range();  // all whole numbers
    if (d == std::trunc(d)) return static_cast<std::int64_t>(d);
  }
  throw ValidationError("field " + Quote(key) + " must be an integer");
}

}  // namespace

boost::json::object ParseJsonObject(std::string_view text, boost::json::storage_ptr storage) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec, std::move(storage));
  if (ec) throw MalformedJson("request body is not valid JSON: " + ec.message());
  if (!value.is_object()) throw ValidationError("request body must be a JSON object");
  return std::move(value.as_object());
}

const boost::json::value* JsonFields::Optional(std::string_view key) const {
  auto it = object_.find(key);
  if (it == object_.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

const boost::json::value& JsonFields::Required(std::string_view key) const {
  const boost::json::value* v = Optional(key);
  if (v == nullptr) throw ValidationError("field " + Quote(key) + " is required");
  return *v;
}

std::string JsonFields::String(std::string_view key) const {
  const boost::json::value& v = Required(key);
  if (!v.is_string()) throw ValidationError("field " + Quote(key) + " must be a string");
  return std::string(v.get_string());
}

std::optional<std::string> JsonFields::OptionalString(std::string_view key) const {
  if (Optional(key) == nullptr) return std::nullopt;
  return String(key);
}

std::int64_t JsonFields::Integer(std::string_view key) const {
  return ReadInteger(Required(key), key);
}

std::optional<std::int64_t> JsonFields::OptionalInteger(std::string_view key) const {
  if (Optional(key) == nullptr) return std::nullopt;
  return Integer(key);
}

double JsonFields::Number(std::string_view key) const {
  const boost::json::value& v = Required(key);
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  throw ValidationError("field " + Quote(key) + " must be a number");
}

bool JsonFields::Bool(std::string_view key) const {
  const boost::json::value& v = Required(key);
  if (!v.is_bool()) throw ValidationError("field " + Quote(key) + " must be true or false");
  return v.get_bool();
}

const boost::json::object& JsonFields::Object(std::string_view key) const {
  const boost::json::value& v = Required(key);
  if (!v.is_object()) throw ValidationError("field " + Quote(key) + " must be an object");
  return v.get_object();
}

}  // namespace flowbench
