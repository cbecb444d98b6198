#include "app/runtime.h"

#include <sys/stat.h>

#include "crypto/random.h"
#include "identity/time_window.h"
#include "store/sqlite/sqlite_store.h"

namespace minato::app {

Result<std::unique_ptr<Runtime>> Runtime::open(const std::string& data_dir,
                                               const RuntimeOptions& options) {
  MINATO_TRY(crypto::init());
  std::unique_ptr<Runtime> rt(new Runtime());
  rt->paths_ = DataPaths{data_dir};
  rt->clock_ = options.clock != nullptr ? options.clock : &SystemClock::instance();

  struct stat st {};
  if (::stat(data_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return fail(ErrorCode::kNotFound,
                "data directory " + data_dir + " does not exist; create it with `minato init`");
  }
  if ((st.st_mode & 077) != 0) {
    return fail(
        ErrorCode::kFailedPrecondition,
        "data directory " + data_dir + " is accessible to other users; run chmod 700 on it");
  }
  auto cfg = config::load(rt->paths_.config());
  if (!cfg) return fail(cfg.error());
  rt->config_ = std::move(*cfg);

  auto sealing = crypto::SealingKey::load(rt->paths_.sealing_key());
  if (!sealing) return fail(sealing.error());
  rt->sealing_ = std::move(*sealing);
  auto signing = crypto::SigningKey::load(rt->paths_.signing_key());
  if (!signing) return fail(signing.error());
  rt->signing_ = std::move(*signing);

  auto db = store::SqliteStore::open(rt->paths_.database());
  if (!db) return fail(db.error());
  rt->store_ = std::move(*db);

  const auto& c = rt->config_;
  rt->writes_ = std::make_unique<WritePath>(*rt->store_, *rt->clock_, options.write_path);
  rt->sessions_ = std::make_unique<identity::SessionRegistry>(
      *rt->clock_, identity::SessionLimits{c.session_idle_s, c.session_absolute_s, 10'000,
                                           static_cast<size_t>(c.max_sessions_per_user),
                                           c.session_limit == "end_oldest"});
  rt->source_guard_ = std::make_unique<identity::SourceGuard>(
      *rt->clock_, identity::SourcePolicy{c.source_failure_threshold, c.source_window_s,
                                          c.source_block_s, 100'000});
  rt->login_pool_ = std::make_unique<BoundedPool>(static_cast<size_t>(c.login_threads),
                                                  static_cast<size_t>(c.login_queue));
  rt->identity_ = std::make_unique<IdentityService>(
      *rt->store_, *rt->writes_, *rt->clock_, rt->sealing_, *rt->sessions_, *rt->source_guard_,
      *rt->login_pool_,
      LockoutPolicy{c.lockout_threshold, c.lockout_seconds,
                    std::max(c.lockout_seconds, c.lockout_max_seconds)},
      options.argon);
  auto offset = identity::parse_utc_offset(c.utc_offset);
  if (!offset) return fail(offset.error());
  rt->identity_->set_utc_offset(*offset);
  rt->access_ = std::make_unique<AccessService>(*rt->store_, *rt->writes_, *rt->clock_,
                                                *rt->sessions_, *offset);
  rt->terminal_ = std::make_unique<TerminalService>(*rt->store_, *rt->writes_);
  return rt;
}

Runtime::~Runtime() {
  // Drain the write path before the services and the store go away.
  if (writes_) writes_->shutdown();
}

}  // namespace minato::app
