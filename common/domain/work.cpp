#include "common/domain/work.hpp"

#include <openssl/evp.h>
#include <time.h>

#include <array>
#include <atomic>
#include <memory>
#include <random>
#include <stdexcept>

namespace flowbench {
namespace {

std::atomic<Milliseconds::rep> g_slowdown_ms{0};

std::chrono::nanoseconds ThreadCpuTime() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

std::string Hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    hex[2 * i] = kDigits[data[i] >> 4];
    hex[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return hex;
}

}  // namespace

ReportResult GenerateReport(const std::string& report_type, Milliseconds cpu_time) {
  cpu_time += SimulatedSlowdown();
  // A 4 KiB "report" body, then digest = SHA-256(digest || body) each round.
  std::string body;
  while (body.size() < 4096) body += "flowbench report " + report_type + "\n";
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 32;

  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx) throw std::runtime_error("OpenSSL: EVP_MD_CTX_new failed");
  const auto wall_start = std::chrono::steady_clock::now();
  const auto cpu_deadline = ThreadCpuTime() + cpu_time;

  ReportResult result;
  do {
    // Reading the CPU clock is a system call: check it every 64 rounds (~0.1 ms).
    for (int i = 0; i < 64; ++i) {
      if (EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
          EVP_DigestUpdate(ctx.get(), digest.data(), digest_size) != 1 ||
          EVP_DigestUpdate(ctx.get(), body.data(), body.size()) != 1 ||
          EVP_DigestFinal_ex(ctx.get(), digest.data(), &digest_size) != 1) {
        throw std::runtime_error("OpenSSL: SHA-256 failed");
      }
    }
    result.iterations += 64;
  } while (ThreadCpuTime() < cpu_deadline);

  result.report_hash = Hex(digest.data(), digest_size);
  result.computation_time_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  result.cpu_time_seconds =
      std::chrono::duration<double>(ThreadCpuTime() - (cpu_deadline - cpu_time)).count();
  return result;
}

bool AuthorisePayment(double failure_rate) {
  if (failure_rate >= 1.0) return false;
  if (failure_rate <= 0.0) return true;
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator) >= failure_rate;
}

Milliseconds SimulatedSlowdown() { return Milliseconds(g_slowdown_ms.load()); }

void SetSimulatedSlowdown(Milliseconds extra) { g_slowdown_ms.store(extra.count()); }

}  // namespace flowbench
