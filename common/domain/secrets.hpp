// Secrets in text that leaves the process: passwords are cut out of every log line, error
// message and status line (RedactSecrets), and the embedded servers' passwords are random
// (RandomSecret). One place, so that a new URL form is handled everywhere at once.
#pragma once

#include <string>
#include <string_view>

namespace flowbench {

// `text` with every password replaced by "***":
//  - the password of a URL's user info: amqp://u:p@h:5672/v -> amqp://u:***@h:5672/v (any
//    scheme: postgresql://, amqp://, http://), wherever the URL stands in the text;
//  - a `password=` setting: a libpq key=value string (password=p, password='p q') or a URL
//    query (?password=p&...).
// A URL's user info ends at its '@' before the first '/', '?', '#' or blank (RFC 3986: a
// password with one of those must be percent-encoded to be a URL at all). Idempotent.
std::string RedactSecrets(std::string_view text);

// `bytes` random bytes (OpenSSL's CSPRNG) as lowercase hex: safe in a URL, a conninfo
// value and a config file without quoting.
std::string RandomSecret(int bytes = 16);

}  // namespace flowbench
