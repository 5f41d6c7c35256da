#include "common/domain/secrets.hpp"

#include <gtest/gtest.h>

#include <set>

namespace flowbench {
namespace {

TEST(RedactSecrets, CutsThePasswordOutOfUrlsOfEveryScheme) {
  EXPECT_EQ(RedactSecrets("amqp://u:p@h:5672/v"), "amqp://u:***@h:5672/v");
  EXPECT_EQ(RedactSecrets("postgresql://app:s3cr%40t@db:5432/flowbench?sslmode=disable"),
            "postgresql://app:***@db:5432/flowbench?sslmode=disable");
  EXPECT_EQ(RedactSecrets("http://guest:guest@127.0.0.1:15672"),
            "http://guest:***@127.0.0.1:15672");
  // Inside a sentence, and more than one.
  EXPECT_EQ(RedactSecrets("not an AMQP URL: amqp://a:b@x:y/%2f (and amqp://c:d@e)"),
            "not an AMQP URL: amqp://a:***@x:y/%2f (and amqp://c:***@e)");
  // Inside a JSON log line.
  EXPECT_EQ(RedactSecrets(R"({"error":"amqp://flowbench:abc@127.0.0.1:1/%2f"})"),
            R"({"error":"amqp://flowbench:***@127.0.0.1:1/%2f"})");
  // A malformed one: the last '@' of the authority ends the password.
  EXPECT_EQ(RedactSecrets("amqp://u:p@ss@h:1/v"), "amqp://u:***@h:1/v");
}

TEST(RedactSecrets, LeavesUrlsWithoutAPasswordAlone) {
  for (const char* text :
       {"postgresql://postgres@127.0.0.1:5432/flowbench", "http://127.0.0.1:8080/users/a@b.c",
        "http://host:80/path", "no url at all", "", "amqp://", "a://b:c"}) {
    EXPECT_EQ(RedactSecrets(text), text);
  }
}

TEST(RedactSecrets, CutsPasswordSettingsOutOfConninfoAndQueries) {
  EXPECT_EQ(RedactSecrets("host=h password=p dbname=x"), "host=h password=*** dbname=x");
  EXPECT_EQ(RedactSecrets("password='a b\\' c' port=1"), "password=*** port=1");
  EXPECT_EQ(RedactSecrets("postgresql://h/db?user=u&password=p&sslmode=x"),
            "postgresql://h/db?user=u&password=***&sslmode=x");
  EXPECT_EQ(RedactSecrets("PASSWORD=p"), "PASSWORD=***");
  // Only a setting, not a word that ends in it.
  EXPECT_EQ(RedactSecrets("old_password_hint=p"), "old_password_hint=p");
}

TEST(RedactSecrets, IsIdempotent) {
  std::string once = RedactSecrets("amqp://u:p@h/v password=q");
  EXPECT_EQ(RedactSecrets(once), once);
}

TEST(RandomSecret, IsHexOfTheAskedLengthAndNeverRepeats) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string secret = RandomSecret(16);
    EXPECT_EQ(secret.size(), 32u);
    EXPECT_EQ(secret.find_first_not_of("0123456789abcdef"), std::string::npos) << secret;
    seen.insert(secret);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace flowbench
