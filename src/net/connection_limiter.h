// ConnectionLimiter: which new TCP connections the listener takes, decided before any TLS work.
//
// G2.4-c (availability under attack): a handful of sources must not be able to take the whole
// server with idle connections. So besides the global cap and the cap per source:
//  - connections are counted per *source*: an IPv4 address, or an IPv6 /64 (one host or
//    customer usually holds a whole /64, so counting single IPv6 addresses would give an
//    attacker 2^64 sources); an IPv4-mapped IPv6 address counts as its IPv4 address;
//  - a quarter of the global cap is reserved: once the server is three-quarters full, a source
//    that already holds its fair share (an eighth of the per-source cap, at least 2) gets no
//    more connections, so new and light clients still find room;
//  - under that pressure the listener closes idle connections of the heaviest source first
//    (HttpsServer asks heaviest_over_share()).
// Thread-safe.
//
//   ConnectionLimiter limits(512, 32);
//   std::string key = ConnectionLimiter::source_key(peer_address);
//   if (limits.admit(key) == ConnectionLimiter::Admission::kAdmitted) { ... limits.release(key); }
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace minato::net {

class ConnectionLimiter {
 public:
  ConnectionLimiter(int global, int per_source);

  // The key a peer address is counted under (see above). An address that is not an IP
  // address is its own key.
  static std::string source_key(std::string_view address);

  enum class Admission {
    kAdmitted,
    kServerFull,         // the global cap is reached
    kSourceFull,         // this source holds its cap
    kReservedForOthers,  // the server is under pressure and this source holds its fair share
  };
  Admission admit(const std::string& key);
  // REQUIRES: a matching admitted connection of `key`.
  void release(const std::string& key);

  int total() const;
  int held_by(const std::string& key) const;
  // True when the server is three-quarters full or more.
  bool under_pressure() const;
  // The source holding the most connections, if it holds more than its fair share.
  std::optional<std::string> heaviest_over_share() const;

  int fair_share() const { return fair_share_; }
  int reserve() const { return reserve_; }

 private:
  const int global_, per_source_, fair_share_, reserve_;
  mutable std::mutex mu_;
  int total_ = 0;
  std::map<std::string, int> by_source_;
};

}  // namespace minato::net
