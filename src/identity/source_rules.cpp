#include "identity/source_rules.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace minato::identity {

namespace {

// Parses an IPv4 or IPv6 address; IPv4-mapped IPv6 (::ffff:a.b.c.d) is read as IPv4.
bool parse_ip(std::string_view text, bool* v6, std::array<uint8_t, 16>* out) {
  if (text.empty() || text.size() > 45) return false;
  std::string s(text);
  out->fill(0);
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    *v6 = false;
    std::memcpy(out->data(), &a4, 4);
    return true;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(a6.s6_addr, kMapped, 12) == 0) {
      *v6 = false;
      std::memcpy(out->data(), a6.s6_addr + 12, 4);
      return true;
    }
    *v6 = true;
    std::memcpy(out->data(), a6.s6_addr, 16);
    return true;
  }
  return false;
}

bool prefix_matches(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b,
                    int prefix) {
  int full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(a.data(), b.data(), static_cast<size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

}  // namespace

Result<SourceRules> SourceRules::parse(std::string_view text) {
  constexpr const char* kField = "allowed_sources";
  SourceRules rules;
  if (trim(text).empty()) return rules;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = trim(text.substr(pos, comma - pos));
    pos = comma + 1;
    if (item.empty()) {
      return fail(ErrorCode::kInvalidArgument, "empty entry in the source list", kField);
    }
    std::string shown(item.substr(0, 50));
    Net net;
    size_t slash = item.find('/');
    if (!parse_ip(item.substr(0, slash), &net.v6, &net.addr)) {
      return fail(ErrorCode::kInvalidArgument, "'" + shown + "' is not an IP address or CIDR",
                  kField);
    }
    int max = net.v6 ? 128 : 32;
    net.prefix = max;
    if (slash != std::string_view::npos) {
      std::string_view p = item.substr(slash + 1);
      int v = 0;
      bool ok = !p.empty() && p.size() <= 3;
      for (char c : p) {
        ok = ok && c >= '0' && c <= '9';
        if (ok) v = v * 10 + (c - '0');
      }
      if (!ok || v > max) {
        return fail(ErrorCode::kInvalidArgument,
                    "'" + shown + "': prefix length must be 0-" + std::to_string(max), kField);
      }
      net.prefix = v;
    }
    std::array<uint8_t, 16> masked = net.addr;
    for (int bit = net.prefix; bit < max; ++bit)
      masked[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
    if (masked != net.addr) {
      return fail(ErrorCode::kInvalidArgument,
                  "'" + shown + "' has host bits set; write the network address", kField);
    }
    if (rules.nets_.size() >= 64) {
      return fail(ErrorCode::kInvalidArgument, "at most 64 source entries", kField);
    }
    rules.nets_.push_back(net);
  }
  return rules;
}

bool SourceRules::allows(std::string_view address) const {
  if (nets_.empty()) return true;
  bool v6 = false;
  std::array<uint8_t, 16> a{};
  if (!parse_ip(address, &v6, &a)) return false;
  for (const auto& n : nets_) {
    if (n.v6 == v6 && prefix_matches(a, n.addr, n.prefix)) return true;
  }
  return false;
}

std::string SourceRules::str() const {
  std::string out;
  for (const auto& n : nets_) {
    char buf[INET6_ADDRSTRLEN] = {0};
    inet_ntop(n.v6 ? AF_INET6 : AF_INET, n.addr.data(), buf, sizeof buf);
    if (!out.empty()) out += ",";
    out += std::string(buf) + "/" + std::to_string(n.prefix);
  }
  return out;
}

}  // namespace minato::identity

namespace minato::identity {

std::string network_of(std::string_view address, int v4_prefix, int v6_prefix) {
  bool v6 = false;
  std::array<uint8_t, 16> addr{};
  if (!parse_ip(address, &v6, &addr)) return {};
  int prefix = std::clamp(v6 ? v6_prefix : v4_prefix, 0, v6 ? 128 : 32);
  for (int bit = prefix; bit < 128; ++bit) {
    addr[static_cast<size_t>(bit / 8)] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  }
  char buf[INET6_ADDRSTRLEN] = {0};
  inet_ntop(v6 ? AF_INET6 : AF_INET, addr.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix);
}

}  // namespace minato::identity
