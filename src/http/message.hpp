#pragma once
// Request and response types shared by the HTTP server and every handler.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <string>
#include <string_view>

#include "base/buffer.hpp"
#include "http/buffers_body.hpp"

namespace vela::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<BuffersBody>;
using Status = beast_http::status;

// What a handler learns about a request besides the message itself.
struct RequestContext {
  std::string path;                            // decoded path, no query
  std::string query;                           // raw query string, without '?'
  std::map<std::string, std::string> params;   // decoded query parameters
  size_t shard = 0;                            // the shard this request runs on
  std::string remote;                          // the client's address, "ip:port" ("[v6]:port")
};

Response make_response(Status status, std::string_view content_type, base::Buffer body);
Response text_response(Status status, std::string_view text);
Response json_response(Status status, std::string body);
Response json_response(Status status, const boost::json::value& body);  // as json_text()
// Every error of every endpoint has this one shape: {"error": "what went wrong"} as
// application/json, not cached.
Response error_response(Status status, std::string_view message);

}  // namespace vela::http
