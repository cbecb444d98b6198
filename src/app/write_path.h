// WritePath: the one way state changes. Every command — from the API, the CLI, a job, an EDI
// import — goes through execute(), which
//   (a) authorises the actor for the command's permission,
//   (b) applies the change inside the store's write transaction, and
//   (c) appends the command's audit event in the same transaction (G2.7.3-a),
// so the change and its audit record are committed together or not at all. A refused or failed
// command leaves no change but is itself audited (result "denied" / "failure", with the reason).
//
// One writer thread orders all commits. Commands that arrive while a commit is in progress are
// batched into the next transaction (group commit): each runs in its own savepoint, so one
// failing command does not undo its neighbours, and the batch is made durable with one fsync.
// execute() returns only after the caller's data is durable.
//
//   auto r = write_path.execute<int64_t>(actor, {"unit.create", "unit:" + id,
//   Permission::kUnitWrite},
//       [&](store::WriteTxn& tx, Effects& fx) -> Result<int64_t> { ...; fx.change = json; return
//       id; });
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "access/roles.h"
#include "common/clock.h"
#include "common/result.h"
#include "store/store.h"

namespace minato::app {

struct CommandSpec {
  std::string action;  // "gate.in"
  std::string target;  // "unit:CSQU3054383"
  access::Permission required = access::Permission::kNone;
};

// What a command reports about itself for its audit event.
struct Effects {
  int64_t now_us = 0;              // the command's time (one clock reading per command)
  std::string change;              // JSON of the change made
  std::string result = "success";  // a command may record an outcome such as a failed login
  std::string reason;
};

struct WritePathOptions {
  size_t max_batch = 256;     // commands per transaction; 1 disables group commit
  size_t max_queue = 10'000;  // waiting commands; beyond that execute() refuses at once
};

struct WritePathStats {
  uint64_t commands = 0;
  uint64_t transactions = 0;
};

class WritePath {
 public:
  WritePath(store::Store& store, const Clock& clock, WritePathOptions options = {});
  ~WritePath();  // drains the queue, then stops the writer
  WritePath(const WritePath&) = delete;
  WritePath& operator=(const WritePath&) = delete;

  using Fn = std::function<Status(store::WriteTxn&, Effects&)>;

  // Runs `fn` as one audited command and waits until it is durable. Thread-safe.
  Status execute_status(const access::Actor& actor, CommandSpec spec, Fn fn);

  template <class T>
  Result<T> execute(const access::Actor& actor, CommandSpec spec,
                    std::function<Result<T>(store::WriteTxn&, Effects&)> fn) {
    std::optional<T> out;
    auto st =
        execute_status(actor, std::move(spec), [&](store::WriteTxn& tx, Effects& fx) -> Status {
          auto r = fn(tx, fx);
          if (!r) return fail(std::move(r).error());
          out.emplace(std::move(*r));
          return ok();
        });
    if (!st) return fail(std::move(st).error());
    return std::move(*out);
  }

  // Stops accepting commands, finishes those queued, and joins the writer. Idempotent.
  void shutdown();
  WritePathStats stats() const;

 private:
  struct Item {
    const access::Actor* actor;
    CommandSpec spec;
    Fn fn;
    std::promise<Status> done;
  };
  void run();
  void run_batch(std::deque<Item>& batch);
  Status apply_one(store::WriteTxn& tx, Item& item);

  store::Store& store_;
  const Clock& clock_;
  WritePathOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  WritePathStats stats_;
  std::thread writer_;
};

}  // namespace minato::app
