#include "bench/network/delay_relay.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <random>
#include <thread>

#include "bench/network/link_probe.hpp"

namespace flowbench::network {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A blocking echo server for `connections` connections, one after the other: echoes until
// the client's end of stream, then closes.
class EchoServer {
 public:
  explicit EchoServer(int connections)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        thread_([this, connections] {
          for (int i = 0; i < connections; ++i) {
            tcp::socket socket(io_);
            acceptor_.accept(socket);
            socket.set_option(tcp::no_delay(true));
            char buffer[4096];
            boost::system::error_code ec;
            for (;;) {
              std::size_t n = socket.read_some(asio::buffer(buffer), ec);
              if (ec) break;
              asio::write(socket, asio::buffer(buffer, n), ec);
              if (ec) break;
            }
          }
        }) {}
  ~EchoServer() { thread_.join(); }
  int Port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

tcp::socket Connect(asio::io_context& io, int port) {
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  socket.set_option(tcp::no_delay(true));
  return socket;
}

// One request of `bytes` bytes and its echo; the time it took.
Clock::duration EchoRoundTrip(tcp::socket& socket, std::size_t bytes = 16) {
  std::string sent(bytes, 'x'), received(bytes, '\0');
  auto start = Clock::now();
  asio::write(socket, asio::buffer(sent));
  asio::read(socket, asio::buffer(received));
  auto elapsed = Clock::now() - start;
  EXPECT_EQ(received, sent);
  return elapsed;
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

TEST(DelayRelay, AnEchoTakesTwiceTheOneWayDelay) {
  EchoServer echo(1);
  RelayHost relay({20ms, 0us, 0});
  RelayLink link = relay.Add("echo", "127.0.0.1", echo.Port());
  asio::io_context io;
  tcp::socket socket = Connect(io, link.listen_port);
  // The first request waits for the emulated handshake too: one round trip more.
  Clock::duration first = EchoRoundTrip(socket);
  EXPECT_GE(first, 60ms);
  for (int i = 0; i < 3; ++i) {
    Clock::duration rtt = EchoRoundTrip(socket);
    EXPECT_GE(rtt, 40ms);
    EXPECT_LT(rtt, 40ms + 500ms) << "far more than the delay: " << Ms(rtt) << " ms";
  }
}

TEST(DelayRelay, BytesArriveCompleteAndInOrderUnderJitterInBothDirections) {
  EchoServer echo(1);
  RelayHost relay({1ms, 1ms, 0});
  RelayLink link = relay.Add("echo", "127.0.0.1", echo.Port());
  asio::io_context io;
  tcp::socket socket = Connect(io, link.listen_port);
  std::string sent;
  std::mt19937 sizes(7);
  for (int i = 0; sent.size() < 400000; ++i) sent += std::to_string(i) + ",";
  // Written in many small writes (many chunks, each with its own jitter), read at once.
  std::thread writer([&] {
    std::size_t at = 0;
    while (at < sent.size()) {
      std::size_t n = std::min<std::size_t>(1 + sizes() % 3000, sent.size() - at);
      asio::write(socket, asio::buffer(sent.data() + at, n));
      at += n;
    }
  });
  std::string received(sent.size(), '\0');
  asio::read(socket, asio::buffer(received));
  writer.join();
  EXPECT_TRUE(received == sent) << "bytes reordered or lost";
}

TEST(DelayRelay, TheClientsCloseReachesTheServerAndTheServersCloseComesBack) {
  EchoServer echo(1);  // closes once it sees the end of the stream
  RelayHost relay({5ms, 0us, 0});
  RelayLink link = relay.Add("echo", "127.0.0.1", echo.Port());
  asio::io_context io;
  tcp::socket socket = Connect(io, link.listen_port);
  EchoRoundTrip(socket);
  auto start = Clock::now();
  socket.shutdown(tcp::socket::shutdown_send);
  char byte = 0;
  boost::system::error_code ec;
  socket.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_GE(Clock::now() - start, 10ms) << "the close did not cross the link both ways";
}

TEST(DelayRelay, ATargetThatRefusesClosesTheClientsConnection) {
  int closed_port = 0;
  {
    asio::io_context io;
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closed_port = probe.local_endpoint().port();
  }
  RelayHost relay({1ms, 0us, 0});
  RelayLink link = relay.Add("nobody", "127.0.0.1", closed_port);
  asio::io_context io;
  tcp::socket socket = Connect(io, link.listen_port);
  char byte = 0;
  boost::system::error_code ec;
  socket.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec) << "the relay kept a connection to nothing open";
}

TEST(DelayRelay, ALostChunkIsHeldOneRetransmissionTimeout) {
  EchoServer echo(1);
  RelayHost relay({1ms, 0us, 0.999999});  // every chunk "lost" once
  RelayLink link = relay.Add("echo", "127.0.0.1", echo.Port());
  asio::io_context io;
  tcp::socket socket = Connect(io, link.listen_port);
  EchoRoundTrip(socket);
  EXPECT_GE(EchoRoundTrip(socket), 400ms) << "two crossings, each held Linux's 200 ms RTO";
}

TEST(DelayRelay, StoppingTheRelayClosesItsPortsAndConnections) {
  EchoServer echo(1);
  int port = 0;
  asio::io_context io;
  tcp::socket socket(io);
  {
    RelayHost relay({1ms, 0us, 0});
    port = relay.Add("echo", "127.0.0.1", echo.Port()).listen_port;
    socket = Connect(io, port);
    EchoRoundTrip(socket);
  }
  char byte = 0;
  boost::system::error_code ec;
  socket.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec) << "a relayed connection outlived its relay";
  tcp::socket again(io);
  again.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  EXPECT_TRUE(ec) << "the relay's port still listens";
}

// partition:NAME: while the link is cut, an open connection's bytes are held (not lost) and a
// new connection is not put through; at the heal both go on where they were.
TEST(DelayRelay, ACutLinkStallsOpenAndNewConnectionsUntilItHeals) {
  EchoServer echo(2);  // one connection after the other
  RelayHost relay({0ms, 0us, 0});
  RelayLink link = relay.Add("echo", "127.0.0.1", echo.Port());
  auto heal_after = [&relay](std::chrono::milliseconds after) {
    return std::thread([&relay, after] {
      std::this_thread::sleep_for(after);
      relay.SetCut("echo", false);
    });
  };
  asio::io_context io;
  tcp::socket open = Connect(io, link.listen_port);
  EchoRoundTrip(open);
  relay.SetCut("echo", true);
  std::thread heal = heal_after(300ms);
  EXPECT_GE(Ms(EchoRoundTrip(open)), 250.0) << "an echo crossed the cut link";
  heal.join();
  open.close();

  relay.SetCut("echo", true);
  tcp::socket fresh = Connect(io, link.listen_port);  // the relay's port still takes it
  heal = heal_after(300ms);
  EXPECT_GE(Ms(EchoRoundTrip(fresh)), 250.0) << "a new connection was put through the cut";
  heal.join();
  EXPECT_LT(Ms(EchoRoundTrip(fresh)), 100.0) << "healed: answers come at once again";
  fresh.close();
  EXPECT_THROW(relay.SetCut("nowhere", true), std::invalid_argument);
}

TEST(LinkProbe, MeasuresTheRoundTripThroughTheRelay) {
  EchoServer echo(6);  // three probes through the relay, three straight at the server
  RelayHost relay({10ms, 0us, 0});
  RelayLink link = relay.Add("echo", "127.0.0.1", echo.Port());
  LinkRtt rtt = MeasureLink(link, 3);
  EXPECT_GE(rtt.rtt_ms, 20.0);
  EXPECT_LT(rtt.rtt_ms, 20.0 + 250.0);
  EXPECT_LT(rtt.direct_ms, rtt.rtt_ms);
}

// The relay's own cost: an echo through it at 0 ms against the same echo straight at the
// server. Printed, not asserted: a shared machine's speed is no test verdict.
TEST(DelayRelay, OverheadAtZeroDelayIsMeasured) {
  constexpr int kRounds = 2000;
  EchoServer echo(2);
  RelayHost relay({0us, 0us, 0});
  RelayLink link = relay.Add("echo", "127.0.0.1", echo.Port());
  asio::io_context io;
  auto median_us = [&](int port) {
    tcp::socket socket = Connect(io, port);
    std::vector<double> us;
    for (int i = 0; i < kRounds; ++i) us.push_back(Ms(EchoRoundTrip(socket)) * 1000);
    return Median(us);
  };
  double direct = median_us(echo.Port());
  double relayed = median_us(link.listen_port);
  std::printf(
      "relay overhead at 0 ms: echo round trip median %.1f us direct, %.1f us relayed "
      "(+%.1f us per round trip, two crossings)\n",
      direct, relayed, relayed - direct);
  EXPECT_GT(relayed, 0);
}

}  // namespace
}  // namespace flowbench::network
