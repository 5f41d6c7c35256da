#include "common/domain/secrets.hpp"

#include <openssl/rand.h>

#include <cctype>
#include <stdexcept>
#include <vector>

namespace flowbench {
namespace {

constexpr std::string_view kMask = "***";

bool EndsToken(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '"' || c == '\'' || c == '<' ||
         c == '>' || c == '`';
}

// Masks the user info's password of each "scheme://user:password@host".
std::string RedactUrlPasswords(std::string_view text) {
  std::string out;
  std::size_t done = 0;
  for (std::size_t scheme_end = text.find("://"); scheme_end != std::string_view::npos;
       scheme_end = text.find("://", scheme_end + 3)) {
    std::size_t start = scheme_end + 3;
    std::size_t end = start;
    while (end < text.size() && !EndsToken(text[end]) && text[end] != '/' && text[end] != '?' &&
           text[end] != '#') {
      ++end;
    }
    std::size_t at = text.rfind('@', end == 0 ? 0 : end - 1);
    if (at == std::string_view::npos || at < start || at >= end) continue;
    std::size_t colon = text.find(':', start);
    if (colon == std::string_view::npos || colon > at) continue;  // a user, no password
    out.append(text.substr(done, colon + 1 - done));
    out.append(kMask);
    done = at;
  }
  out.append(text.substr(done));
  return out;
}

bool IsKeyChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// Masks the value of each `password=` setting (conninfo or URL query), quoted or not.
std::string RedactPasswordSettings(std::string_view text) {
  constexpr std::string_view kKey = "password=";
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string out;
  std::size_t done = 0;
  for (std::size_t key = lower.find(kKey); key != std::string::npos;
       key = lower.find(kKey, key + kKey.size())) {
    if (key > 0 && IsKeyChar(text[key - 1])) continue;  // old_password=, not password=
    std::size_t value = key + kKey.size();
    std::size_t end = value;
    if (end < text.size() && text[end] == '\'') {  // libpq quoting: \' and \\ inside
      for (++end; end < text.size() && text[end] != '\''; ++end) {
        if (text[end] == '\\') ++end;
      }
      end = std::min(end + 1, text.size());
    } else {
      while (end < text.size() && !EndsToken(text[end]) && text[end] != '&') ++end;
    }
    out.append(text.substr(done, value - done));
    out.append(kMask);
    done = end;
  }
  out.append(text.substr(done));
  return out;
}

}  // namespace

std::string RedactSecrets(std::string_view text) {
  // Most lines hold neither: no copy-and-scan work beyond two searches.
  if (text.find("://") == std::string_view::npos &&
      text.find("assword=") == std::string_view::npos &&
      text.find("ASSWORD=") == std::string_view::npos) {
    return std::string(text);
  }
  return RedactPasswordSettings(RedactUrlPasswords(text));
}

std::string RandomSecret(int bytes) {
  std::vector<unsigned char> raw(static_cast<std::size_t>(bytes));
  if (RAND_bytes(raw.data(), bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : raw) {
    hex += kHex[b >> 4];
    hex += kHex[b & 0xf];
  }
  return hex;
}

}  // namespace flowbench
