#include "runtime/listener.hpp"

#include <charconv>

#include <sys/socket.h>

namespace vela::runtime {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string peer_address(const tcp::socket& socket) {
  boost::system::error_code error;
  auto peer = socket.remote_endpoint(error);
  if (error) return "-";
  std::string address = peer.address().to_string();
  std::string port = std::to_string(peer.port());
  return peer.address().is_v6() ? "[" + address + "]:" + port : address + ":" + port;
}

base::Result<tcp::endpoint> parse_endpoint(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return base::make_error("missing ':port' in '" + std::string(text) + "'");
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
    return base::make_error("bad port in '" + std::string(text) + "'");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  boost::system::error_code error;
  auto address = asio::ip::make_address(std::string(host), error);
  if (error) return base::make_error("bad address in '" + std::string(text) + "'");
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

base::Status ensure_port_free(asio::io_context& io, const tcp::endpoint& endpoint) {
  if (endpoint.port() == 0) return {};
  tcp::acceptor probe(io);
  boost::system::error_code error;
  probe.open(endpoint.protocol(), error);
  if (!error) probe.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) probe.bind(endpoint, error);
  if (error) {
    return base::make_error("cannot listen on " + endpoint.address().to_string() + ":" +
                            std::to_string(endpoint.port()) + ": " + error.message());
  }
  return {};
}

base::Result<tcp::acceptor> open_reuseport_acceptor(asio::io_context& io,
                                                    const tcp::endpoint& endpoint) {
  tcp::acceptor acceptor(io);
  boost::system::error_code error;
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) {
    int one = 1;
    if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      return base::make_error("SO_REUSEPORT unavailable");
    }
  }
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return base::make_error("cannot listen on " + endpoint.address().to_string() + ":" +
                            std::to_string(endpoint.port()) + ": " + error.message());
  }
  return acceptor;
}

}  // namespace vela::runtime
