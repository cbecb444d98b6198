// Shipper: copies every audit event and checkpoint off-system as it is committed (G2.7.3-b),
// as RFC 5424 syslog messages over TLS with RFC 5425 octet-counting framing, to a collector
// whose certificate is verified (rsyslog, a SIEM).
//
// The database is the disk-backed queue: the shipper reads events after its cursor, writes
// them, waits until the collector's TCP stack has acknowledged every byte (the socket's send
// queue is empty), and only then moves the cursor, kept in a file beside the database. After
// an outage it resends from the cursor, so delivery is at-least-once; each message carries the
// event's sequence number so the collector can drop duplicates.
//
// It also watches itself (G2.7.3-c): a gap in the sequence numbers it reads, a backlog past a
// limit, or no progress for too long while events wait raise an alert (once per episode, and
// once more when it recovers).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/result.h"
#include "store/store.h"

namespace minato::audit {

struct ShipperOptions {
  std::string host;
  uint16_t port = 0;
  std::string ca_file;      // "" = the system's trust store
  std::string server_name;  // name (or IP address) in the collector's certificate
  std::string cert_file;    // client certificate and key, if the collector asks for one
  std::string key_file;
  std::string cursor_path;  // where the shipped positions are kept
  std::string origin = "minato";
  std::string hostname;  // HOSTNAME field; "" = this machine's name
  int64_t queue_alert = 10'000;
  int64_t stall_seconds = 300;
  int batch = 500;
  std::function<std::string(std::string_view)> redact;  // personal data in the shipped copy
};

struct ShipAlert {
  std::string kind;  // "gap", "backlog", "stalled", "recovered"
  std::string text;  // what happened, in English (the alert adds Japanese)
  int64_t pending = 0;
  int64_t shipped_seq = 0;
};

struct ShipperStats {
  int64_t shipped_seq = 0;         // every event up to here was acknowledged
  int64_t shipped_checkpoint = 0;  // size of the newest checkpoint shipped
  int64_t head_seq = 0;            // newest event seen in the database
  int64_t last_progress_us = 0;    // when the cursor last moved (or shipping started)
  uint64_t messages = 0;           // messages written (resends included)
  uint64_t connects = 0;
  uint64_t gaps = 0;  // sequence gaps seen
  bool connected = false;
  std::string last_error;
};

// One RFC 5424 message in RFC 5425 framing ("LEN SP MSG").
std::string syslog_frame(int severity, int64_t at_us, const std::string& hostname,
                         const std::string& msgid, int64_t seq, const std::string& json);

class Shipper {
 public:
  using AlertFn = std::function<void(const ShipAlert&)>;
  Shipper(store::Store& store, const Clock& clock, ShipperOptions options, AlertFn on_alert);
  ~Shipper() { stop(); }
  Shipper(const Shipper&) = delete;
  Shipper& operator=(const Shipper&) = delete;

  Status start();  // reads the cursor and starts the thread
  void stop();     // joins the thread; the cursor stays where it was acknowledged
  void wake();     // new events were committed
  ShipperStats stats() const;

 private:
  struct Conn;
  void run();
  // Ships one batch; returns whether anything was sent.
  Result<bool> ship_batch(Conn& conn);
  Status save_cursor();
  void check_health(int64_t now_us);

  store::Store& store_;
  const Clock& clock_;
  ShipperOptions o_;
  AlertFn on_alert_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  ShipperStats stats_;
  std::string alerted_;  // the episode an alert was raised for ("" = healthy)
  std::thread thread_;
};

}  // namespace minato::audit
