// Input a broken or hostile client sends (issue 13), shared by the sync and the async system
// tests, so that both builds are held to exactly the same answers.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace flowbench::testing {

// A write-route body that breaks a rule of CONTRACT.md §3.2 which, unchecked, only the
// database would notice (a CHECK constraint, a NUL that libpq cuts text at, a number beyond
// a BIGINT column). Both builds answer 422 `validation_error` with `field` in the detail.
struct HostileBody {
  const char* service;
  const char* method;
  const char* path;
  std::string body;
  const char* field;  // as quoted in the detail: "'amount'"
};
const std::vector<HostileBody>& HostileBodies();

// Read paths whose text id (/payments/{id}, /jobs/{id}) no service made: bytes that are not
// UTF-8, a NUL, a control character, far too long. Both builds answer 404.
const std::vector<std::pair<std::string, std::string>>& PathsNamingNoTextId();

// Sends `count` requests of each kind to `base_url` ("http://127.0.0.1:PORT"), a connection
// each: an invented method on a known path, a known method on an invented path, and both
// invented. Returns how many answers each status got (0: no answer).
std::map<int, int> SendInventedMethodsAndPaths(const std::string& base_url,
                                               const std::string& known_path, int count);

}  // namespace flowbench::testing
