#include "app/live_feed.h"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>

namespace minato::app {

namespace json = boost::json;

void LiveFeed::Subscription::attach(std::function<void(std::string)> write,
                                    std::function<void()> end) {
  std::lock_guard lock(mu_);
  if (detached_) return;
  write_ = std::move(write);
  end_ = std::move(end);
  // The first bytes: the browser's reconnection delay, and a comment that opens the stream.
  write_("retry: 5000\n: live\n\n");
}

void LiveFeed::Subscription::detach() {
  {
    std::lock_guard lock(mu_);
    if (detached_) return;
    detached_ = true;
    write_ = nullptr;
    end_ = nullptr;
  }
  feed_.remove(id_);
}

bool LiveFeed::Subscription::wants(const std::string& topic) const {
  return std::find(topics_.begin(), topics_.end(), topic) != topics_.end();
}

void LiveFeed::Subscription::send(const std::string& text) {
  std::lock_guard lock(mu_);
  if (write_) write_(text);
}

void LiveFeed::Subscription::finish() {
  std::function<void()> end;
  {
    std::lock_guard lock(mu_);
    if (write_) write_("event: session\ndata: {\"ended\":true}\n\n");
    end = end_;
  }
  if (end) end();
}

LiveFeed::LiveFeed(LiveLimits limits) : limits_(limits) {
  beat_ = std::thread([this] { heartbeat(); });
}

LiveFeed::~LiveFeed() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  beat_.join();
}

Result<std::shared_ptr<LiveFeed::Subscription>> LiveFeed::subscribe(const std::string& username,
                                                                    std::vector<std::string> topics,
                                                                    std::function<bool()> alive) {
  std::lock_guard lock(mu_);
  if (subs_.size() >= static_cast<size_t>(limits_.total)) {
    return fail(ErrorCode::kResourceExhausted, "the server has as many live views as it serves");
  }
  const auto mine = std::count_if(subs_.begin(), subs_.end(),
                                  [&](const auto& kv) { return kv.second->username_ == username; });
  if (mine >= limits_.per_user) {
    return fail(ErrorCode::kResourceExhausted,
                "you have " + std::to_string(mine) +
                    " live views open (the limit); close a console tab or window first");
  }
  const uint64_t id = next_id_++;
  auto sub = std::shared_ptr<Subscription>(
      new Subscription(*this, id, username, std::move(topics), std::move(alive)));
  subs_[id] = sub;
  return sub;
}

std::string LiveFeed::topic_of(const audit::AuditEvent& ev) {
  const std::string& a = ev.action;
  auto starts = [&](std::string_view p) { return a.rfind(p, 0) == 0; };
  if (starts("alert.") || starts("incident.") || a == "source.block" || a == "source.unblock" ||
      ev.reason.find("; account locked until") != std::string::npos) {
    return "alerts";
  }
  if (starts("gate.") || starts("truck.") || starts("appointment.")) return "gate";
  if (starts("unit.") || starts("yard.") || a == "visit.discharge" || a == "visit.load" ||
      a == "edi.import") {
    return "yard";
  }
  return {};
}

void LiveFeed::publish(const audit::AuditEvent& ev) {
  // A refused login counts toward a lock: the lock is news for security staff; every other
  // unsuccessful command changed nothing to show.
  const std::string topic = topic_of(ev);
  if (topic.empty() || (ev.result != "success" && topic != "alerts")) return;
  const std::string data =
      json::serialize(json::object{{"action", ev.action}, {"target", ev.target}});
  // A gate transaction moves a unit in or out of the yard too.
  std::vector<std::string> topics{topic};
  if (topic == "gate") topics.emplace_back("yard");
  std::vector<std::pair<std::shared_ptr<Subscription>, std::string>> sends;
  {
    std::lock_guard lock(mu_);
    for (const auto& t : topics) {
      for (const auto& [id, s] : subs_) {
        if (s->wants(t)) sends.emplace_back(s, t);
      }
    }
  }
  for (const auto& [s, t] : sends) s->send("event: " + t + "\ndata: " + data + "\n\n");
}

size_t LiveFeed::streams() const {
  std::lock_guard lock(mu_);
  return subs_.size();
}

void LiveFeed::remove(uint64_t id) {
  std::lock_guard lock(mu_);
  subs_.erase(id);
}

void LiveFeed::heartbeat() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait_for(lock, std::chrono::seconds(limits_.heartbeat_s), [this] { return stopping_; });
    if (stopping_) break;
    std::vector<std::shared_ptr<Subscription>> all;
    all.reserve(subs_.size());
    for (const auto& [id, s] : subs_) all.push_back(s);
    lock.unlock();
    for (const auto& s : all) {
      if (s->alive_ && !s->alive_()) {
        s->finish();
      } else {
        s->send(": ping\n\n");
      }
    }
    lock.lock();
  }
  // Stopping: every stream ends.
  std::vector<std::shared_ptr<Subscription>> all;
  for (const auto& [id, s] : subs_) all.push_back(s);
  lock.unlock();
  for (const auto& s : all) {
    std::function<void()> end;
    {
      std::lock_guard l(s->mu_);
      end = s->end_;
    }
    if (end) end();
  }
}

}  // namespace minato::app
