// minato.toml may be edited by hand: any text must give a Config or a clear error.
#include <cstdint>
#include <string>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  auto c = minato::config::parse(s, "fuzz.toml");
  if (c) {
    auto again = minato::config::parse(minato::config::to_toml(*c), "again.toml");
    if (!again || again->listen != c->listen || again->tls_cert != c->tls_cert) __builtin_trap();
  }
  return 0;
}
