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
// execute() returns only after the caller's data is durable. The audit events are leaves of the
// Merkle log (audit/log.h); its signed checkpoints are written in the same transactions.
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
#include "app/step_up.h"
#include "audit/log.h"
#include "common/clock.h"
#include "common/request_context.h"
#include "common/result.h"
#include "store/store.h"

namespace minato::app {

struct CommandSpec {
  std::string action;  // "gate.in"
  std::string target;  // "unit:CSQU3054383"
  access::Permission required = access::Permission::kNone;
  // The command's function touches nothing but the transaction, so it may run twice. A batch
  // of such commands runs without a savepoint per command; if one fails after writing, the
  // batch is rolled back and run again with savepoints (see run_batch).
  bool retry_safe = false;
  // G2.1.2-a: the actor must have proved a second factor within the step-up window
  // (app/step_up.h): credential changes and other sensitive operations.
  bool step_up = false;
};

// What a command reports about itself for its audit event.
struct Effects {
  int64_t now_us = 0;              // the command's time (one clock reading per command)
  std::string change;              // JSON of the change made
  std::string result = "success";  // a command may record an outcome such as a failed login
  std::string reason;
  bool checkpoint = false;  // sign a checkpoint right after this command (retention prune)
  // The response body a retry with the same Idempotency-Key gets (set by commands a client
  // may retry); stored with the key in the command's transaction.
  std::string response;
  // Undoes a change the command made outside the database (an in-memory model): run, newest
  // first, when the command's changes are rolled back or the transaction does not commit.
  void on_undo(std::function<void()> fn) { undo.push_back(std::move(fn)); }
  std::vector<std::function<void()>> undo;
};

struct WritePathOptions {
  size_t max_batch = 256;     // commands per transaction; 1 disables group commit
  size_t max_queue = 10'000;  // waiting commands; beyond that execute() refuses at once
  // Signs the audit log's checkpoints; when null, a key made for this WritePath (tests).
  const crypto::SigningKey* audit_key = nullptr;
  std::string audit_origin = "minato";
  audit::CheckpointPolicy checkpoints;
  // At shutdown, checkpoint what the tree holds beyond the last checkpoint. False for a process
  // that only reads (`audit verify` beside a running server): it then writes nothing at all.
  bool checkpoint_at_shutdown = true;
};

struct WritePathStats {
  uint64_t commands = 0;
  uint64_t transactions = 0;
  uint64_t failed_commits = 0;
  uint64_t optimistic_batches = 0;  // batches run without a savepoint per command
  uint64_t batch_retries = 0;       // ... of which had to run again with savepoints
  int64_t audit_events = 0;         // size of the audit tree
  int64_t audit_checkpointed = 0;   // events covered by the newest checkpoint
  size_t queued = 0;                // commands waiting now
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

  // For a command whose work happens outside the transaction (files, snapshots, scans): when
  // `actor` lacks spec.required, refuses it now — audited like any refusal — before any work.
  // A check every command passes after its permission (G3.1-c containment): a non-empty
  // answer refuses the command (audited as denied, with that reason; kFailedPrecondition).
  // Set once, before commands run.
  void set_gate(std::function<std::string(const CommandSpec&)> gate) { gate_ = std::move(gate); }

  Status authorize(const access::Actor& actor, const CommandSpec& spec) {
    if (actor.has(spec.required) &&
        (!spec.step_up || require_recent_factor(actor, clock_.now_us())) &&
        (!gate_ || gate_(spec).empty())) {
      return ok();
    }
    return execute_status(actor, spec, [](store::WriteTxn&, Effects&) { return ok(); });
  }

  // Queues `fn` as one audited command and returns at once; the future is ready when it is
  // durable (or refused). For bulk work (imports) that keeps many commands in flight from
  // one thread. REQUIRES: `actor` outlives the future.
  std::future<Status> submit(const access::Actor& actor, CommandSpec spec, Fn fn);

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
    if (!out) {
      // A retried request answered from its Idempotency-Key: the caller sends the stored
      // response (current_request().idempotency->replayed), not a value made now.
      return fail(ErrorCode::kAlreadyExists,
                  "this request was done before (same Idempotency-Key); nothing was changed");
    }
    return std::move(*out);
  }

  // Stops accepting commands, finishes those queued, writes a last checkpoint, and joins the
  // writer. Idempotent.
  void shutdown();
  WritePathStats stats() const;
  const audit::Log& audit_log() const { return log_; }

  // Called on the writer thread with each committed command's audit event (metrics).
  // REQUIRES: set before the first command.
  void on_event(std::function<void(const audit::AuditEvent&)> hook) {
    event_hook_ = std::move(hook);
  }
  // Called on the writer thread, inside the transaction, when another process (the CLI on the
  // host) has committed changes since the last transaction: in-memory models reload.
  // Thread-safe; the hook also runs once at the first transaction after it is set.
  void on_foreign_change(std::function<Status(store::WriteTxn&)> hook) {
    std::lock_guard lock(mu_);
    foreign_hook_ = std::move(hook);
  }
  // Called on the writer thread after each committed checkpoint (copies it off-system).
  // REQUIRES: set before the first command.
  void on_checkpoint(std::function<void(const store::CheckpointRecord&)> sink) {
    checkpoint_sink_ = std::move(sink);
  }

 private:
  struct Item {
    const access::Actor* actor;
    CommandSpec spec;
    Fn fn;
    RequestContext context;
    std::promise<Status> done;
  };
  // Answers a retried request from its stored response (true), or refuses a key reused for a
  // different request; false when the key is new.
  Result<bool> replay(store::WriteTxn& tx, Item& item, audit::AuditEvent& ev);
  void run();
  void run_batch(std::deque<Item>& batch, bool final_checkpoint);
  // Runs one batch in `tx`; without savepoints when `optimistic` (then *abort is set if a
  // command failed after writing, and the transaction must be dropped).
  std::vector<Status> apply_batch(store::WriteTxn& tx, std::deque<Item>& batch, bool optimistic,
                                  bool* abort);
  Status apply_one(store::WriteTxn& tx, Item& item, bool optimistic, bool* abort);

  store::Store& store_;
  const Clock& clock_;
  WritePathOptions options_;
  std::optional<crypto::SigningKey> own_key_;
  audit::Log log_;
  std::function<void(const store::CheckpointRecord&)> checkpoint_sink_;
  bool force_checkpoint_ = false;  // writer thread only
  std::function<void(const audit::AuditEvent&)> event_hook_;
  std::function<std::string(const CommandSpec&)> gate_;
  std::function<Status(store::WriteTxn&)> foreign_hook_;
  std::vector<audit::AuditEvent> batch_events_;  // writer thread only
  // Undo actions of the commands applied in the open transaction (writer thread only).
  std::vector<std::function<void()>> batch_undo_;
  void undo_batch();
  // Opens the batch's audit log state; tells in-memory models about other processes' changes.
  Status begin(store::WriteTxn& tx);
  int64_t seen_foreign_ = 0;  // writer thread only
  bool hook_ran_ = false;     // guarded by mu_
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  WritePathStats stats_;
  std::thread writer_;
};

}  // namespace minato::app
