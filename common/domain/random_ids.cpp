#include "common/domain/random_ids.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <random>

namespace flowbench {
namespace {

// Seeded with 256 bits from std::random_device (the kernel's getrandom), so the streams of
// two threads or two processes do not overlap in practice: two 128-bit ids collide with the
// odds of two truly random ones.
std::mt19937_64& Generator() {
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    std::array<std::uint32_t, 8> seed{};
    for (std::uint32_t& word : seed) word = device();
    std::seed_seq sequence(seed.begin(), seed.end());
    return std::mt19937_64(sequence);
  }();
  return generator;
}

}  // namespace

void FillRandomIdBytes(unsigned char* out, std::size_t size) {
  std::mt19937_64& generator = Generator();
  while (size > 0) {
    std::uint64_t word = generator();
    std::size_t n = size < sizeof word ? size : sizeof word;
    std::memcpy(out, &word, n);
    out += n;
    size -= n;
  }
}

void WriteLowerHex(const unsigned char* bytes, std::size_t size, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
}

std::string RandomIdHex(std::size_t bytes) {
  std::string hex(2 * bytes, '0');
  unsigned char chunk[8];
  for (std::size_t done = 0; done < bytes; done += sizeof chunk) {
    std::size_t n = bytes - done < sizeof chunk ? bytes - done : sizeof chunk;
    FillRandomIdBytes(chunk, n);
    WriteLowerHex(chunk, n, hex.data() + 2 * done);
  }
  return hex;
}

}  // namespace flowbench
