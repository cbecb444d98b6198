#include "app/write_path.h"

namespace minato::app {

namespace {

const crypto::SigningKey& key_for(const WritePathOptions& o,
                                  std::optional<crypto::SigningKey>& own) {
  if (o.audit_key != nullptr) return *o.audit_key;
  own.emplace(crypto::SigningKey::generate());
  return *own;
}

// A command's change record with the rows it wrote (store::WriteTxn::take_row_images) added as
// "redo":[...], the images roll-forward replays (G2.7.2-f).
std::string with_redo(std::string change, const std::string& images) {
  if (images.empty()) return change;
  std::string redo = "\"redo\":[" + images + "]}";
  if (change.empty() || change == "{}") return "{" + redo;
  if (change.size() >= 2 && change.front() == '{' && change.back() == '}') {
    change.back() = ',';
    return change + redo;
  }
  // A change record that is not an object is kept as a string beside the images.
  std::string out = "{\"note\":\"";
  for (char c : change) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
      continue;
    }
    out += c;
  }
  return out + "\"," + redo;
}

}  // namespace

WritePath::WritePath(store::Store& store, const Clock& clock, WritePathOptions options)
    : store_(store),
      clock_(clock),
      options_(options),
      log_(key_for(options_, own_key_), options_.audit_origin, options_.checkpoints) {
  if (options_.max_batch == 0) options_.max_batch = 1;
  writer_ = std::thread([this] { run(); });
}

WritePath::~WritePath() { shutdown(); }

void WritePath::shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

WritePathStats WritePath::stats() const {
  std::lock_guard lock(mu_);
  WritePathStats s = stats_;
  s.audit_events = log_.size();
  s.audit_checkpointed = log_.checkpointed_size();
  s.queued = queue_.size();
  return s;
}

Status WritePath::execute_status(const access::Actor& actor, CommandSpec spec, Fn fn) {
  return submit(actor, std::move(spec), std::move(fn)).get();
}

std::future<Status> WritePath::submit(const access::Actor& actor, CommandSpec spec, Fn fn) {
  std::future<Status> fut;
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    auto refuse = [&](Error e) {
      std::promise<Status> p;
      p.set_value(fail(std::move(e)));
      return p.get_future();
    };
    if (stopping_) return refuse(Error(ErrorCode::kUnavailable, "the server is shutting down"));
    if (queue_.size() >= options_.max_queue) {
      return refuse(
          Error(ErrorCode::kResourceExhausted, "too many commands waiting; try again shortly"));
    }
    wake = queue_.empty();  // the writer only sleeps on an empty queue
    queue_.push_back(Item{&actor, std::move(spec), std::move(fn), current_request(), {}});
    current_request().idempotency = nullptr;  // the request's key belongs to this command
    fut = queue_.back().done.get_future();
  }
  if (wake) cv_.notify_one();
  return fut;
}

void WritePath::run() {
  for (;;) {
    std::deque<Item> batch;
    bool last = false;
    {
      std::unique_lock lock(mu_);
      // Wake for commands, for shutdown, or when a checkpoint falls due by time.
      for (;;) {
        if (stopping_ || !queue_.empty()) break;
        int64_t wait_us = log_.us_until_due(clock_.now_us());
        if (wait_us == 0) break;
        if (wait_us < 0) {
          cv_.wait(lock);
        } else {
          cv_.wait_for(lock, std::chrono::microseconds(std::min<int64_t>(wait_us, 1'000'000)));
        }
      }
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      last = stopping_ && queue_.empty();
    }
    if (last && batch.empty() && !options_.checkpoint_at_shutdown) return;
    run_batch(batch, last);
    if (last) return;
  }
}

Status WritePath::apply_one(store::WriteTxn& tx, Item& item, bool optimistic, bool* abort) {
  const access::Actor& actor = *item.actor;
  audit::AuditEvent ev;
  ev.at_us = clock_.now_us();
  ev.subject = actor.subject;
  ev.credential = item.context.credential;
  ev.source = actor.source;
  ev.action = item.spec.action;
  ev.target = item.spec.target;
  ev.request_id = item.context.request_id;

  // (a) authorise.
  if (!actor.has(item.spec.required)) {
    ev.result = "denied";
    ev.reason = "missing permission " + std::string(access::to_string(item.spec.required));
    auto seq = log_.append(tx, ev);
    if (!seq) return fail(seq.error());
    if (event_hook_) batch_events_.push_back(std::move(ev));
    return fail(ErrorCode::kPermissionDenied, "you are not allowed to do " + item.spec.action);
  }
  if (gate_) {
    if (std::string refusal = gate_(item.spec); !refusal.empty()) {
      ev.result = "denied";
      ev.reason = refusal;
      auto seq = log_.append(tx, ev);
      if (!seq) return fail(seq.error());
      if (event_hook_) batch_events_.push_back(std::move(ev));
      return fail(ErrorCode::kFailedPrecondition, refusal);
    }
  }
  if (item.spec.step_up) {
    if (Status recent = require_recent_factor(actor, ev.at_us); !recent) {
      ev.result = "denied";
      ev.reason = "no recently proved second factor (step-up required)";
      auto seq = log_.append(tx, ev);
      if (!seq) return fail(seq.error());
      if (event_hook_) batch_events_.push_back(std::move(ev));
      return recent;
    }
  }
  // A retried request (same Idempotency-Key) is answered from the first run's response.
  if (item.context.idempotency != nullptr) {
    auto replayed = replay(tx, item, ev);
    if (!replayed) {
      if (replayed.error().code() != ErrorCode::kInvalidArgument) return fail(replayed.error());
      ev.result = "failure";
      ev.reason = replayed.error().message();
    }
    if (!replayed || *replayed) {
      auto seq = log_.append(tx, ev);
      if (!seq) {
        *abort = optimistic;
        return fail(seq.error());
      }
      if (event_hook_) batch_events_.push_back(std::move(ev));
      if (!replayed) return fail(replayed.error());
      return ok();
    }
  }
  // (b) apply, isolated in a savepoint (or, in an optimistic batch, not: see run_batch).
  if (!optimistic) MINATO_TRY(tx.savepoint());
  int64_t changes_before = optimistic ? tx.change_count() : 0;
  Effects fx;
  fx.now_us = ev.at_us;
  (void)tx.take_row_images();  // what ran before this command is not its change
  Status applied = item.fn(tx, fx);
  // The rows it wrote, for roll-forward (G2.7.2-f): part of its audit event's change record.
  std::string images = applied ? tx.take_row_images() : std::string();
  // A command that committed a refusal (fx.result "failure": a wrong PIN counted) keeps no
  // key: its retry is judged again, not answered with a success it never had.
  if (applied && item.context.idempotency != nullptr && fx.result == "success") {
    const Idempotency& key = *item.context.idempotency;
    applied = tx.insert_idempotency_key(store::IdempotencyRecord{
        actor.subject, key.key, key.digest, key.status, fx.response, fx.now_us});
  }
  auto undo_own = [&fx] {
    for (auto it = fx.undo.rbegin(); it != fx.undo.rend(); ++it) (*it)();
    fx.undo.clear();
  };
  auto keep_undo = [&] {
    for (auto& u : fx.undo) batch_undo_.push_back(std::move(u));
    fx.undo.clear();
  };
  if (optimistic) {
    if (!applied) undo_own();
    if (!applied && tx.change_count() != changes_before) {
      *abort = true;  // it wrote before failing: only a savepoint could undo just that
      return applied;
    }
    if (applied) {
      ev.result = fx.result;
      ev.reason = std::move(fx.reason);
      ev.change = with_redo(std::move(fx.change), images);
    } else {
      ev.result = "failure";
      ev.reason = applied.error().message();
    }
    auto seq = log_.append(tx, ev);
    if (!seq) {
      undo_own();
      *abort = true;
      return fail(seq.error());
    }
    if (applied) {
      force_checkpoint_ = force_checkpoint_ || fx.checkpoint;
      keep_undo();
    }
    if (event_hook_) batch_events_.push_back(std::move(ev));
    return applied;
  }
  if (applied) {
    // (c) audit in the same transaction.
    ev.result = fx.result;
    ev.reason = std::move(fx.reason);
    ev.change = with_redo(std::move(fx.change), images);
    auto seq = log_.append(tx, ev);
    if (seq) {
      Status released = tx.release_savepoint();
      if (released) {
        force_checkpoint_ = force_checkpoint_ || fx.checkpoint;
        keep_undo();
        if (event_hook_) batch_events_.push_back(std::move(ev));
        return released;
      }
      log_.drop_last();
      applied = std::move(released);
    } else {
      applied = fail(seq.error());
    }
  }
  undo_own();
  MINATO_TRY(tx.rollback_to_savepoint());
  ev.result = "failure";
  ev.reason = applied.error().message();
  ev.change.clear();
  auto seq = log_.append(tx, ev);
  if (!seq) return fail(seq.error());
  if (event_hook_) batch_events_.push_back(std::move(ev));
  return applied;
}

Result<bool> WritePath::replay(store::WriteTxn& tx, Item& item, audit::AuditEvent& ev) {
  Idempotency& key = *item.context.idempotency;
  auto found = tx.find_idempotency_key(item.actor->subject, key.key);
  if (!found) return fail(found.error());
  if (!*found) return false;
  if ((*found)->digest != key.digest) {
    return fail(ErrorCode::kInvalidArgument,
                "this Idempotency-Key was used for a different request; use a new key",
                "Idempotency-Key");
  }
  key.replayed = true;
  key.status = (*found)->status;
  key.response = std::move((*found)->response);
  ev.result = "success";
  ev.reason = "idempotent retry: answered from the first request; nothing changed";
  return true;
}

void WritePath::undo_batch() {
  for (auto it = batch_undo_.rbegin(); it != batch_undo_.rend(); ++it) (*it)();
  batch_undo_.clear();
}

std::vector<Status> WritePath::apply_batch(store::WriteTxn& tx, std::deque<Item>& batch,
                                           bool optimistic, bool* abort) {
  std::vector<Status> results;
  results.reserve(batch.size());
  for (auto& item : batch) {
    results.push_back(apply_one(tx, item, optimistic, abort));
    if (*abort) break;
  }
  return results;
}

Status WritePath::begin(store::WriteTxn& tx) {
  MINATO_TRY(log_.begin(tx));
  std::function<Status(store::WriteTxn&)> hook;
  {
    std::lock_guard lock(mu_);
    if (foreign_hook_ && !hook_ran_) {
      hook_ran_ = true;
      seen_foreign_ = -1;  // a new hook sees the store once
    }
    if (log_.foreign_changes() != seen_foreign_) hook = foreign_hook_;
  }
  if (hook) MINATO_TRY(hook(tx));  // on failure the next transaction tries again
  seen_foreign_ = log_.foreign_changes();
  return ok();
}

void WritePath::run_batch(std::deque<Item>& batch, bool final_checkpoint) {
  std::vector<Status> results;
  results.reserve(batch.size());
  auto tx = store_.write();
  Status committed = ok();
  std::optional<store::CheckpointRecord> checkpoint;
  if (!tx) {
    committed = fail(tx.error());
  } else {
    committed = begin(**tx);
    bool optimistic = batch.size() > 1;
    for (const auto& item : batch) optimistic = optimistic && item.spec.retry_safe;
    if (committed && optimistic) {
      bool abort = false;
      results = apply_batch(**tx, batch, true, &abort);
      {
        std::lock_guard lock(mu_);
        ++stats_.optimistic_batches;
        if (abort) ++stats_.batch_retries;
      }
      if (abort) {
        // Undo the whole attempt and run the batch again, each command in its savepoint.
        tx = fail(ErrorCode::kInternal, "rolled back");
        undo_batch();
        log_.aborted();
        batch_events_.clear();
        force_checkpoint_ = false;
        results.clear();
        tx = store_.write();
        committed = tx ? begin(**tx) : fail(tx.error());
        optimistic = false;
      }
    }
    if (committed && !optimistic) {
      bool unused = false;
      results = apply_batch(**tx, batch, false, &unused);
    }
    bool wrote_nothing = false;
    if (committed) {
      auto wrote =
          log_.checkpoint_if_due(**tx, clock_.now_us(), final_checkpoint || force_checkpoint_);
      force_checkpoint_ = false;
      // A pass woken only for a checkpoint that turned out not to be needed commits nothing:
      // an idle server writes no transactions (the transaction is rolled back below).
      wrote_nothing = wrote && !*wrote && batch.empty();
      committed = !wrote ? fail(wrote.error()) : wrote_nothing ? ok() : (*tx)->commit();
    }
    if (wrote_nothing) {
      tx = fail(ErrorCode::kInternal, "nothing to commit");  // rolls back
      log_.aborted();
      return;
    }
    if (committed) {
      checkpoint = log_.committed();
      batch_undo_.clear();
    } else {
      undo_batch();
      log_.aborted();
    }
  }
  tx = fail(ErrorCode::kInternal, "closed");  // release the transaction before answering
  {
    std::lock_guard lock(mu_);
    stats_.commands += batch.size();
    stats_.transactions += 1;
    if (!committed) stats_.failed_commits += 1;
  }
  // Counted before anyone is answered, so a caller that reads the metrics next sees its own.
  if (committed && event_hook_) {
    for (const auto& ev : batch_events_) event_hook_(ev);
  }
  batch_events_.clear();
  for (size_t i = 0; i < batch.size(); ++i) {
    // Nothing is durable if the commit failed: every caller hears the commit's error.
    batch[i].done.set_value(committed ? std::move(results[i]) : committed);
  }
  if (checkpoint && checkpoint_sink_) checkpoint_sink_(*checkpoint);
}

}  // namespace minato::app
