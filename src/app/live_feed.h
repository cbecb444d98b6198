// LiveFeed: the console's live view. A logged-in console holds one stream (Server-Sent Events,
// served by api/live_routes.cpp); every committed command is told, as a small event, to the
// streams whose users may see its topic — "yard" (a unit placed, moved, held, released...),
// "gate" (a gate transaction, a truck) and "alerts" (an alert raised for security staff) — so
// that the yard map, the gate queue and the alerts update without reloading. An event names
// the action and its target only; the screen reloads what it shows through the API, which
// checks the user's permissions as always.
//
// Bounded: at most `per_user` streams per user and `total` in all (kResourceExhausted
// beyond). Every `heartbeat_s` each stream gets a comment line (so a dead peer is found by
// the failed write) and its session is checked without refreshing it: a stream whose session
// has ended is told so ("event: session") and closed.
//
// Thread-safety: all members may be called from any thread. publish() is called on the writer
// thread after each commit and only queues text on the connections.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/event.h"
#include "common/result.h"

namespace minato::app {

struct LiveLimits {
  int per_user = 4;
  int total = 1000;
  int heartbeat_s = 20;
};

class LiveFeed {
 public:
  // One stream. attach() is called once its connection is ready to write; detach() when the
  // connection is gone.
  class Subscription {
   public:
    void attach(std::function<void(std::string)> write, std::function<void()> end);
    void detach();

   private:
    friend class LiveFeed;
    Subscription(LiveFeed& feed, uint64_t id, std::string username, std::vector<std::string> topics,
                 std::function<bool()> alive)
        : feed_(feed),
          id_(id),
          username_(std::move(username)),
          topics_(std::move(topics)),
          alive_(std::move(alive)) {}
    bool wants(const std::string& topic) const;
    void send(const std::string& text);
    void finish();

    LiveFeed& feed_;
    const uint64_t id_;
    const std::string username_;
    const std::vector<std::string> topics_;
    const std::function<bool()> alive_;
    std::mutex mu_;
    std::function<void(std::string)> write_;
    std::function<void()> end_;
    bool detached_ = false;
  };

  explicit LiveFeed(LiveLimits limits);
  ~LiveFeed();
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // A new stream for `username`, receiving `topics`; `alive` says whether its session lives.
  Result<std::shared_ptr<Subscription>> subscribe(const std::string& username,
                                                  std::vector<std::string> topics,
                                                  std::function<bool()> alive);
  // Tells the streams about a committed command (successful ones only).
  void publish(const audit::AuditEvent& event);
  // The topic of an action ("gate.in" -> "gate"), or "" when no screen follows it.
  static std::string topic_of(const audit::AuditEvent& event);
  size_t streams() const;

 private:
  void remove(uint64_t id);
  void heartbeat();

  const LiveLimits limits_;
  mutable std::mutex mu_;
  std::map<uint64_t, std::shared_ptr<Subscription>> subs_;
  uint64_t next_id_ = 1;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread beat_;
};

}  // namespace minato::app
