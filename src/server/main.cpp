// vela: the command line. `vela serve` runs the origin; `vela version` prints the version.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "server/config.hpp"
#include "server/serve.hpp"

namespace {

constexpr std::string_view kVersion = "0.1.0";

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: vela serve [--config FILE] [--set key=value]...\n"
               "       vela version\n");
}

int run_serve(int argc, char** argv) {
  std::string config_file;
  std::vector<std::string> overrides;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    if ((arg == "--config" || arg == "--set") && i + 1 < argc) {
      (arg == "--config" ? config_file = argv[++i] : overrides.emplace_back(argv[++i]));
    } else if (arg.starts_with("--set=")) {
      overrides.emplace_back(arg.substr(6));
    } else if (arg.starts_with("--config=")) {
      config_file = std::string(arg.substr(9));
    } else {
      std::fprintf(stderr, "vela serve: unexpected argument '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  auto config = vela::server::load_config(config_file, overrides);
  if (!config) {
    std::fprintf(stderr, "vela serve: %s\n", config.error().message.c_str());
    return 2;
  }
  return vela::server::serve(*config);
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view command = argc > 1 ? argv[1] : "";
  if (command == "serve") return run_serve(argc, argv);
  if (command == "version" || command == "--version") {
    std::printf("vela %.*s\n", static_cast<int>(kVersion.size()), kVersion.data());
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    usage(stdout);
    return 0;
  }
  usage(stderr);
  return 2;
}
