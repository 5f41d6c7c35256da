#include "bench/network/link_probe.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <stdexcept>

namespace flowbench::network {

namespace asio = boost::asio;
using asio::ip::tcp;

double ConnectCloseMs(const std::string& host, int port, std::chrono::milliseconds timeout) {
  asio::io_context io;
  tcp::socket socket(io);
  auto start = std::chrono::steady_clock::now();
  boost::system::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address(host), static_cast<unsigned short>(port)),
                 ec);
  if (ec) {
    throw std::runtime_error("probing " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  timeval limit{static_cast<time_t>(timeout.count() / 1000),
                static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  socket.shutdown(tcp::socket::shutdown_send, ec);
  char buffer[512];
  while (!ec) socket.read_some(asio::buffer(buffer), ec);
  double elapsed =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  // The end of the stream or a reset is the answer; a timeout is not.
  if (ec == asio::error::would_block || ec == asio::error::try_again ||
      ec == asio::error::timed_out) {
    throw std::runtime_error("probing " + host + ":" + std::to_string(port) + ": no close within " +
                             std::to_string(timeout.count()) + " ms");
  }
  return elapsed;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

LinkRtt MeasureLink(const RelayLink& link, int samples) {
  std::vector<double> relayed, direct;
  for (int i = 0; i < samples; ++i) {
    relayed.push_back(ConnectCloseMs(link.listen_host, link.listen_port) / 2);
    direct.push_back(ConnectCloseMs(link.target_host, link.target_port));
  }
  return {link.name, Median(relayed), Median(direct), samples, link.listen_port};
}

}  // namespace flowbench::network
