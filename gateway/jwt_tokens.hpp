// HS256 JSON Web Tokens (RFC 7519) through Debian's libjwt: the gateway verifies them, the
// `flowbench token` command mints them. libjwt checks the signature; the claims (iss, aud,
// exp, nbf, sub, roles) are checked here against a time the caller passes, so tests can
// say "an hour from now" without waiting an hour.
//
// Roles (the `roles` claim, an array of strings, or one string): `customer` may read and
// write, `viewer` may only read.
#pragma once

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace flowbench::gateway {

using SystemTime = std::chrono::system_clock::time_point;

inline constexpr std::string_view kRoleCustomer = "customer";
inline constexpr std::string_view kRoleViewer = "viewer";
inline constexpr std::size_t kMinSecretBytes = 32;  // RFC 7518 §3.2: a key as long as the hash

struct JwtSettings {
  std::string secret;
  std::string issuer = "flowbench";
  std::string audience = "flowbench-gateway";
};

// Where the secret comes from: --jwt-secret-file, else --jwt-secret, else the environment's
// FLOWBENCH_JWT_SECRET. There is no default: without one of them, an error that names them.
// A file's trailing newline is not part of the secret. Shorter than kMinSecretBytes: an error.
struct SecretSource {
  std::filesystem::path file;
  std::string value;
};
std::string ResolveSecret(const SecretSource& source);

// Why a token was not accepted: the sentence for error_description and the JSON detail.
class TokenRejected : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct VerifiedToken {
  std::string subject;
  std::vector<std::string> roles;
  bool MayRead() const;   // customer or viewer
  bool MayWrite() const;  // customer
};

// Throws TokenRejected: not three base64url parts, not HS256, a bad signature, a wrong iss
// or aud, exp missing or at/before `now`, nbf after `now`, no sub.
VerifiedToken VerifyToken(std::string_view token, const JwtSettings& settings, SystemTime now);

struct MintRequest {
  std::string subject = "flowbench";
  std::string role = std::string(kRoleCustomer);
  std::chrono::seconds ttl{3600};
  SystemTime now = std::chrono::system_clock::now();
};
// iss, aud, sub, iat, nbf = now, exp = now + ttl, roles = [role]. Throws std::invalid_argument
// for a role other than customer or viewer, or a ttl that is not positive.
std::string MintToken(const JwtSettings& settings, const MintRequest& request);

// "90s", "15m", "1h", "2d" (the --ttl flag); std::invalid_argument otherwise.
std::chrono::seconds ParseTtl(std::string_view text);

}  // namespace flowbench::gateway
