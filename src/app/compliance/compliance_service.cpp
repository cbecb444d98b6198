#include "app/compliance/compliance_service.h"

#include <boost/json.hpp>

#include "app/alerts.h"
#include "app/runtime.h"
#include "common/clock.h"

namespace minato::app::compliance {
namespace json = boost::json;
using access::Permission;

namespace {

constexpr int64_t kHourUs = 3600LL * 1'000'000;

std::string today(int64_t now_us) { return format_utc(now_us, "%Y-%m-%d"); }

bool valid_date(const std::string& d) {
  int64_t us = 0;
  return d.size() == 10 && parse_utc(d + "T00:00:00Z", &us);
}

bool has_control(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

std::string evidence_line_en(const store::ComplianceEvidenceRecord& e) {
  return "\"" + e.title + "\" (" + e.owner + ", " + e.dated + ", review by " + e.review_by + ")";
}
std::string evidence_line_ja(const store::ComplianceEvidenceRecord& e) {
  return "「" + e.title + "」（" + e.owner + "、" + e.dated + "、見直し期限" + e.review_by + "）";
}

// The item's status from its check and its evidence (see the header).
void combine(ItemResult& r, const Outcome& o) {
  r.product = o.status;
  r.status = o.status;
  r.reason = o.reason;
  r.values = o.values;
  const Kind kind = r.item->kind;
  if (kind == Kind::kProduct) return;
  const EvidenceView* current_na = nullptr;
  const EvidenceView* current_ev = nullptr;
  const EvidenceView* stale = nullptr;
  for (const auto& e : r.evidence) {
    if (!e.current) {
      if (!stale) stale = &e;
    } else if (e.record.kind == "not_applicable") {
      if (!current_na) current_na = &e;
    } else if (!current_ev) {
      current_ev = &e;
    }
  }
  if (kind == Kind::kProductAndOrganisation && o.status != ItemStatus::kPass) return;
  const std::string lead_en = kind == Kind::kOrganisation ? "" : o.reason.en + "; ";
  const std::string lead_ja = kind == Kind::kOrganisation ? "" : o.reason.ja + "。";
  if (current_ev) {
    r.status = ItemStatus::kPass;
    r.reason = {lead_en + "organisational measure: " + evidence_line_en(current_ev->record),
                lead_ja + "組織的対策: " + evidence_line_ja(current_ev->record)};
  } else if (current_na) {
    r.status = kind == Kind::kOrganisation ? ItemStatus::kNotApplicable : ItemStatus::kPass;
    r.reason = {lead_en + "not applicable here: " + current_na->record.title,
                lead_ja + "適用対象外: " + current_na->record.title};
  } else if (stale) {
    r.status = ItemStatus::kEvidenceNeeded;
    r.reason = {
        lead_en + "the evidence " + evidence_line_en(stale->record) + " is past its review date",
        lead_ja + "証跡" + evidence_line_ja(stale->record) + "の見直し期限が過ぎています"};
  } else {
    r.status = ItemStatus::kEvidenceNeeded;
    r.reason = {lead_en + "no evidence of the organisational measure is recorded",
                lead_ja + "組織的対策の証跡が登録されていません"};
  }
}

}  // namespace

json::object to_json(const EvidenceView& e) {
  const auto& r = e.record;
  boost::system::error_code ec;
  json::value files = json::parse(r.files.empty() ? "[]" : r.files, ec);
  return {{"id", r.id},
          {"item", r.item},
          {"kind", r.kind},
          {"title", r.title},
          {"owner", r.owner},
          {"dated", r.dated},
          {"review_by", r.review_by},
          {"note", r.note},
          {"files", ec ? json::value(json::array{}) : files},
          {"current", e.current},
          {"recorded_by", r.recorded_by},
          {"recorded", format_utc(r.recorded_us)},
          {"withdrawn", r.withdrawn_us ? json::value(format_utc(r.withdrawn_us)) : nullptr},
          {"withdrawn_by", r.withdrawn_by}};
}

bool ComplianceService::current(const store::ComplianceEvidenceRecord& e, int64_t now_us) {
  return e.withdrawn_us == 0 && e.review_by >= today(now_us);
}

Result<Assessment> ComplianceService::run(const access::Actor& actor) {
  MINATO_TRY(
      rt_.writes().authorize(actor, {"compliance.run", "compliance", Permission::kCompliance}));
  Assessment a;
  a.at_us = rt_.clock().now_us();
  std::map<std::string, store::ComplianceStateRecord> states;
  int64_t since_seq = 0;
  {
    auto rx = rt_.store().read();
    if (!rx) return fail(rx.error());
    auto& r = **rx;
    auto evidence = r.compliance_evidence(false);
    if (!evidence) return fail(evidence.error());
    auto st = r.compliance_states();
    if (!st) return fail(st.error());
    for (auto& s : *st) states[s.item] = std::move(s);
    auto last = r.newest_audit({"compliance.run"}, 0);
    if (!last) return fail(last.error());
    since_seq = *last ? (*last)->seq : 0;

    Facts facts(rt_, r, a.at_us);
    std::map<std::string, Outcome> outcomes;
    for (int pass = 0; pass < 2; ++pass) {
      for (const auto& c : all_checks()) {
        if (c.last != (pass == 1)) continue;
        Outcome o = c.fn(facts);
        facts.add_earlier(std::string(c.id), o);
        outcomes[std::string(c.id)] = std::move(o);
      }
    }
    for (const auto& item : catalogue()) {
      ItemResult res;
      res.item = &item;
      for (const auto& e : *evidence) {
        if (e.item == item.id) res.evidence.push_back({e, current(e, a.at_us)});
      }
      auto it = outcomes.find(std::string(item.id));
      if (it == outcomes.end()) {
        res.status = res.product = ItemStatus::kFail;
        res.reason = {"this item has no check", "この項目には確認処理がありません"};
      } else {
        combine(res, it->second);
      }
      const std::string status(to_string(res.status));
      auto old = states.find(std::string(item.id));
      if (old != states.end() && old->second.status == status) {
        res.since_us = old->second.since_us;
      } else {
        res.since_us = a.at_us;
        Change ch;
        ch.item = std::string(item.id);
        ch.from = old == states.end() ? "" : old->second.status;
        ch.to = status;
        for (const auto& c : all_checks()) {
          if (c.id != item.id || c.causes.empty() || old == states.end()) continue;
          auto cause = r.newest_audit(c.causes, since_seq);
          if (!cause) return fail(cause.error());
          if (*cause) {
            ch.cause_seq = (*cause)->seq;
            ch.cause = (*cause)->action + " by " + (*cause)->subject;
          }
        }
        a.changes.push_back(std::move(ch));
      }
      ++a.totals[res.status];
      a.items.push_back(std::move(res));
    }
  }

  auto st = rt_.writes().execute_status(
      actor, {"compliance.run", "compliance", Permission::kCompliance},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        json::object totals;
        for (const auto& [s, n] : a.totals) totals[to_string(s)] = n;
        json::array changes;
        for (const auto& ch : a.changes) {
          const ItemResult* res = nullptr;
          for (const auto& i : a.items) {
            if (i.item->id == ch.item) res = &i;
          }
          json::object c{{"item", ch.item}, {"from", ch.from}, {"to", ch.to}};
          if (ch.cause_seq) c["cause"] = json::object{{"seq", ch.cause_seq}, {"event", ch.cause}};
          if (res) c["reason"] = res->reason.en;
          changes.push_back(std::move(c));
          MINATO_TRY(tx.put_compliance_state(
              {ch.item, ch.to, a.at_us, a.at_us, res ? res->reason.en : "", since_seq}));
          if (ch.from == "pass" && ch.to == "fail" && res) {
            Alert alert;
            alert.event = "compliance.regression";
            alert.title_en = "Compliance: " + ch.item + " no longer passes";
            alert.title_ja = "コンプライアンス: " + ch.item + "が不合格になりました";
            const std::string cause_en = ch.cause_seq ? " The change that caused it: audit event " +
                                                            std::to_string(ch.cause_seq) + " (" +
                                                            ch.cause + ")."
                                                      : " No recorded change explains it.";
            const std::string cause_ja = ch.cause_seq ? " 原因となった変更: 監査イベント" +
                                                            std::to_string(ch.cause_seq) + "（" +
                                                            ch.cause + "）。"
                                                      : " 原因となる記録された変更はありません。";
            alert.text_en = ch.item + " went from pass to fail: " + res->reason.en + "." + cause_en;
            alert.text_ja =
                ch.item + "が合格から不合格になりました: " + res->reason.ja + "。" + cause_ja;
            alert.details_json = json::serialize(c);
            auto q = queue_alert(tx, fx.now_us, rt_.alert_settings(), alert);
            if (!q) return fail(q.error());
          }
        }
        fx.change = json::serialize(
            json::object{{"totals", std::move(totals)}, {"changes", std::move(changes)}});
        return ok();
      });
  if (!st) return fail(st.error());
  last_run_us_ = a.at_us;
  return a;
}

void ComplianceService::run_due(int64_t now_us) {
  if (last_run_us_ == 0) {
    // The first run of a server comes five minutes after its start when the log has none.
    last_run_us_ = now_us - kHourUs + 5 * 60 * 1'000'000LL;
    if (auto rx = rt_.store().read()) {
      if (auto last = (*rx)->newest_audit({"compliance.run"}, 0); last && *last) {
        last_run_us_ = (*last)->at_us;
      }
    }
  }
  if (last_run_us_ != 0 && now_us - last_run_us_ < kHourUs) return;
  access::Actor me{"system:compliance", "local", static_cast<uint32_t>(Permission::kCompliance)};
  auto r = run(me);
  if (!r) {
    std::fprintf(stderr, "compliance: the hourly run failed: %s\n", r.error().message().c_str());
    last_run_us_ = now_us;  // try again in an hour, not every pass
  }
}

Result<EvidenceView> ComplianceService::add_evidence(const access::Actor& actor,
                                                     const EvidenceInput& in) {
  MINATO_TRY(rt_.writes().authorize(
      actor, {"compliance.evidence.add", "compliance:" + in.item, Permission::kEvidence}));
  const Item* item = find_item(in.item);
  if (item == nullptr) {
    return fail(ErrorCode::kInvalidArgument,
                "'" + in.item.substr(0, 40) + "' is not an item of the guideline's catalogue",
                "item");
  }
  if (in.kind != "evidence" && in.kind != "not_applicable") {
    return fail(ErrorCode::kInvalidArgument, "kind must be evidence or not_applicable", "kind");
  }
  if (in.kind == "not_applicable" && item->kind == Kind::kProduct) {
    return fail(ErrorCode::kInvalidArgument,
                in.item +
                    " is met by the product and checked live; it cannot be declared not "
                    "applicable",
                "kind");
  }
  if (in.title.empty() || in.title.size() > 200 || has_control(in.title)) {
    return fail(ErrorCode::kInvalidArgument, "title: 1 to 200 characters of text", "title");
  }
  if (in.owner.empty() || in.owner.size() > 100 || has_control(in.owner)) {
    return fail(ErrorCode::kInvalidArgument, "owner: 1 to 100 characters of text", "owner");
  }
  if (in.note.size() > 4000) {
    return fail(ErrorCode::kInvalidArgument, "note: at most 4000 characters", "note");
  }
  const int64_t now = rt_.clock().now_us();
  if (!valid_date(in.dated)) {
    return fail(ErrorCode::kInvalidArgument, "dated must be a date YYYY-MM-DD", "dated");
  }
  if (in.dated > today(now)) {
    return fail(ErrorCode::kInvalidArgument, "dated " + in.dated + " is in the future", "dated");
  }
  if (!valid_date(in.review_by)) {
    return fail(ErrorCode::kInvalidArgument, "review_by must be a date YYYY-MM-DD", "review_by");
  }
  if (in.review_by <= in.dated) {
    return fail(ErrorCode::kInvalidArgument, "review_by must come after dated", "review_by");
  }
  if (in.files.size() > 10) {
    return fail(ErrorCode::kInvalidArgument, "at most 10 files per evidence record", "files");
  }
  // Each file through the intake first: a refused one (malware, active content, an executable)
  // attaches nothing, and no record is made.
  json::array files;
  for (const auto& f : in.files) {
    auto got = rt_.intake().receive(actor, f.name, f.data, in.channel, IntakeKind::kEvidence,
                                    Permission::kEvidence);
    if (!got) {
      return fail(got.error().code(),
                  "evidence file '" + f.name.substr(0, 80) +
                      "' was refused, nothing recorded: " + got.error().message(),
                  "files");
    }
    files.push_back(json::object{{"intake_id", got->record.id},
                                 {"name", got->record.file_name},
                                 {"sha256", got->record.sha256},
                                 {"bytes", got->record.bytes},
                                 {"type", got->record.file_type}});
  }
  store::ComplianceEvidenceRecord rec;
  rec.item = in.item;
  rec.kind = in.kind;
  rec.title = in.title;
  rec.owner = in.owner;
  rec.dated = in.dated;
  rec.review_by = in.review_by;
  rec.files = json::serialize(files);
  rec.note = in.note;
  rec.recorded_by = actor.subject;
  auto id = rt_.writes().execute<int64_t>(
      actor, {"compliance.evidence.add", "compliance:" + in.item, Permission::kEvidence},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<int64_t> {
        rec.recorded_us = fx.now_us;
        auto n = tx.insert_compliance_evidence(rec);
        if (!n) return fail(n.error());
        rec.id = *n;
        fx.change = json::serialize(to_json(EvidenceView{rec, true}));
        return *n;
      });
  if (!id) return fail(id.error());
  return EvidenceView{rec, current(rec, now)};
}

Status ComplianceService::withdraw_evidence(const access::Actor& actor, int64_t id,
                                            const std::string& reason) {
  if (reason.empty() || reason.size() > 1000 || has_control(reason)) {
    return fail(ErrorCode::kInvalidArgument, "a reason (1 to 1000 characters) is required",
                "reason");
  }
  return rt_.writes().execute_status(
      actor,
      {"compliance.evidence.withdraw", "evidence:" + std::to_string(id), Permission::kEvidence},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto done = tx.withdraw_compliance_evidence(id, fx.now_us, actor.subject);
        if (!done) return fail(done.error());
        if (!*done) {
          return fail(ErrorCode::kNotFound, "no evidence " + std::to_string(id) + " in force",
                      "id");
        }
        fx.reason = reason;
        return ok();
      });
}

Result<std::vector<EvidenceView>> ComplianceService::evidence(const access::Actor& actor,
                                                              bool withdrawn) {
  MINATO_TRY(rt_.writes().authorize(
      actor, {"compliance.evidence", "compliance", Permission::kCompliance}));
  auto rx = rt_.store().read();
  if (!rx) return fail(rx.error());
  auto all = (*rx)->compliance_evidence(withdrawn);
  if (!all) return fail(all.error());
  const int64_t now = rt_.clock().now_us();
  std::vector<EvidenceView> out;
  for (auto& e : *all) out.push_back({e, current(e, now)});
  return out;
}

}  // namespace minato::app::compliance
