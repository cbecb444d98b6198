// SourceRules: CIDR allow-lists ("10.20.0.0/16, 2001:db8::/32, 192.0.2.7") for accounts —
// a maintenance vendor's account works only from the vendor's address (G2.1.1-a; shared
// accounts bound to named terminals, G2.1.1-l). An empty list allows every source.
//
//   auto rules = SourceRules::parse("10.20.0.0/16, 192.0.2.7");
//   rules->allows("10.20.3.4")  // true
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace minato::identity {

class SourceRules {
 public:
  // Comma-separated IPv4/IPv6 addresses with optional prefix lengths. Host bits must be zero
  // ("10.0.0.1/8" is refused: it is almost always a typo). At most 64 entries.
  static Result<SourceRules> parse(std::string_view text);

  // True when the list is empty or `address` (an IP address as text) falls in an entry.
  // An address that does not parse is never allowed by a non-empty list.
  bool allows(std::string_view address) const;
  bool empty() const { return nets_.empty(); }
  // Canonical text, as stored: "10.20.0.0/16,192.0.2.7/32".
  std::string str() const;

 private:
  struct Net {
    bool v6 = false;
    std::array<uint8_t, 16> addr{};
    int prefix = 0;
  };
  std::vector<Net> nets_;
};

// The network of `address` at the given prefix lengths, canonical ("192.0.2.0/24",
// "2001:db8:1:2::/64"); empty if `address` is not an IP address. New-source detection compares
// these (G2.1.1-f).
std::string network_of(std::string_view address, int v4_prefix, int v6_prefix);

}  // namespace minato::identity
