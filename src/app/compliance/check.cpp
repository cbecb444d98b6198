#include "app/compliance/check.h"

#include <map>

#include "app/compliance/catalogue.h"
#include "store/store.h"

namespace minato::app::compliance {

std::string_view to_string(ItemStatus s) {
  switch (s) {
    case ItemStatus::kPass:
      return "pass";
    case ItemStatus::kPartial:
      return "partial";
    case ItemStatus::kFail:
      return "fail";
    case ItemStatus::kEvidenceNeeded:
      return "evidence-needed";
    case ItemStatus::kNotApplicable:
      return "not-applicable";
  }
  return "fail";
}

std::optional<ItemStatus> parse_status(std::string_view s) {
  for (ItemStatus x : {ItemStatus::kPass, ItemStatus::kPartial, ItemStatus::kFail,
                       ItemStatus::kEvidenceNeeded, ItemStatus::kNotApplicable}) {
    if (to_string(x) == s) return x;
  }
  return std::nullopt;
}

int severity(ItemStatus s) {
  switch (s) {
    case ItemStatus::kFail:
      return 0;
    case ItemStatus::kPartial:
      return 1;
    case ItemStatus::kEvidenceNeeded:
      return 2;
    case ItemStatus::kPass:
      return 3;
    case ItemStatus::kNotApplicable:
      return 4;
  }
  return 0;
}

const Result<std::vector<store::UserRecord>>& Facts::users() {
  if (!users_) users_.emplace(r_.list_users());
  return *users_;
}

const Result<std::vector<store::RoleRule>>& Facts::role_rules() {
  if (!rules_) rules_.emplace(r_.list_role_rules());
  return *rules_;
}

std::vector<const store::UserRecord*> Facts::active_users() {
  std::vector<const store::UserRecord*> out;
  const auto& all = users();
  if (!all) return out;
  for (const auto& u : *all) {
    if (u.disabled || u.password_hash.empty()) continue;
    if (u.valid_until_us != 0 && u.valid_until_us <= now_us_) continue;
    out.push_back(&u);
  }
  return out;
}

const std::vector<Check>& all_checks() {
  static const std::vector<Check> checks = [] {
    std::vector<Check> v;
    identity_checks(v);
    network_checks(v);
    crypto_checks(v);
    resilience_checks(v);
    audit_checks(v);
    secops_checks(v);
    incident_checks(v);
    annex_checks(v);
    std::map<std::string_view, size_t> order;
    size_t n = 0;
    for (const auto& item : catalogue()) order[item.id] = n++;
    std::stable_sort(v.begin(), v.end(), [&](const Check& a, const Check& b) {
      auto ia = order.find(a.id), ib = order.find(b.id);
      const size_t ka = ia == order.end() ? n : ia->second;
      const size_t kb = ib == order.end() ? n : ib->second;
      return ka < kb;
    });
    return v;
  }();
  return checks;
}

Outcome pass(Text reason, std::vector<Value> values) {
  return {ItemStatus::kPass, std::move(reason), std::move(values)};
}
Outcome partial(Text reason, std::vector<Value> values) {
  return {ItemStatus::kPartial, std::move(reason), std::move(values)};
}
Outcome failed(Text reason, std::vector<Value> values) {
  return {ItemStatus::kFail, std::move(reason), std::move(values)};
}
Outcome not_applicable(Text reason, std::vector<Value> values) {
  return {ItemStatus::kNotApplicable, std::move(reason), std::move(values)};
}

Outcome read_error(const Error& e) {
  return failed({"could not read the state to check: " + e.message(),
                 "確認に必要な状態を読めませんでした: " + e.message()});
}

std::string names_of(const std::vector<std::string>& names, size_t most) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < most; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > most) out += ", …";
  return out;
}

access::Actor config_reader() {
  return access::Actor{"system:compliance", "local",
                       static_cast<uint32_t>(access::Permission::kConfigRead)};
}

Outcome backups_not_set_up() {
  return failed({"backups are not set up (`minato backup init`)",
                 "バックアップが設定されていません（`minato backup init`）"},
                {value_bool("backup_configured", false)});
}

Value value(std::string name, int64_t v) { return {std::move(name), std::to_string(v)}; }
Value value(std::string name, std::string v) { return {std::move(name), std::move(v)}; }
Value value_bool(std::string name, bool v) { return {std::move(name), v ? "true" : "false"}; }

std::string age_en(int64_t us) {
  const int64_t s = us / 1'000'000;
  if (s >= 2 * 86400) return std::to_string(s / 86400) + " days";
  if (s >= 2 * 3600) return std::to_string(s / 3600) + " h";
  if (s >= 120) return std::to_string(s / 60) + " min";
  return std::to_string(s) + " s";
}

std::string age_ja(int64_t us) {
  const int64_t s = us / 1'000'000;
  if (s >= 2 * 86400) return std::to_string(s / 86400) + "日";
  if (s >= 2 * 3600) return std::to_string(s / 3600) + "時間";
  if (s >= 120) return std::to_string(s / 60) + "分";
  return std::to_string(s) + "秒";
}

}  // namespace minato::app::compliance
