// Strict reading of JSON objects: every missing or mistyped field becomes a ClientError
// whose detail names the field, so a bad request is answered with a sentence a user can act on.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flowbench {

// Parses a request or message body; malformed JSON is a 400, a non-object a 422.
// `storage`: where the object lives (default: the heap); a caller that only reads it may
// pass an arena on its stack.
boost::json::object ParseJsonObject(std::string_view text, boost::json::storage_ptr storage = {});

class JsonFields {
 public:
  explicit JsonFields(const boost::json::object& object) : object_(object) {}

  std::string String(std::string_view key) const;
  std::optional<std::string> OptionalString(std::string_view key) const;
  std::int64_t Integer(std::string_view key) const;
  std::optional<std::int64_t> OptionalInteger(std::string_view key) const;
  double Number(std::string_view key) const;
  bool Bool(std::string_view key) const;
  const boost::json::object& Object(std::string_view key) const;

 private:
  const boost::json::value& Required(std::string_view key) const;
  const boost::json::value* Optional(std::string_view key) const;

  const boost::json::object& object_;
};

}  // namespace flowbench
