// Random bytes for identifiers (message ids, trace and span ids): unique, not secret.
// A per-thread generator seeded once from the system's entropy, so a request does not pay
// for OpenSSL's DRBG (its RAND_bytes was the largest single cost of a click: ~15k
// instructions a request in the sync build, ~33k in the async one, out of 130k and 200k).
// Nothing that must stay unguessable (secrets, passwords) may use it: those keep RAND_bytes.
#pragma once

#include <cstddef>
#include <string>

namespace flowbench {

// Fills `out` with `size` random bytes.
void FillRandomIdBytes(unsigned char* out, std::size_t size);

// `bytes` random bytes as 2 x `bytes` lowercase hex digits.
std::string RandomIdHex(std::size_t bytes);

// Lowercase hex of `size` bytes written to `out` (2 x size characters, no terminator).
void WriteLowerHex(const unsigned char* bytes, std::size_t size, char* out);

}  // namespace flowbench
