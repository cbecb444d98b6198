#include "app/write_path.h"

#include "audit/audit_chain.h"

namespace minato::app {

WritePath::WritePath(store::Store& store, const Clock& clock, WritePathOptions options)
    : store_(store), clock_(clock), options_(options) {
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
  return stats_;
}

Status WritePath::execute_status(const access::Actor& actor, CommandSpec spec, Fn fn) {
  std::future<Status> fut;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return fail(ErrorCode::kUnavailable, "the server is shutting down");
    if (queue_.size() >= options_.max_queue) {
      return fail(ErrorCode::kResourceExhausted, "too many commands waiting; try again shortly");
    }
    queue_.push_back(Item{&actor, std::move(spec), std::move(fn), {}});
    fut = queue_.back().done.get_future();
  }
  cv_.notify_one();
  return fut.get();
}

void WritePath::run() {
  for (;;) {
    std::deque<Item> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    run_batch(batch);
  }
}

Status WritePath::apply_one(store::WriteTxn& tx, Item& item) {
  const access::Actor& actor = *item.actor;
  audit::AuditEvent ev;
  ev.at_us = clock_.now_us();
  ev.subject = actor.subject;
  ev.source = actor.source;
  ev.action = item.spec.action;
  ev.target = item.spec.target;

  // (a) authorise.
  if (!actor.has(item.spec.required)) {
    ev.result = "denied";
    ev.reason = "missing permission " + std::string(access::to_string(item.spec.required));
    auto seq = audit::append(tx, ev);
    if (!seq) return fail(seq.error());
    return fail(ErrorCode::kPermissionDenied, "you are not allowed to do " + item.spec.action);
  }
  // (b) apply, isolated in a savepoint.
  MINATO_TRY(tx.savepoint());
  Effects fx;
  fx.now_us = ev.at_us;
  Status applied = item.fn(tx, fx);
  if (applied) {
    // (c) audit in the same transaction.
    ev.result = fx.result;
    ev.reason = fx.reason;
    ev.change = fx.change;
    auto seq = audit::append(tx, ev);
    if (seq) return tx.release_savepoint();
    applied = fail(seq.error());
  }
  MINATO_TRY(tx.rollback_to_savepoint());
  ev.result = "failure";
  ev.reason = applied.error().message();
  ev.change.clear();
  auto seq = audit::append(tx, ev);
  if (!seq) return fail(seq.error());
  return applied;
}

void WritePath::run_batch(std::deque<Item>& batch) {
  std::vector<Status> results;
  results.reserve(batch.size());
  auto tx = store_.write();
  Status committed = ok();
  if (!tx) {
    committed = fail(tx.error());
  } else {
    for (auto& item : batch) results.push_back(apply_one(**tx, item));
    committed = (*tx)->commit();
  }
  tx = fail(ErrorCode::kInternal, "closed");  // release the transaction before answering
  {
    std::lock_guard lock(mu_);
    stats_.commands += batch.size();
    stats_.transactions += 1;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    // Nothing is durable if the commit failed: every caller hears the commit's error.
    batch[i].done.set_value(committed ? std::move(results[i]) : committed);
  }
}

}  // namespace minato::app
