// Tokens minted with libjwt and checked against a fixed clock: every way a token is refused.
#include "gateway/jwt_tokens.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>

namespace flowbench::gateway {
namespace {

using namespace std::chrono_literals;

const SystemTime kNow{std::chrono::seconds(1'800'000'000)};

JwtSettings Settings() {
  return JwtSettings{"a-test-secret-of-more-than-32-bytes-0123456789", "flowbench",
                     "flowbench-gateway"};
}

std::string Mint(std::string role = "customer", SystemTime at = kNow,
                 std::chrono::seconds ttl = 1h) {
  return MintToken(Settings(), MintRequest{"alice", std::move(role), ttl, at});
}

std::string Rejection(const std::string& token, const JwtSettings& settings = Settings(),
                      SystemTime now = kNow) {
  try {
    VerifyToken(token, settings, now);
  } catch (const TokenRejected& e) {
    return e.what();
  }
  return "accepted";
}

// Base64url without padding, as JWTs write their parts.
std::string Base64Url(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i + 1 == in.size()) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (i + 2 == in.size()) {
    unsigned n =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    for (int shift : {18, 12, 6}) out += kAlphabet[(n >> shift) & 63];
  }
  return out;
}

TEST(JwtTokens, AMintedTokenVerifiesWithItsSubjectAndRole) {
  VerifiedToken token = VerifyToken(Mint(), Settings(), kNow + 10s);
  EXPECT_EQ(token.subject, "alice");
  EXPECT_TRUE(token.MayRead());
  EXPECT_TRUE(token.MayWrite());
}

TEST(JwtTokens, AViewerMayReadButNotWrite) {
  VerifiedToken token = VerifyToken(Mint("viewer"), Settings(), kNow);
  EXPECT_TRUE(token.MayRead());
  EXPECT_FALSE(token.MayWrite());
}

TEST(JwtTokens, AnExpiredTokenIsRefused) {
  EXPECT_EQ(Rejection(Mint("customer", kNow - 2h, 1h)), "the token has expired");
  EXPECT_EQ(Rejection(Mint("customer", kNow - 1h, 1h)), "the token has expired");  // exp == now
}

TEST(JwtTokens, ATokenNotValidYetIsRefused) {
  EXPECT_EQ(Rejection(Mint("customer", kNow + 1h)), "the token is not valid yet (nbf)");
}

TEST(JwtTokens, AnotherIssuerOrAudienceIsRefused) {
  JwtSettings other_issuer = Settings();
  other_issuer.issuer = "someone-else";
  EXPECT_EQ(Rejection(Mint(), other_issuer), "the token was not issued by someone-else");
  JwtSettings other_audience = Settings();
  other_audience.audience = "another-api";
  EXPECT_EQ(Rejection(Mint(), other_audience), "the token is not meant for another-api");
}

TEST(JwtTokens, AnotherSecretOrATamperedPayloadIsRefused) {
  JwtSettings other_secret = Settings();
  other_secret.secret = "another-secret-of-more-than-32-bytes-987654321";
  EXPECT_EQ(Rejection(Mint(), other_secret), "the token's signature or encoding is invalid");

  // The viewer's payload made to say "customer", the signature kept.
  std::string token = Mint("viewer");
  std::size_t first = token.find('.');
  std::size_t second = token.find('.', first + 1);
  std::string payload = boost::json::serialize(boost::json::object{{"iss", "flowbench"},
                                                                   {"aud", "flowbench-gateway"},
                                                                   {"sub", "alice"},
                                                                   {"nbf", 1'800'000'000},
                                                                   {"exp", 1'800'003'600},
                                                                   {"roles", {"customer"}}});
  std::string tampered = token.substr(0, first + 1) + Base64Url(payload) + token.substr(second);
  EXPECT_EQ(Rejection(tampered), "the token's signature or encoding is invalid");
}

TEST(JwtTokens, AnUnsignedTokenIsRefused) {
  std::string header = Base64Url(R"({"alg":"none","typ":"JWT"})");
  std::string payload = Base64Url(
      R"({"iss":"flowbench","aud":"flowbench-gateway","sub":"alice","exp":1900000000,"roles":["customer"]})");
  EXPECT_NE(Rejection(header + "." + payload + "."), "accepted");
}

TEST(JwtTokens, GarbageIsRefused) {
  EXPECT_EQ(Rejection("not-a-token"), "the token is not a JWT (three base64url parts)");
  EXPECT_EQ(Rejection("a.b.c"), "the token's signature or encoding is invalid");
  EXPECT_EQ(Rejection(""), "the token is not a JWT (three base64url parts)");
}

TEST(JwtTokens, MintRefusesAnUnknownRoleAndANonPositiveTtl) {
  EXPECT_THROW(Mint("admin"), std::invalid_argument);
  EXPECT_THROW(Mint("customer", kNow, 0s), std::invalid_argument);
}

TEST(JwtTokens, TtlReadsSecondsMinutesHoursDays) {
  EXPECT_EQ(ParseTtl("90s"), 90s);
  EXPECT_EQ(ParseTtl("15m"), 15min);
  EXPECT_EQ(ParseTtl("1h"), 1h);
  EXPECT_EQ(ParseTtl("2d"), 48h);
  for (const char* bad : {"", "1", "h", "0h", "-1h", "1w", "1hh"}) {
    EXPECT_THROW(ParseTtl(bad), std::invalid_argument) << bad;
  }
}

TEST(JwtSecret, ComesFromTheFileTheFlagOrTheEnvironmentAndHasNoDefault) {
  const std::string secret(40, 'f');
  ::unsetenv("FLOWBENCH_JWT_SECRET");
  EXPECT_THROW(ResolveSecret({}), std::invalid_argument);
  EXPECT_EQ(ResolveSecret({{}, secret}), secret);

  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("flowbench-jwt-secret-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "secret") << std::string(40, 'g') << "\n";
  EXPECT_EQ(ResolveSecret({dir / "secret", secret}),
            std::string(40, 'g'));  // file first, no newline
  EXPECT_THROW(ResolveSecret({dir / "missing", {}}), std::invalid_argument);
  std::filesystem::remove_all(dir);

  ::setenv("FLOWBENCH_JWT_SECRET", std::string(40, 'h').c_str(), 1);
  EXPECT_EQ(ResolveSecret({}), std::string(40, 'h'));
  ::unsetenv("FLOWBENCH_JWT_SECRET");
}

TEST(JwtSecret, AShortSecretIsRefused) {
  EXPECT_THROW(ResolveSecret({{}, "short"}), std::invalid_argument);
}

}  // namespace
}  // namespace flowbench::gateway
