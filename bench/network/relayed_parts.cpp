#include "bench/network/relayed_parts.hpp"

#include <sys/utsname.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "common/infra/process.hpp"
#include "common/service/launcher.hpp"
#include "common/service/service_options.hpp"

namespace flowbench::network {
namespace {

namespace fs = std::filesystem;

struct Authority {
  std::size_t host_begin = 0, end = 0;  // [host_begin, end) is host:port
};

Authority AuthorityOf(const std::string& url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) {
    throw std::invalid_argument("'" + url + "' is not scheme://host:port/...");
  }
  std::size_t begin = scheme + 3;
  std::size_t end = url.find_first_of("/?", begin);
  if (end == std::string::npos) end = url.size();
  std::size_t at = url.rfind('@', end);
  Authority a{(at != std::string::npos && at >= begin) ? at + 1 : begin, end};
  return a;
}

std::string PercentDecoded(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string PercentEncoded(const std::string& text) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

// libpq finds a password in the URL's passfile by host and port, and the relay has a port of
// its own: the same entries for the relay's address go into a passfile of its own, next to the
// original, so that the services' command lines still carry no secret.
std::string WithRelayPassfile(const std::string& url, int relay_port, fs::path& written) {
  constexpr std::string_view kKey = "passfile=";
  std::size_t key = url.find(kKey);
  if (key == std::string::npos) return url;
  std::size_t begin = key + kKey.size();
  std::size_t end = url.find('&', begin);
  if (end == std::string::npos) end = url.size();
  fs::path original = PercentDecoded(url.substr(begin, end - begin));
  std::ifstream in(original);
  if (!in) throw std::runtime_error("cannot read the PostgreSQL passfile " + original.string());
  std::string line, entries;
  while (std::getline(in, line)) {
    std::size_t second = line.find(':', line.find(':') + 1);
    if (second == std::string::npos) continue;
    entries += "127.0.0.1:" + std::to_string(relay_port) + line.substr(second) + "\n";
  }
  written = original.string() + ".relay-" + std::to_string(relay_port);
  infra::WritePrivateFile(written, entries);
  return url.substr(0, begin) + PercentEncoded(written.string()) + url.substr(end);
}

}  // namespace

LinkShape ShapeOf(const NetworkProfile& p) { return {p.Delay(), p.Jitter(), p.loss}; }

std::vector<std::string> BuildLinks::PeerArgs() const {
  std::vector<std::string> args;
  for (const ServiceSpec& spec : Services()) {
    args.emplace_back("--peer");
    args.push_back(std::string(spec.name) +
                   "=http://127.0.0.1:" + std::to_string(ServicePort(spec.name)));
  }
  return args;
}

int BuildLinks::ServicePort(std::string_view service) const {
  for (const RelayLink& link : links) {
    if (link.name == service) return link.listen_port;
  }
  throw std::invalid_argument("no network link to '" + std::string(service) + "'");
}

void BuildLinks::Route(SystemOptions& options) const {
  options.pg_url = pg_url;
  options.amqp_url = amqp_url;
  std::vector<std::string> peers = PeerArgs();
  options.extra_args.insert(options.extra_args.end(), peers.begin(), peers.end());
}

void BuildLinks::RouteDriver(RunningSystem& system) const {
  for (RunningService& s : system.services) s.port = ServicePort(s.name);
}

HostPort HostPortOf(const std::string& url) {
  Authority a = AuthorityOf(url);
  std::string host_port = url.substr(a.host_begin, a.end - a.host_begin);
  std::size_t colon = host_port.rfind(':');
  if (colon == std::string::npos || host_port.find(']', colon) != std::string::npos) {
    throw std::invalid_argument("'" + url + "' names no port: --network needs host:port");
  }
  return {host_port.substr(0, colon), std::stoi(host_port.substr(colon + 1))};
}

std::string WithHostPort(const std::string& url, const std::string& host, int port) {
  Authority a = AuthorityOf(url);
  return url.substr(0, a.host_begin) + host + ":" + std::to_string(port) + url.substr(a.end);
}

RelayedParts::RelayedParts(const NetworkProfile& profile, Arch arch, int port_base,
                           const std::string& pg_url, const std::string& amqp_url,
                           std::uint64_t seed)
    : relays_(ShapeOf(profile), seed) {
  ServiceOptions ports;  // the port arithmetic of the build's services
  ports.arch = arch;
  ports.port_base = port_base;
  for (const ServiceSpec& spec : Services()) {
    relays_.Add(std::string(spec.name), "127.0.0.1", ports.PortOf(spec.name));
  }
  HostPort pg = HostPortOf(pg_url);
  int pg_relay = relays_.Add("postgres", pg.host, pg.port).listen_port;
  pg_url_ = WithRelayPassfile(WithHostPort(pg_url, "127.0.0.1", pg_relay), pg_relay, passfile_);
  amqp_url_ = amqp_url;
  if (arch == Arch::kAsync && !amqp_url.empty()) {
    HostPort amqp = HostPortOf(amqp_url);
    amqp_url_ = WithHostPort(amqp_url, "127.0.0.1",
                             relays_.Add("rabbitmq", amqp.host, amqp.port).listen_port);
  }
}

RelayedParts::~RelayedParts() {
  std::error_code ignored;  // nothing to do about a file that is already gone
  if (!passfile_.empty()) fs::remove(passfile_, ignored);
}

std::vector<std::string> RelayedParts::PeerArgs() const { return Endpoints().PeerArgs(); }

int RelayedParts::ServicePort(std::string_view service) const {
  return Endpoints().ServicePort(service);
}

std::vector<LinkRtt> RelayedParts::Measure(int samples) const {
  std::vector<LinkRtt> measured;
  for (const RelayLink& link : relays_.Links()) measured.push_back(MeasureLink(link, samples));
  return measured;
}

bool NetemAvailable() {
  std::error_code ec;
  if (fs::exists("/sys/module/sch_netem", ec)) return true;
  utsname kernel{};
  if (::uname(&kernel) != 0) return false;
  std::string release = kernel.release;
  fs::path sched = fs::path("/lib/modules") / release / "kernel/net/sched";
  for (const char* file : {"sch_netem.ko", "sch_netem.ko.xz", "sch_netem.ko.zst"}) {
    if (fs::exists(sched / file, ec)) return true;
  }
  std::ifstream config("/boot/config-" + release);
  std::string line;
  while (std::getline(config, line)) {
    if (line == "CONFIG_NET_SCH_NETEM=y") return true;
  }
  return false;
}

}  // namespace flowbench::network
