// A client of ClamAV's clamd over its socket protocol (G2.7.1-c): files from outside are
// scanned by a clamd that may run on a separate scanning host, reached over TCP, or on this
// host over a UNIX socket. No ClamAV code is linked (GPL): only the documented commands are
// spoken, null-terminated ("z" commands):
//   zVERSION  -> "ClamAV 1.4.6/27450/Wed Nov 25 08:12:00 2026"  (engine/database/build time)
//   zRELOAD   -> "RELOADING"  (the signature databases are read again)
//   zINSTREAM -> <4-byte big-endian length><chunk>... <0000> -> "stream: OK" or
//                "stream: <signature> FOUND"
//
//   auto addr = ClamdAddress::parse("unix:/run/clamav/clamd.ctl");
//   ClamdClient clamd(*addr, 30'000);
//   auto v = clamd.scan(bytes);   // kUnavailable when clamd cannot be reached: fail closed
//
// Thread-safety: a ClamdClient holds no connection; each call opens its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace minato::secops {

struct ClamdAddress {
  bool unix_socket = true;
  std::string path;  // UNIX socket
  std::string host;  // TCP
  uint16_t port = 0;

  // "unix:/path/to/socket", or "tcp:host:port" ("tcp:[::1]:3310" for IPv6).
  static Result<ClamdAddress> parse(std::string_view text);
  std::string str() const;
};

struct ClamdVersion {
  std::string engine;    // "ClamAV 1.4.6"
  std::string database;  // signature database version ("27450"); "" when clamd gives none
  int64_t built_us = 0;  // the database's build time (UTC); 0 when clamd gives none
  std::string raw;       // the reply as given
};

// Parses a VERSION reply. Without a database part (only local signature files loaded) the
// database and its time stay empty.
Result<ClamdVersion> parse_clamd_version(std::string_view reply);

struct ScanVerdict {
  bool infected = false;
  std::string signature;  // the signature's name when infected
  std::string raw;        // clamd's reply
};

class ClamdClient {
 public:
  ClamdClient(ClamdAddress address, int timeout_ms)
      : address_(std::move(address)), timeout_ms_(timeout_ms) {}

  Result<ClamdVersion> version() const;
  // RELOAD: clamd reads its signature databases again (in the background; VERSION answers
  // with the new database once it has).
  Status reload() const;
  // Streams `data` to clamd (INSTREAM, 64 KiB chunks). kUnavailable when clamd cannot be
  // reached or answers with an error; kResourceExhausted when the file exceeds clamd's
  // StreamMaxLength.
  Result<ScanVerdict> scan(std::string_view data) const;
  const ClamdAddress& address() const { return address_; }

 private:
  ClamdAddress address_;
  int timeout_ms_;
};

}  // namespace minato::secops
