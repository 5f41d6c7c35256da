#include "gateway/jwt_tokens.hpp"

extern "C" {
#include <jwt.h>
}

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

namespace flowbench::gateway {
namespace {

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;
struct CharFree {
  void operator()(char* text) const { std::free(text); }  // NOLINT: libjwt's malloc'd strings
};
using CharPtr = std::unique_ptr<char, CharFree>;

std::int64_t Seconds(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

// A NumericDate (RFC 7519 §2): a JSON number of seconds; a fraction is allowed.
std::optional<double> NumericDate(const boost::json::object& claims, std::string_view name) {
  const boost::json::value* value = claims.if_contains(name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number())
    throw TokenRejected("the " + std::string(name) + " claim is not a number");
  return value->to_number<double>();
}

// `aud` may be one string or an array of them (RFC 7519 §4.1.3).
bool AudienceNames(const boost::json::value* aud, std::string_view audience) {
  if (aud == nullptr) return false;
  if (const boost::json::string* one = aud->if_string()) return *one == audience;
  if (const boost::json::array* many = aud->if_array()) {
    return std::any_of(many->begin(), many->end(), [&](const boost::json::value& v) {
      return v.is_string() && v.get_string() == audience;
    });
  }
  return false;
}

std::vector<std::string> Roles(const boost::json::object& claims) {
  std::vector<std::string> roles;
  const boost::json::value* value = claims.if_contains("roles");
  if (value == nullptr) return roles;
  if (const boost::json::string* one = value->if_string()) {
    roles.emplace_back(*one);
  } else if (const boost::json::array* many = value->if_array()) {
    for (const boost::json::value& role : *many) {
      if (role.is_string()) roles.emplace_back(role.get_string());
    }
  }
  return roles;
}

bool Has(const std::vector<std::string>& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::string ReadSecretFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::invalid_argument("--jwt-secret-file " + file.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

}  // namespace

std::string ResolveSecret(const SecretSource& source) {
  std::string secret;
  std::string from;
  if (!source.file.empty()) {
    secret = ReadSecretFile(source.file);
    from = "--jwt-secret-file";
  } else if (!source.value.empty()) {
    secret = source.value;
    from = "--jwt-secret";
  } else if (const char* env = std::getenv("FLOWBENCH_JWT_SECRET"); env != nullptr && *env) {
    secret = env;
    from = "FLOWBENCH_JWT_SECRET";
  } else {
    throw std::invalid_argument(
        "no JWT secret: give --jwt-secret-file FILE, --jwt-secret TEXT or FLOWBENCH_JWT_SECRET "
        "(at least 32 bytes; `openssl rand -hex 32` makes one)");
  }
  if (secret.size() < kMinSecretBytes) {
    throw std::invalid_argument(from + ": the JWT secret has " + std::to_string(secret.size()) +
                                " bytes; HS256 needs at least 32");
  }
  return secret;
}

bool VerifiedToken::MayRead() const { return Has(roles, kRoleCustomer) || Has(roles, kRoleViewer); }
bool VerifiedToken::MayWrite() const { return Has(roles, kRoleCustomer); }

VerifiedToken VerifyToken(std::string_view token, const JwtSettings& settings, SystemTime now) {
  if (std::count(token.begin(), token.end(), '.') != 2) {
    throw TokenRejected("the token is not a JWT (three base64url parts)");
  }
  std::string text(token);
  jwt_t* raw = nullptr;
  // libjwt verifies the signature against the key for the alg the header names; alg "none"
  // is refused below, so a token cannot opt out of the signature.
  int error =
      jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(settings.secret.data()),
                 static_cast<int>(settings.secret.size()));
  JwtPtr jwt(raw);
  if (error != 0 || !jwt) throw TokenRejected("the token's signature or encoding is invalid");
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256)
    throw TokenRejected("the token is not signed with HS256");

  CharPtr grants(jwt_get_grants_json(jwt.get(), nullptr));
  if (!grants) throw TokenRejected("the token has no claims");
  boost::system::error_code parse_error;
  boost::json::value parsed = boost::json::parse(grants.get(), parse_error);
  if (parse_error || !parsed.is_object())
    throw TokenRejected("the token's claims are not a JSON object");
  const boost::json::object& claims = parsed.get_object();

  const boost::json::value* iss = claims.if_contains("iss");
  if (iss == nullptr || !iss->is_string() || iss->get_string() != settings.issuer) {
    throw TokenRejected("the token was not issued by " + settings.issuer);
  }
  if (!AudienceNames(claims.if_contains("aud"), settings.audience)) {
    throw TokenRejected("the token is not meant for " + settings.audience);
  }
  double now_seconds = static_cast<double>(Seconds(now));
  std::optional<double> exp = NumericDate(claims, "exp");
  if (!exp) throw TokenRejected("the token has no expiry (exp)");
  if (now_seconds >= *exp) throw TokenRejected("the token has expired");
  std::optional<double> nbf = NumericDate(claims, "nbf");
  if (nbf && now_seconds < *nbf) throw TokenRejected("the token is not valid yet (nbf)");
  const boost::json::value* sub = claims.if_contains("sub");
  if (sub == nullptr || !sub->is_string() || sub->get_string().empty()) {
    throw TokenRejected("the token has no subject (sub)");
  }
  return VerifiedToken{std::string(sub->get_string()), Roles(claims)};
}

std::string MintToken(const JwtSettings& settings, const MintRequest& request) {
  if (request.role != kRoleCustomer && request.role != kRoleViewer) {
    throw std::invalid_argument("role '" + request.role + "': customer or viewer");
  }
  if (request.ttl.count() <= 0) throw std::invalid_argument("the token's ttl must be positive");
  if (request.subject.empty()) throw std::invalid_argument("the token's subject is empty");
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("libjwt: jwt_new failed");
  JwtPtr jwt(raw);
  std::int64_t now = Seconds(request.now);
  boost::json::object claims{{"iss", settings.issuer},
                             {"aud", settings.audience},
                             {"sub", request.subject},
                             {"iat", now},
                             {"nbf", now},
                             {"exp", now + request.ttl.count()},
                             {"roles", boost::json::array{boost::json::string(request.role)}}};
  std::string claims_json = boost::json::serialize(claims);
  if (jwt_add_grants_json(jwt.get(), claims_json.c_str()) != 0 ||
      jwt_set_alg(jwt.get(), JWT_ALG_HS256,
                  reinterpret_cast<const unsigned char*>(settings.secret.data()),
                  static_cast<int>(settings.secret.size())) != 0) {
    throw std::runtime_error("libjwt: cannot build the token");
  }
  CharPtr encoded(jwt_encode_str(jwt.get()));
  if (!encoded) throw std::runtime_error("libjwt: cannot encode the token");
  return encoded.get();
}

std::chrono::seconds ParseTtl(std::string_view text) {
  std::int64_t count = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  std::string_view unit(end, text.data() + text.size() - end);
  std::int64_t scale = 0;
  if (unit == "s") scale = 1;
  if (unit == "m") scale = 60;
  if (unit == "h") scale = 3600;
  if (unit == "d") scale = 86400;
  if (error != std::errc() || count <= 0 || scale == 0 || count > 10 * 365 * 86400 / scale) {
    throw std::invalid_argument("--ttl '" + std::string(text) +
                                "': a positive count and s, m, h or d (1h)");
  }
  return std::chrono::seconds(count * scale);
}

}  // namespace flowbench::gateway
