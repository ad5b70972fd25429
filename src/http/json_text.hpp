#pragma once
// JSON text for API responses. Like boost::json::serialize, except that numbers with a
// fraction are written as plain decimals ("29.97", "30" for a whole 30.0), where Boost.JSON
// writes "2.997E1" and "3E1": valid JSON, but not what people or most tools expect.
#include <boost/json/value.hpp>
#include <string>

namespace vela::http {

std::string json_text(const boost::json::value& value);

}  // namespace vela::http
